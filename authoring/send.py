"""Send an exported issue to one address as a test, over SMTP.

The message is the export's ``.eml`` with three test-only headers changed: the subject
gets a ``[TEST] `` prefix, a To header names the recipient, and the Message-ID is fresh
(mail clients hide a second message with a Message-ID they have already seen, so
repeated tests would otherwise vanish). Every other byte is the exported message.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import make_msgid
from pathlib import Path
from typing import Literal

from authoring.diagnostics import AuthoringError

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
TEST_PREFIX = "[TEST] "
PASSWORD_ENV = "AUTHORING_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 20.0


class SendError(AuthoringError):
    """The test email could not be sent; the message says why."""


@dataclass
class SendResult:
    to: str
    subject: str
    host: str
    port: int
    message: bytes
    """Exactly the bytes handed to the server."""


def parse_address(value: str) -> str:
    """A single plain address (``name@example.com``); ValueError otherwise."""
    value = value.strip()
    if not value.isascii():  # SMTPUTF8 is rare among servers; smtplib would fail mid-send
        raise ValueError(f"'{value}': only ASCII addresses are supported")
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"'{value}' is not an email address") from exc
    if not address.username or "." not in address.domain or address.addr_spec != value:
        raise ValueError(f"'{value}' is not an email address")
    return value


def build_test_message(path: str | Path, to: str, *, publication_file: Path | None = None):
    """The export of ``path`` and the test message built from it, as bytes."""
    from authoring.export import build_export

    export = build_export(path, publication_file=publication_file)
    domain = export.publication.sender.email.rpartition("@")[2] or None
    message = export.message(subject_prefix=TEST_PREFIX, to=to, message_id=make_msgid(domain=domain))
    return export, message.as_bytes()


def send_issue(path: str | Path, to: str, *, smtp_host: str = "localhost", port: int | None = None,
               security: Security = "none", user: str | None = None, password: str | None = None,
               publication_file: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> SendResult:
    """Export ``path`` in memory and send it to ``to``; raise SendError with a clear reason."""
    if security not in DEFAULT_PORTS:
        raise ValueError(f"security must be one of {', '.join(DEFAULT_PORTS)}")
    to = parse_address(to)
    port = port or DEFAULT_PORTS[security]
    if user and security == "none" and not is_loopback(smtp_host):
        raise SendError(f"refusing to send the password for '{user}' unencrypted to {smtp_host}: "
                        "use --starttls or --ssl")
    export, data = build_test_message(path, to, publication_file=publication_file)
    sender = export.publication.sender.email
    deliver(data, sender=sender, to=to, host=smtp_host, port=port, security=security, user=user,
            password=password, timeout=timeout)
    return SendResult(to=to, subject=TEST_PREFIX + export.issue.issue.subject, host=smtp_host,
                      port=port, message=data)


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def deliver(data: bytes, *, sender: str, to: str, host: str, port: int, security: Security,
            user: str | None, password: str | None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Hand ``data`` to the server unchanged; every failure becomes a SendError."""
    where = f"{host}:{port}"
    context = ssl.create_default_context()
    stage = ["connect"]  # how far we got: a hang-up means something else at each step
    try:
        smtp: smtplib.SMTP
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if user:
                smtp.login(user, password or "")
            stage[0] = "send"
            smtp.sendmail(sender, [to], data)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where} refused the login for '{user}': {_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        raise SendError(f"{where} refused the recipient {to}: {_reply_text(code, reply)}") from None
    except smtplib.SMTPSenderRefused as exc:
        if exc.smtp_code == 530:  # "authentication required", reported at MAIL FROM
            raise SendError(f"{where} requires a login: {_reply(exc)} (use --user)") from None
        raise SendError(f"{where} refused the sender {sender}: {_reply(exc)} "
                        "(the publication's sender address)") from None
    except smtplib.SMTPDataError as exc:
        raise SendError(f"{where} refused the message: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{where}: {exc} (check --starttls/--ssl and --user)") from None
    except smtplib.SMTPServerDisconnected as exc:
        if stage[0] == "send":
            raise SendError(f"{where} closed the connection while the message was being sent "
                            f"({exc or 'no reason given'}): it was not accepted; the server may "
                            "limit message size or have dropped the session, try again or ask "
                            "its administrator") from None
        raise SendError(f"{where} closed the connection ({exc or 'no reason given'}); "
                        "wrong port or wrong --ssl/--starttls?") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"{where}: SMTP error: {_reply(exc) or exc}") from None
    except ConnectionRefusedError:
        raise SendError(f"cannot connect to {where}: connection refused "
                        "(is an SMTP server listening there?)") from None
    except socket.gaierror:
        raise SendError(f"cannot connect to {where}: host '{host}' not found") from None
    except TimeoutError:
        raise SendError(f"{where} did not answer within {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise SendError(f"TLS with {where} failed: {exc.reason or exc} "
                        "(wrong port or wrong --ssl/--starttls?)") from None
    except OSError as exc:
        raise SendError(f"cannot connect to {where}: {exc.strerror or exc}") from None
    except UnicodeEncodeError:
        raise SendError(f"the sender address {sender!r} is not ASCII; {where} cannot take it") from None


def _reply(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    reply = getattr(exc, "smtp_error", b"")
    return _reply_text(code, reply)


def _reply_text(code: int | None, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(part for part in (str(code) if code else "", text.strip()) if part)
