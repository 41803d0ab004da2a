#!/usr/bin/python3
"""A real SMTP server (Debian's aiosmtpd) on 127.0.0.1 for the e2e email tests.

    mail_server.py DIRECTORY [--port N] [--starttls CERT KEY] [--auth USER PASSWORD]
                   [--data-delay SECONDS]

Listens on 127.0.0.1:N (0, the default: a free port; the address is reused,
so a port used by an earlier run can be taken again) and reports through
files in DIRECTORY. State is kept across runs on the same DIRECTORY
(counters continue), so a test can stop the server and start it again:
    port                 the port, written (atomically) once connections are accepted
    connections          the number of connections accepted so far (all runs)
    commands             one line per command received: "<connection> <VERB>"
                         (appended as they arrive)
    messages/NNNNNN.json envelope of each accepted message: mailFrom, rcptTos,
                         tls, authMechanism, connection
    messages/NNNNNN.eml  the message bytes as received (after dot-unstuffing)
Scripted replies: DIRECTORY/control/MAIL, .../RCPT, .../DATA hold lines
"<times> <reply>" (times -1: until the file changes). The first line answers
the next such command instead of accepting it (DATA: the reply after the
data) and is used up after <times> uses. Written by the test atomically.
--starttls offers STARTTLS with that certificate; --auth requires AUTH
(PLAIN or LOGIN, only after STARTTLS when --starttls is given) before MAIL.
--data-delay makes the reply after the data come that much later (a slow server).
Runs until killed.
"""

import argparse
import asyncio
import functools
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def atomic_write(path, data):
    temp = path + ".tmp"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


class State:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(self.path("messages"), exist_ok=True)
        os.makedirs(self.path("control"), exist_ok=True)
        try:
            with open(self.path("connections")) as f:
                self.connections = int(f.read().strip() or "0")
        except FileNotFoundError:
            self.connections = 0
        self.messages = len([n for n in os.listdir(self.path("messages")) if n.endswith(".eml")])
        atomic_write(self.path("connections"), str(self.connections).encode())
        self.log = open(self.path("commands"), "a", buffering=1)

    def path(self, *names):
        return os.path.join(self.directory, *names)

    def connected(self):
        self.connections += 1
        atomic_write(self.path("connections"), str(self.connections).encode())
        return self.connections

    def command(self, connection, verb):
        self.log.write("%d %s\n" % (connection, verb))
        self.log.flush()

    def scripted(self, command):
        """The scripted reply for command, used up once; None when there is none."""
        path = self.path("control", command)
        try:
            with open(path) as f:
                lines = [line.rstrip("\r\n") for line in f if line.strip()]
        except FileNotFoundError:
            return None
        if not lines:
            return None
        times, _, reply = lines[0].partition(" ")
        times = int(times)
        if times > 0:
            if times == 1:
                lines.pop(0)
            else:
                lines[0] = "%d %s" % (times - 1, reply)
            atomic_write(path, "".join(line + "\n" for line in lines).encode())
        return reply


class Handler:
    def __init__(self, state, data_delay):
        self.state = state
        self.data_delay = data_delay

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self.state.scripted("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.state.scripted("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay > 0:
            await asyncio.sleep(self.data_delay)
        reply = self.state.scripted("DATA")
        if reply:
            return reply
        self.state.messages += 1
        base = self.state.path("messages", "%06d" % self.state.messages)
        info = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authMechanism": session.auth_data if session.authenticated else None,
            "connection": server.connection_number,
        }
        atomic_write(base + ".json", json.dumps(info).encode("utf-8"))
        atomic_write(base + ".eml", envelope.original_content)
        return "250 2.0.0 Ok: queued as %06d" % self.state.messages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    parser.add_argument("--data-delay", type=float, default=0.0)
    args = parser.parse_args()

    state = State(args.directory)
    sys.stderr = open(state.path("server.log"), "a", buffering=1)
    handler = Handler(state, args.data_delay)

    tls_context = None
    if args.starttls:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.starttls[0], args.starttls[1])

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.auth[0]
              and auth_data.password.decode() == args.auth[1])
        if ok:
            return AuthResult(success=True, auth_data=mechanism)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535

    class RecordingSMTP(SMTP):
        connection_number = 0

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            for verb, method in list(self._smtp_methods.items()):
                self._smtp_methods[verb] = self._recorded(verb, method)

        def _recorded(self, verb, method):
            @functools.wraps(method)
            async def wrapper(arg):
                state.command(self.connection_number, verb)
                return await method(arg)
            return wrapper

        def connection_made(self, transport):
            if self._original_transport is None:  # not the second call after STARTTLS
                self.connection_number = state.connected()
            super().connection_made(transport)

    def factory():
        kwargs = dict(hostname="localhost", decode_data=False)
        if tls_context:
            kwargs["tls_context"] = tls_context
        if args.auth:
            kwargs["authenticator"] = authenticator
            kwargs["auth_required"] = True
            kwargs["auth_require_tls"] = tls_context is not None
        return RecordingSMTP(handler, **kwargs)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", args.port, reuse_address=True))
    port = server.sockets[0].getsockname()[1]
    atomic_write(state.path("port"), str(port).encode())
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
