"""A real SMTP server (aiosmtpd) for the SMTP transport tests, started by test/setup/smtp-server.ts.

Listens on four loopback ports, all requiring AUTH (PLAIN or LOGIN) as --user/--password:
  plain     no TLS at all (AUTH allowed in clear, as on a local relay)
  login     like plain, but offering AUTH LOGIN only
  starttls  STARTTLS required before AUTH and MAIL
  smtps     implicit TLS from the first byte
Recipients whose local part starts with "reject" are refused at RCPT with 550.

Every accepted message is parsed with Python's own e-mail parser (an implementation independent of
the client under test) and served as JSON by GET /messages on the HTTP port. The first line on
stdout is a JSON object with the five ports. The process exits by itself when --parent-pid dies or
after --lifetime seconds, so a crashed test run never leaves it behind.
"""

import argparse
import base64
import email
import email.policy
import json
import logging
import os
import socket
import ssl
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

messages = []
messages_lock = threading.Lock()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append(
            {
                "contentType": part.get_content_type(),
                "charset": part.get_content_charset(),
                "transferEncoding": part.get("Content-Transfer-Encoding"),
                "content": part.get_content(),
            }
        )
    defects = [type(defect).__name__ for part in message.walk() for defect in part.defects]
    return {
        "subject": message["subject"],
        "from": message["from"],
        "to": message["to"],
        "contentType": message.get_content_type(),
        "headers": [[name, str(value)] for name, value in message.items()],
        "parts": parts,
        "defects": defects,
    }


class Recorder:
    def __init__(self, name):
        self.name = name

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        record = {
            "server": self.name,
            "ehlo": session.host_name,
            # session.ssl is only set by STARTTLS; an implicit-TLS transport carries an ssl_object.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authLogin": login,
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "raw": raw.decode("utf-8", errors="replace"),
            "rawBase64": base64.b64encode(raw).decode("ascii"),
            "parsed": parse(raw),
        }
        with messages_lock:
            messages.append(record)
        return "250 Message accepted"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticate


class MessagesEndpoint(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/messages":
            self.send_error(404)
            return
        with messages_lock:
            body = json.dumps(messages).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def watch_parent(parent, lifetime):
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and alive(parent):
        time.sleep(0.5)
    os._exit(0)


def main():
    # aiosmtpd warns that the plain port takes AUTH in clear: that port is loopback-only, on purpose.
    warnings.simplefilter("ignore", UserWarning)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--lifetime", type=float, default=1800)
    args = parser.parse_args()

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    authenticator = authenticator_for(args.user, args.password)
    common = {"hostname": "127.0.0.1", "authenticator": authenticator, "auth_required": True}

    ports = {name: free_port() for name in ("plain", "login", "starttls", "smtps")}
    controllers = [
        Controller(Recorder("plain"), port=ports["plain"], auth_require_tls=False, **common),
        Controller(
            Recorder("login"),
            port=ports["login"],
            auth_require_tls=False,
            auth_exclude_mechanism=["PLAIN"],
            **common,
        ),
        Controller(
            Recorder("starttls"), port=ports["starttls"], tls_context=tls, require_starttls=True, **common
        ),
        # AUTH is allowed on the implicit-TLS port: the whole connection is already encrypted.
        Controller(Recorder("smtps"), port=ports["smtps"], ssl_context=tls, auth_require_tls=False, **common),
    ]
    for controller in controllers:
        controller.start()

    http = ThreadingHTTPServer(("127.0.0.1", 0), MessagesEndpoint)
    ports["http"] = http.server_address[1]
    threading.Thread(target=http.serve_forever, daemon=True).start()
    threading.Thread(target=watch_parent, args=(args.parent_pid, args.lifetime), daemon=True).start()

    print(json.dumps(ports), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for controller in controllers:
            controller.stop()
        http.shutdown()
        sys.exit(0)


if __name__ == "__main__":
    main()
