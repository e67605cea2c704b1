"""The spam part runs the real SpamAssassin (Debian's package, local rules only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check import spam as spam_part

SPAM_ONLY = CheckOptions(parts={"spam"})

SPAMMY_SUBJECT = 'subject: "FREE MONEY!!! EARN $$$ CASH FAST - 100% GUARANTEED, ACT NOW!!!"'
SPAMMY_BODY = """    Dear friend, you have been selected! Make money fast working from home: earn $5,000
    per week guaranteed, no credit check, risk free. Order now, limited time offer, act now
    while supplies last! 100% free, cash bonus, Viagra at wholesale prices, lose weight fast."""
CLEAN_OPENING = """    This week I want to share a few thoughts on how teams choose between building a
    model themselves and calling one through an API."""


def _spammy(issue: Path) -> None:
    text = issue.read_text()
    text = text.replace('subject: "Robots that learn from video, a data-center boom, and a new course"',
                        SPAMMY_SUBJECT)
    issue.write_text(text.replace(CLEAN_OPENING, SPAMMY_BODY))


def test_clean_sample_scores_below_the_warning(issue_copy):
    report = check_file(issue_copy, SPAM_ONLY)
    part = report.part("spam")
    assert part is not None and part.skipped is None
    assert part.data["score"] < 3 and part.findings == []
    assert all(rule["name"] != "MISSING_HEADERS" for rule in part.data["rules"])  # scored with a To:


def test_spammy_subject_and_body_score_over_5_and_fail(issue_copy):
    _spammy(issue_copy)
    report = check_file(issue_copy, SPAM_ONLY)
    part = report.part("spam")
    assert part is not None and part.data["score"] > 5
    names = {rule["name"] for rule in part.data["rules"]}
    assert {"GUARANTEED_100_PERCENT", "SUBJ_ALL_CAPS"} <= names
    assert all(rule["description"] for rule in part.data["rules"])
    (finding,) = part.findings
    assert finding.code == "spam-score" and finding.is_error
    assert finding.path == ("issue", "subject")
    assert finding.line == next(n for n, line in enumerate(issue_copy.read_text().splitlines(), 1)
                                if "FREE MONEY" in line)
    assert report.exit_code() == 1


def test_thresholds_come_from_the_publication(issue_copy):
    _spammy(issue_copy)
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "check: {spam_warn: 4.5, spam_error: 50}\n")
    (finding,) = check_file(issue_copy, SPAM_ONLY).part("spam").findings
    assert finding.severity.value == "warning" and "limit 4.5" in finding.message
    assert finding.code == "spam-score-high"


def test_missing_spamassassin_is_one_line_and_no_crash(issue_copy, monkeypatch):
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: None)
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part is not None and part.findings == []
    assert part.skipped == "SpamAssassin is not installed (apt-get install -y spamassassin)"


def test_broken_spamassassin_output_is_a_skip_not_a_crash(issue_copy, monkeypatch, tmp_path):
    fake = tmp_path / "spamassassin"
    fake.write_text("#!/bin/sh\necho garbage\n")
    fake.chmod(0o755)
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: str(fake))
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part is not None and part.skipped and "Content analysis details" in part.skipped


@pytest.mark.parametrize("line", ["  1.6 HTML_IMAGE_ONLY_24      BODY: HTML: images with 2000-2400 bytes",
                                  " -0.0 NO_RELAYS              Informational: message was not relayed"])
def test_rule_lines_parse(line):
    report = f"Content analysis details:   (1.6 points, 5.0 required)\n\n pts rule\n---- ----\n{line}\n\n"
    (hit,) = spam_part.parse_report(report).rules
    assert hit.name in line and hit.description


def test_a_threshold_that_is_not_a_number_is_a_located_error(issue_copy):
    from authoring.validate import validate_file

    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "check: {spam_warn: high}\n")
    report = validate_file(issue_copy).report
    (error,) = [d for d in report.errors if d.code == "wrong-type"]
    assert error.file == str(publication) and "expected a number" in error.message
    assert error.line == len(publication.read_text().splitlines())


# ---------------------------------------------------------------- spamd, fallbacks, time-outs (issue 24)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def spamd():
    """A spamd of our own on a free port (local rules only), stopped after the module's tests."""
    import os
    import shutil
    import subprocess
    import time

    executable = shutil.which("spamd") or ("/usr/sbin/spamd" if Path("/usr/sbin/spamd").exists() else None)
    if executable is None or shutil.which("spamc") is None:
        pytest.skip("spamd/spamc are not installed (apt-get install -y spamassassin spamc)")
    port = _free_port()
    command = [executable, "-L", "-i", "127.0.0.1", "-p", str(port), "--max-children", "1", "-s", "stderr"]
    if os.geteuid() == 0:
        command += ["-u", "nobody"]
    daemon = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    where = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not spam_part.spamd_answers_at(where):
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.skip("spamd did not start")
            time.sleep(0.2)  # polling the daemon's answer, not a fixed wait before asserting
        yield where
    finally:
        os.killpg(daemon.pid, 15)
        daemon.wait(timeout=30)


def test_a_running_spamd_scores_as_spamassassin_does(issue_copy, spamd, monkeypatch):
    monkeypatch.delenv(spam_part.SPAMD_ENV, raising=False)
    by_script = check_file(issue_copy, SPAM_ONLY).part("spam")
    monkeypatch.setenv(spam_part.SPAMD_ENV, spamd)
    by_daemon = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert by_daemon.skipped is None and by_daemon.figures[0].endswith("; by spamd)")
    assert by_daemon.data["score"] == by_script.data["score"]
    assert {r["name"] for r in by_daemon.data["rules"]} == {r["name"] for r in by_script.data["rules"]}


def test_without_a_daemon_the_script_scores(issue_copy, monkeypatch):
    monkeypatch.setenv(spam_part.SPAMD_ENV, f"127.0.0.1:{_free_port()}")  # nobody listens there
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part.skipped is None and part.figures[0].endswith("; by spamassassin)")


def test_a_timed_out_spamassassin_is_not_checked_and_fails_strict(issue_copy, monkeypatch, tmp_path):
    fake = tmp_path / "spamassassin"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: str(fake) if name == "spamassassin" else None)
    monkeypatch.setattr(spam_part, "TIMEOUT", 0.5)
    report = check_file(issue_copy, SPAM_ONLY, strict=True)
    part = report.part("spam")
    assert part.skipped == ("SpamAssassin did not give a score: timed out after 0.5 s (stopped, with "
                            "every process it started)")
    assert report.exit_code() == 1 and "not checked: spam score" in report.summary()
    assert check_file(issue_copy, SPAM_ONLY).exit_code() == 0  # without --strict: said, not failed
