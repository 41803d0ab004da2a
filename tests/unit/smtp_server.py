#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the SMTP transport tests.

    smtp_server.py DIRECTORY [--starttls CERT KEY] [--implicit-tls CERT KEY]
                   [--auth USER PASSWORD] [--auth-allow-plaintext]
                   [--auth-exclude MECHANISM]...

Listens on a free port (port 0) and reports through files in DIRECTORY,
each written atomically (temporary file + rename):
    port                 the port, once the server accepts connections
    connections          the number of connections accepted so far
    messages/NNNNNN.json envelope of each accepted message: mailFrom,
                         mailOptions, rcptTos, tls, authMechanism
    messages/NNNNNN.eml  the message bytes as received (after dot-unstuffing)
Scripted replies: when DIRECTORY/control/MAIL, .../RCPT or .../DATA exists
and is not empty, its content (e.g. "451 4.3.0 try again later") is the
reply to that command instead of accepting it (DATA: the reply after the data).
Runs until terminated.
"""

import argparse
import asyncio
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


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    def scripted(self, command):
        try:
            with open(os.path.join(self.directory, "control", command)) as f:
                return f.read().strip() or None
        except FileNotFoundError:
            return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self.scripted("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.scripted("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self.scripted("DATA")
        if reply:
            return reply
        self.count += 1
        base = os.path.join(self.directory, "messages", "%06d" % self.count)
        info = {
            "mailFrom": envelope.mail_from,
            "mailOptions": envelope.mail_options,
            "rcptTos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authMechanism": session.auth_data if session.authenticated else None,
        }
        atomic_write(base + ".json", json.dumps(info).encode("utf-8"))
        atomic_write(base + ".eml", envelope.original_content)
        return "250 2.0.0 Ok: queued as %06d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    parser.add_argument("--auth-allow-plaintext", action="store_true")
    parser.add_argument("--auth-exclude", action="append", default=[])
    args = parser.parse_args()

    directory = args.directory
    sys.stderr = open(os.path.join(directory, "server.log"), "a", buffering=1)
    os.makedirs(os.path.join(directory, "messages"), exist_ok=True)
    os.makedirs(os.path.join(directory, "control"), exist_ok=True)

    def context(files):
        if not files:
            return None
        result = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        result.load_cert_chain(files[0], files[1])
        return result

    starttls_context = context(args.starttls)
    implicit_context = context(args.implicit_tls)
    handler = Handler(directory)
    connections = [0]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.auth[0]
              and auth_data.password.decode() == args.auth[1])
        if ok:
            return AuthResult(success=True, auth_data=mechanism)
        return AuthResult(success=False, handled=False)  # handled=False: aiosmtpd answers 535

    class CountingSMTP(SMTP):
        def connection_made(self, transport):
            if self._original_transport is None:  # not the second call after STARTTLS
                connections[0] += 1
                atomic_write(os.path.join(directory, "connections"), str(connections[0]).encode())
            super().connection_made(transport)

    def factory():
        kwargs = dict(hostname="localhost", decode_data=False)
        if starttls_context:
            kwargs["tls_context"] = starttls_context
        if args.auth:
            kwargs["authenticator"] = authenticator
            kwargs["auth_required"] = True
            kwargs["auth_require_tls"] = not args.auth_allow_plaintext
            if args.auth_exclude:
                kwargs["auth_exclude_mechanism"] = args.auth_exclude
        return CountingSMTP(handler, **kwargs)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0, ssl=implicit_context))
    port = server.sockets[0].getsockname()[1]
    atomic_write(os.path.join(directory, "connections"), b"0")
    atomic_write(os.path.join(directory, "port"), str(port).encode())
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
