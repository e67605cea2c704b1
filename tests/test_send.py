"""Sending a test email to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
import shutil
import socket
import warnings

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from authoring.cli import app
from authoring.export import export_issue
from authoring.send import PASSWORD_ENV, SETTING_ENV, SendError, send_issue, smtp_settings
from conftest import DATA, ISSUES

runner = CliRunner()
ISSUE = ISSUES / "0321.yaml"
TO = "editor@deeplearning.ai"
TEST_ONLY = ("subject", "to", "message-id", "date")


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
    ["--to", TO, "--smtp", "host:2\u00b2"],
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


# ---------------------------------------------------------------- settings and the Date


def test_a_test_send_is_dated_when_it_is_sent_not_at_the_issue_date(smtp, exported):
    inbox, server = smtp
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO, "--smtp", server])
    after = dt.datetime.now(dt.UTC)
    assert result.exit_code == 0, result.output
    ((_, _, received),) = inbox.messages
    sent = email.utils.parsedate_to_datetime(
        email.message_from_bytes(received, policy=email.policy.default)["Date"])
    original = email.message_from_bytes(exported, policy=email.policy.default)["Date"]
    assert before <= sent <= after
    assert email.utils.parsedate_to_datetime(original) == dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def test_the_date_is_the_clock_given(smtp):
    inbox, server = smtp
    host, port = server.split(":")
    moment = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    send_issue(ISSUE, TO, smtp_host=host, port=int(port), now=lambda: moment, env={})
    ((_, _, received),) = inbox.messages
    assert b"\r\nDate: Sat, 05 Dec 2026 09:30:00 +0100\r\n" in received


def _team_copy(tmp_path, smtp_yaml: str):
    folder = tmp_path / "team"
    shutil.copytree(ISSUES, folder, ignore=shutil.ignore_patterns("0*.yaml"))
    shutil.copy(ISSUE, folder / ISSUE.name)
    publication = folder / "publication.yaml"
    publication.write_text(publication.read_text() + smtp_yaml)
    return folder / ISSUE.name


def test_the_server_comes_from_publication_yaml(smtp, tmp_path):
    inbox, server = smtp
    host, port = server.split(":")
    issue = _team_copy(tmp_path, f"smtp: {{host: {host}, port: {port}}}\n")
    result = runner.invoke(app, ["send", str(issue), "--to", TO], env={SETTING_ENV["host"]: None,
                                                                       SETTING_ENV["port"]: None})
    assert result.exit_code == 0, result.output
    assert f"via {server}" in result.stderr
    assert len(inbox.messages) == 1


def test_the_environment_wins_over_publication_yaml_and_the_command_line_over_both(smtp, tmp_path):
    inbox, server = smtp
    host, port = server.split(":")
    issue = _team_copy(tmp_path, "smtp: {host: mail.invalid, port: 2525, security: none}\n")
    env = {SETTING_ENV["host"]: host, SETTING_ENV["port"]: port}
    result = runner.invoke(app, ["send", str(issue), "--to", TO], env=env)
    assert result.exit_code == 0, result.output
    assert f"via {server}" in result.stderr
    closed = free_port()
    result = runner.invoke(app, ["send", str(issue), "--to", TO, "--smtp", f"127.0.0.1:{closed}"],
                           env=env)
    assert result.exit_code == 1
    assert f"127.0.0.1:{closed}: connection refused" in result.stderr
    assert len(inbox.messages) == 1


def test_settings_precedence_field_by_field():
    from authoring import model

    publication = model.SmtpSettings(host="pub.example.org", port=2525, user="pub", security="starttls")
    assert smtp_settings(publication, {}) == smtp_settings(publication, {}, host=None)
    settings = smtp_settings(publication, {SETTING_ENV["user"]: "env-user"})
    assert (settings.host, settings.resolved_port, settings.user, settings.security, settings.source) == (
        "pub.example.org", 2525, "env-user", "starttls", "publication.yaml")
    settings = smtp_settings(publication, {SETTING_ENV["security"]: "SSL"}, host="cli.example.org")
    # --smtp without a port: the security's own port, not the publication's
    assert (settings.host, settings.resolved_port, settings.security, settings.source) == (
        "cli.example.org", 465, "ssl", "--smtp")
    assert smtp_settings(None, {}).resolved_port == 25
    assert smtp_settings(None, {}).source == "the default"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("port", "0", "is not a port (1 to 65535)"),
    ("port", "65536", "is not a port (1 to 65535)"),
    ("port", "25x", "is not a port"),
    ("port", "2\u00b2", "is not a port"),  # a digit to str.isdigit, not to int()
    ("user", "ed\x1b[2J", "is not a login name"),
    ("security", "tls", "is not one of starttls, ssl, none"),
    ("host", "mail host", "is not a host name"),
])
def test_a_malformed_variable_is_named(name, value, message):
    with pytest.raises(SendError, match=re.escape(f"${SETTING_ENV[name]}: ") + ".*" + re.escape(message)):
        smtp_settings(None, {SETTING_ENV[name]: value})
    assert smtp_settings(None, {SETTING_ENV["port"]: "65535"}).port == 65535


def test_the_refusal_at_the_default_server_names_the_ways_to_set_it(monkeypatch):
    import authoring.send as send_module

    monkeypatch.setattr(send_module, "DEFAULT_PORTS", {**send_module.DEFAULT_PORTS, "none": free_port()})
    result = runner.invoke(app, ["send", str(ISSUE), "--to", TO],
                           env={SETTING_ENV["host"]: None, SETTING_ENV["port"]: None})
    assert result.exit_code == 1
    assert "connection refused" in result.stderr
    assert "is the default server: give yours with --smtp HOST[:PORT], $AUTHORING_SMTP_HOST or " \
        "smtp: in publication.yaml" in result.stderr


def test_a_user_from_the_settings_is_asked_for_a_password(smtp_auth, tmp_path):
    inbox, server, logins = smtp_auth
    host, port = server.split(":")
    issue = _team_copy(tmp_path, f"smtp: {{host: {host}, port: {port}, user: editor}}\n")
    result = runner.invoke(app, ["send", str(issue), "--to", TO], input="s3cret pass\n",
                           env={PASSWORD_ENV: None})
    assert result.exit_code == 0, result.output
    assert "SMTP password for editor" in result.stderr
    assert logins == ["editor"]
