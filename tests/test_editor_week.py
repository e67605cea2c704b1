"""An editor's week, end to end, as README's walkthrough tells it: init → new → validate →
preview → check → export → send to a local SMTP server, in a fresh team folder."""

from __future__ import annotations

import email
import email.policy
import os
import selectors
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from authoring.cli import app
from conftest import ROOT

runner = CliRunner()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a port number: a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()


def cli(*args: str, env: dict[str, str | None] | None = None):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, (args, result.output)
    return result


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The process's first line of output, waited for as an event (no sleep), at most ``timeout``."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no output within {timeout} s")
    return process.stdout.readline()


def test_an_editors_week_in_a_fresh_folder(tmp_path, smtp_server):
    inbox, port = smtp_server
    team = tmp_path / "team"
    # Monday: set up the team's folder
    cli("init", str(team), "--name", "Team Weekly", "--sender-email", "news@team-weekly.org",
        "--signoff", "See you next week!", "--signature", "Priya",
        "--postal-address", "Team Weekly, 1 Main St, Springfield, USA", "--esp", "mailchimp")
    publication = team / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8").replace(
        "# image_base_url: https://www.example.org/newsletter/images/",
        "image_base_url: https://team-weekly.org/images/"), encoding="utf-8")
    # Tuesday: a new issue, written
    cli("new", str(team), "--date", "2026-12-11")
    issue = team / "0001.yaml"
    text = issue.read_text(encoding="utf-8")
    assert "Andrew" not in text and "file://" not in text and "salutation: Dear friends," in text
    (team / "robots.png").write_bytes((ROOT / "issues" / "images" / "robot-arm.png").read_bytes())
    issue.write_text(text.replace('src: ""', "src: robots.png").replace(
        'url: ""', 'url: "https://team-weekly.org/course"').replace(
        "Subject line of issue 1", "Robots learn chores").replace(
        "dek: One paragraph", "dek: It's one paragraph"), encoding="utf-8")
    # Wednesday: validate, fix what a machine can, then look at it
    result = cli("validate", str(issue))
    assert "[straight-quotes]" in result.stderr
    assert result.stderr.endswith("1 file checked: 0 errors, 1 warning\n")
    cli("fix", str(issue))
    assert "dek: It’s one paragraph" in issue.read_text(encoding="utf-8")
    result = cli("validate", str(issue))
    assert result.stderr.endswith("1 file checked: 0 errors, 0 warnings\n")
    preview = subprocess.Popen(
        [sys.executable, "-m", "authoring", "preview", str(issue), "--no-open", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = first_line(preview, timeout=60)
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            assert "<title>Robots learn chores · preview</title>" in response.read().decode("utf-8")
    finally:
        preview.terminate()
        preview.wait(timeout=30)
    # Thursday: the pre-send check, then the export
    result = cli("check", str(issue), "--no-spam")
    assert result.stdout.rstrip().endswith(f"{issue}: 0 errors, 0 warnings: ready to send")
    out = tmp_path / "out" / "0001"
    cli("export", str(issue), "-o", str(out))
    assert sorted(p.name for p in out.iterdir()) == [".authoring-set", "0001.eml", "0001.html", "0001.txt",
                                                     "0001.web.html", "manifest.json"]
    # Friday: a test to the editor's inbox, through the SMTP server set in the environment
    result = cli("send", str(issue), "--to", "priya@team-weekly.org",
                 env={"AUTHORING_SMTP_HOST": "127.0.0.1", "AUTHORING_SMTP_PORT": str(port)})
    assert f"via 127.0.0.1:{port}" in result.stderr
    (received,) = inbox.messages
    message = email.message_from_bytes(received, policy=email.policy.default)
    assert message["Subject"] == "[TEST] Robots learn chores"
    assert message["From"] == "Team Weekly <news@team-weekly.org>"
    body = message.get_body(("plain",)).get_content()
    assert "See you next week!" in body and "Priya" in body
    exported = email.message_from_bytes((out / "0001.eml").read_bytes(), policy=email.policy.default)
    assert message.get_body(("html",)).get_content() == exported.get_body(("html",)).get_content()
    assert Path(out / "0001.html").read_bytes().count(b"https://team-weekly.org/images/robots.png") == 1
