// A webhook receiver for Hookgate in Node.js, verifying the Standard Webhooks signature with the
// `standardwebhooks` package (npm). Usage, in this folder:
//
//     npm ci
//     WEBHOOK_SECRET='whsec_...' node receiver.mjs [PORT]
//
// PORT is the first argument, else the environment variable PORT, else 9000; 0 picks a free
// port. It listens on 127.0.0.1 (HOST to change it) and accepts POST requests on any path:
// 204 when the signature verifies, 400 when it does not.
//
// Every line it prints to standard output is one JSON object:
//
//     {"listening": 9000}                                         once, when it accepts requests
//     {"verified": "msg_...", "type": "...", "signatures": 1, "data": {...}}   a request it accepted (204)
//     {"rejected": "msg_...", "reason": "..."}                    a request it refused (400)
//
// Webhook#verify checks that one of the space-separated "v1,<signature>" entries of
// webhook-signature matches (two during a secret rotation, one per secret) and that
// webhook-timestamp is within five minutes of this machine's clock. It must be given the body
// exactly as received, before any JSON parsing.
import http from "node:http";
import process from "node:process";
import { Webhook } from "standardwebhooks";

const secret = process.env.WEBHOOK_SECRET ?? "";
if (!secret.startsWith("whsec_")) {
  console.error("receiver.mjs: set WEBHOOK_SECRET to the endpoint's secret (whsec_...)");
  process.exit(2);
}
let webhook;
try {
  webhook = new Webhook(secret);
} catch (error) {
  console.error(`receiver.mjs: WEBHOOK_SECRET: ${error.message}`);
  process.exit(2);
}

const portText = process.argv[2] ?? process.env.PORT ?? "9000";
if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
  console.error(`receiver.mjs: the port must be a number from 0 to 65535, got '${portText}'`);
  process.exit(2);
}

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const server = http.createServer((request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);  // the bytes as received: they are what was signed
    const id = request.headers["webhook-id"] ?? "";
    let event;
    try {
      event = webhook.verify(body, request.headers);
    } catch (error) {
      // WebhookVerificationError: missing headers, no matching signature, a timestamp out of
      // tolerance. (A verified body that is not JSON would fail here too; Hookgate sends JSON.)
      emit({ rejected: id, reason: error.message });
      response.writeHead(400, { "Content-Type": "text/plain" }).end(`invalid signature: ${error.message}`);
      return;
    }
    emit({
      verified: id,
      type: event?.type,
      signatures: String(request.headers["webhook-signature"]).split(" ").length,
      data: event?.data,
    });
    response.writeHead(204).end();
  });
});

server.listen(Number(portText), process.env.HOST ?? "127.0.0.1", () => {
  emit({ listening: server.address().port });
});
process.on("SIGINT", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
