"""A real SMTP server for the tests (aiosmtpd): STARTTLS or implicit TLS,
AUTH PLAIN/LOGIN against one user, each message received written as JSON
to a directory (envelope, raw message, whether the session was encrypted
and authenticated, as whom). Prints "PORT <n>" once it listens on
127.0.0.1:<n>, then serves until killed.

    python smtp_server.py --mode starttls|tls --cert C --key K \
        --user U --password P --out DIR
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Saver:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode()
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message": envelope.original_content.decode("utf-8", "replace"),
            "tls_version": tls.version() if tls is not None else None,
            "authenticated": bool(session.authenticated),
            "login": login,
        }
        path = os.path.join(self.out, f"{self.count:04}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        # Whole or absent: the test never reads half a file.
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Message accepted"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["starttls", "tls"], required=True)
    for name in ["cert", "key", "user", "password", "out"]:
        p.add_argument("--" + name, required=True)
    args = p.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    user, password = args.user.encode(), args.password.encode()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user
            and auth_data.password == password
        )
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    handler = Saver(args.out)
    starttls = args.mode == "starttls"

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            authenticator=authenticator,
            auth_required=True,
            # STARTTLS: AUTH only once upgraded; implicit TLS is upgraded
            # from the first byte (aiosmtpd does not see it as STARTTLS).
            auth_require_tls=starttls,
            require_starttls=starttls,
            tls_context=context if starttls else None,
        )

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory, "127.0.0.1", 0, ssl=None if starttls else context
        )
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
