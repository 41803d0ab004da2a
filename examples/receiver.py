#!/usr/bin/env python3
"""A webhook receiver that checks Hookgate's Standard Webhooks signature.

Python 3 standard library only. Usage:

    WEBHOOK_SECRET='whsec_...' python3 examples/receiver.py [PORT]

PORT is the first argument, else the environment variable PORT, else 9000; 0 picks a free
port. It listens on 127.0.0.1 (HOST to change it) and accepts POST requests on any path.

Every line it prints to standard output is one JSON object (the HTTP server's access log goes
to standard error):

    {"listening": 9000}                                         once, when it accepts requests
    {"verified": "msg_...", "type": "...", "signatures": 1, "data": {...}}   a request it accepted (200)
    {"rejected": "msg_...", "reason": "..."}                    a request it refused (401)

A request is accepted when one of the space-separated "v1,<signature>" entries of
webhook-signature is the base64 HMAC-SHA256, keyed with the bytes after "whsec_" (base64
decoded), of "<webhook-id>.<webhook-timestamp>.<body>", and webhook-timestamp is within five
minutes of this machine's clock. During a secret rotation Hookgate sends two entries, one per
secret, so a receiver that knows either secret accepts the request.
"""
import base64
import binascii
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

TOLERANCE = 5 * 60  # seconds; refuse old (replayed) or future timestamps


def key_of(secret):
    """The signing key: the base64-decoded part of the secret after "whsec_"."""
    if not secret.startswith("whsec_"):
        raise ValueError("the secret must start with whsec_")
    try:
        key = base64.b64decode(secret[len("whsec_"):], validate=True)
    except binascii.Error as error:
        raise ValueError(f"the secret is not base64 after whsec_: {error}") from None
    if not key:
        raise ValueError("the secret has an empty key")
    return key


def check(key, headers, body):
    """None when the request is signed with key, else why not."""
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not msg_id or not timestamp or not signatures:
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if not timestamp.isdigit():
        return f"webhook-timestamp {timestamp!r} is not a number of seconds"
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return f"webhook-timestamp {timestamp} is more than {TOLERANCE} s away from this machine's clock"
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Space-separated "v1,<signature>" entries: two of them while a rotated secret is still valid.
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return None
    return "no v1 signature matches this secret"


def emit(line):
    print(json.dumps(line, ensure_ascii=False), flush=True)


class Receiver(http.server.BaseHTTPRequestHandler):
    key = b""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        why = check(self.key, self.headers, body)
        if why is not None:
            emit({"rejected": self.headers.get("webhook-id", ""), "reason": why})
            self.answer(401, b"invalid signature: " + why.encode())
            return
        # The body is verified as received, byte for byte; only now is it parsed.
        event = json.loads(body)
        emit({"verified": self.headers["webhook-id"], "type": event.get("type"),
              "signatures": len(self.headers["webhook-signature"].split()), "data": event.get("data")})
        self.answer(200, b"thanks")

    def answer(self, status, text):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)


def main():
    secret = os.environ.get("WEBHOOK_SECRET", "")
    if not secret:
        sys.exit("receiver.py: set WEBHOOK_SECRET to the endpoint's secret (whsec_...)")
    try:
        Receiver.key = key_of(secret)
    except ValueError as error:
        sys.exit(f"receiver.py: WEBHOOK_SECRET: {error}")
    port_text = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PORT", "9000")
    if not port_text.isdigit() or int(port_text) > 65535:
        sys.exit(f"receiver.py: the port must be a number from 0 to 65535, got {port_text!r}")
    server = http.server.ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(port_text)), Receiver)
    emit({"listening": server.server_address[1]})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
