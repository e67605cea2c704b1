"""Sending a test email to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import warnings

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from authoring.cli import app
from authoring.export import export_issue
from authoring.send import PASSWORD_ENV, SendError, send_issue
from conftest import DATA, ISSUES

runner = CliRunner()
ISSUE = ISSUES / "0321.yaml"
TO = "editor@deeplearning.ai"
TEST_ONLY = ("subject", "to", "message-id")


class Inbox:
    """Keeps what the server received, exactly as it arrived."""

    def __init__(self, refuse: str | None = None):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(inbox: Inbox, **kwargs) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp():
    inbox = Inbox(refuse="nobody@deeplearning.ai")
    controller = start(inbox)
    yield inbox, f"127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def smtp_auth():
    logins: list[str] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        logins.append(auth_data.login.decode())
        ok = auth_data.login == b"editor" and auth_data.password == b"s3cret pass"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    with warnings.catch_warnings():
        # plain-text AUTH is what this test server is for; keep aiosmtpd's warning out of stderr
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        controller = start(inbox, authenticator=authenticator, auth_required=True,
                           auth_require_tls=False)
        yield inbox, f"127.0.0.1:{controller.port}", logins
        controller.stop()


def without_test_headers(message: bytes) -> bytes:
    """The message with the header fields a test send changes removed (folded lines too)."""
    head, sep, body = message.partition(b"\r\n\r\n")
    kept, skipping = [], False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower().decode() in TEST_ONLY
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + sep + body


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("export")
    export_issue(ISSUE, out)
    return (out / "0321.eml").read_bytes()


def test_the_received_message_is_the_exported_one(smtp, exported):
    inbox, server = smtp
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server])
    assert result.exit_code == 0, result.output
    assert f"to {TO} via {server}" in result.stderr
    ((mail_from, rcpt_tos, received),) = inbox.messages
    assert mail_from == "thebatch@deeplearning.ai" and rcpt_tos == [TO]
    assert without_test_headers(received) == without_test_headers(exported)
    assert received != exported
    sent = email.message_from_bytes(received, policy=email.policy.default)
    original = email.message_from_bytes(exported, policy=email.policy.default)
    # Python folds a Subject that fits on one continuation line onto it whole; unfolded, the
    # value then starts with the folding space, which mail clients drop.
    assert sent["Subject"].lstrip() == "[TEST] " + original["Subject"].lstrip()
    assert sent["To"] == TO
    # a fresh Message-ID, so that clients do not hide a repeated test as a duplicate
    assert sent["Message-ID"] != original["Message-ID"]
    assert re.fullmatch(r"<[^@<>]+@deeplearning\.ai>", sent["Message-ID"])


def test_login_with_the_password_from_the_environment(smtp_auth, exported):
    inbox, server, logins = smtp_auth
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server, "--user", "editor"],
                           env={PASSWORD_ENV: "s3cret pass"})
    assert result.exit_code == 0, result.output
    assert logins == ["editor"]
    ((_, _, received),) = inbox.messages
    assert without_test_headers(received) == without_test_headers(exported)


def test_the_password_prompt_is_hidden(smtp_auth):
    inbox, server, logins = smtp_auth
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server, "--user", "editor"],
                           input="s3cret pass\n", env={PASSWORD_ENV: None})
    assert result.exit_code == 0, result.output
    assert "SMTP password for editor" in result.stderr
    assert "s3cret" not in result.output
    assert len(inbox.messages) == 1


def test_a_wrong_password_is_a_clear_error(smtp_auth):
    inbox, server, logins = smtp_auth
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server, "--user", "editor"],
                           env={PASSWORD_ENV: "wrong"})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {server} refused the login for 'editor': 535")
    assert "Traceback" not in result.output
    assert inbox.messages == []


def test_without_user_there_is_no_prompt_and_no_login(smtp_auth):
    inbox, server, logins = smtp_auth
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server],
                           env={PASSWORD_ENV: "s3cret pass"})
    assert result.exit_code == 1  # this server requires a login
    assert "password" not in result.stderr.lower()
    assert logins == [] and inbox.messages == []
    assert result.stderr == (f"error: {server} requires a login: 530 5.7.0 Authentication required "
                             "(use --user)\n")


def test_a_closed_port_is_a_clear_error():
    port = free_port()
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot connect to 127.0.0.1:{port}: connection refused "
                             "(is an SMTP server listening there?)\n")


def test_a_refused_recipient_is_a_clear_error(smtp):
    inbox, server = smtp
    result = runner.invoke(app, ["send", str(ISSUE), "--to", "nobody@deeplearning.ai", "--smtp", server])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {server} refused the recipient nobody@deeplearning.ai: 550 5.1.1 no such mailbox")
    assert inbox.messages == []


@pytest.mark.parametrize("flag, reason", [
    ("--starttls", "STARTTLS extension not supported by server"),
    ("--ssl", "TLS with 127.0.0.1:"),
])
def test_tls_against_a_plain_server_is_a_clear_error(smtp, flag, reason):
    inbox, server = smtp
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server, flag])
    assert result.exit_code == 1
    assert reason in result.stderr and "Traceback" not in result.output
    assert inbox.messages == []


def test_an_issue_that_cannot_be_exported_is_not_sent(smtp):
    inbox, server = smtp
    result = runner.invoke(app, ["send", str(DATA / "export" / "seed-without-urls.yaml"), "--to", TO,
                                 "--smtp", server])
    assert result.exit_code == 1
    assert "[missing-url]" in result.stderr and "nothing exported" in result.stderr
    assert inbox.messages == []


def test_a_password_is_never_sent_in_clear_to_another_host(monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("must refuse before connecting")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(SendError, match="refusing to send the password for 'editor' unencrypted"):
        send_issue(ISSUE, TO, smtp_host="smtp.example.com", port=25, security="none",
                   user="editor", password="x")


@pytest.mark.parametrize("args", [
    ["--to", "not-an-address"],
    ["--to", "rédaction@deeplearning.ai"],
    ["--to", "a@b.ai, c@d.ai"],
    ["--to", TO, "--smtp", "host:notaport"],
    ["--to", TO, "--starttls", "--ssl"],
    ["--to", TO, "--password", "x"],
])
def test_usage_errors_exit_2(args):
    result = runner.invoke(app, ["send", str(ISSUE), *args])
    assert result.exit_code == 2, result.output


def test_help_mentions_where_the_password_comes_from():
    result = runner.invoke(app, ["send", "--help"])
    assert PASSWORD_ENV in result.output and "--password" not in result.output


def test_without_a_publication_file_nothing_is_sent(smtp, tmp_path):
    inbox, server = smtp
    (tmp_path / "0321.yaml").write_text((ISSUES / "0321.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    result = runner.invoke(app, ["send", str(tmp_path / "0321.yaml"), "--to", TO, "--smtp", server])
    assert result.exit_code == 1
    assert f"{tmp_path / 'publication.yaml'}: error: no publication.yaml" in result.stderr
    assert inbox.messages == []


def _smtp_that_hangs_up_during_data(listener: socket.socket) -> None:
    """Speaks just enough SMTP to accept sender and recipient, then closes mid-message."""
    conn, _ = listener.accept()
    with conn:
        files = conn.makefile("rwb")
        files.write(b"220 hangup.test ESMTP\r\n")
        files.flush()
        for line in files:
            verb = line[:4].upper()
            if verb == b"EHLO":
                files.write(b"250-hangup.test\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                files.write(b"354 go ahead\r\n")
                files.flush()
                files.readline()
                break
            else:
                files.write(b"250 ok\r\n")
            files.flush()


def test_a_server_that_closes_mid_data_is_described_as_such():
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=_smtp_that_hangs_up_during_data, args=(listener,), daemon=True).start()
    server = f"127.0.0.1:{listener.getsockname()[1]}"
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server])
    listener.close()
    assert result.exit_code == 1
    assert "--ssl/--starttls" not in result.stderr
    assert result.stderr.startswith(f"error: {server} closed the connection while the message was "
                                    "being sent")
