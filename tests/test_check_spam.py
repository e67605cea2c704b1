"""The spam part runs the real SpamAssassin (Debian's package, local rules only)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check import spam as spam_part
from conftest import wait_for

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


# ---- the score's limits at equality, the rules named in order, and the report's parsing,
# ---- with a stand-in spamassassin printing a chosen report (and keeping what it was given)

def _report(score: float, rules: str) -> str:
    return (f"Spam detection software...\n\nContent analysis details:   ({score} points, 5.0 required)\n\n"
            f" pts rule name              description\n---- ---------------------- ----------\n"
            f"{rules}\n\nThe original message did not contain plain text.\n")


RULES = """ 1.2 MONEY_FREE             Lots of money for free
-0.1 DKIM_VALID             Message has at least one valid DKIM or DK signature
 2.5 FREE_MONEY_OFFER       Offers free money, with a description that
                            wraps onto the next line
 0.0 HTML_MESSAGE           BODY: HTML included in message
 1.9 ACT_NOW_URGENT         Urgency words
 0.4 LOW_ONE                The lightest positive rule"""


def _fake(tmp_path: Path, monkeypatch, output: str, *, status: int = 0) -> Path:
    (tmp_path / "report.txt").write_text(output)
    fake = tmp_path / "spamassassin"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/args\ncat > {tmp_path}/message\n"
                    f"cat {tmp_path}/report.txt\nexit {status}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: str(fake) if name == "spamassassin" else None)
    return tmp_path


def _spam(issue_copy: Path):
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part is not None and part.skipped is None, part and part.skipped
    return part


@pytest.mark.parametrize(("score", "code", "limit"), [
    (2.9, None, None), (3.0, "spam-score-high", "3"), (4.9, "spam-score-high", "3"),
    (5.0, "spam-score", "5"), (7.4, "spam-score", "5")])
def test_default_limits_warn_from_3_and_fail_from_5_inclusive(issue_copy, tmp_path, monkeypatch,
                                                              score, code, limit):
    _fake(tmp_path, monkeypatch, _report(score, RULES))
    part = _spam(issue_copy)
    assert part.data["score"] == score and (part.data["warn"], part.data["error"]) == (3.0, 5.0)
    if code is None:
        assert part.findings == []
        return
    (finding,) = part.findings
    assert finding.code == code and finding.is_error == (code == "spam-score")
    assert finding.message.startswith(f"SpamAssassin scores the email {score:.1f} (limit {limit}); ")


def test_publication_limits_apply_at_equality_too(issue_copy, tmp_path, monkeypatch):
    publication = issue_copy.with_name("publication.yaml")
    publication.write_text(publication.read_text() + "check: {spam_warn: 4.5, spam_error: 6.5}\n")
    for score, code in ((4.4, None), (4.5, "spam-score-high"), (6.4, "spam-score-high"),
                        (6.5, "spam-score")):
        _fake(tmp_path, monkeypatch, _report(score, RULES))
        findings = _spam(issue_copy).findings
        assert [f.code for f in findings] == ([code] if code else []), score


def test_the_finding_names_the_three_heaviest_positive_rules_in_order(issue_copy, tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, _report(6.0, RULES))
    (finding,) = _spam(issue_copy).findings
    assert finding.message == (
        "SpamAssassin scores the email 6.0 (limit 5); the heaviest rules: FREE_MONEY_OFFER 2.5 "
        "(Offers free money, with a description that wraps onto the next line), ACT_NOW_URGENT 1.9 "
        "(Urgency words), MONEY_FREE 1.2 (Lots of money for free)")
    assert finding.hint == ("rewrite what those rules point at (shouting subject, money and urgency words, "
                            "image-only content); the full list is in the report")
    # no subject rule among them: the body is to blame, at the letter's body
    assert finding.path == ("letter", "body") and finding.line == 11


def test_figures_list_every_rule_with_its_wrapped_description(issue_copy, tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, _report(2.0, RULES))
    part = _spam(issue_copy)
    assert part.figures == [
        "score 2.0 (warn at 3, fail at 5; publication.yaml check: sets them; by spamassassin)",
        "  1.2  MONEY_FREE               Lots of money for free",
        " -0.1  DKIM_VALID               Message has at least one valid DKIM or DK signature",
        "  2.5  FREE_MONEY_OFFER         Offers free money, with a description that wraps onto the next line",
        "  0.0  HTML_MESSAGE             BODY: HTML included in message",
        "  1.9  ACT_NOW_URGENT           Urgency words",
        "  0.4  LOW_ONE                  The lightest positive rule",
    ]
    assert part.data["rules"][2] == {"score": 2.5, "name": "FREE_MONEY_OFFER", "description":
                                     "Offers free money, with a description that wraps onto the next line"}


def test_a_subject_rule_anywhere_in_the_hits_points_at_the_subject(issue_copy, tmp_path, monkeypatch):
    rules = RULES + "\n 0.3 SUBJ_ALL_CAPS          Subject is all capitals"
    _fake(tmp_path, monkeypatch, _report(5.5, rules))
    (finding,) = _spam(issue_copy).findings
    assert "SUBJ_ALL_CAPS" not in finding.message  # not among the three heaviest, still the subject
    assert finding.path == ("issue", "subject") and finding.line == 6


def test_a_subject_rule_scoring_nothing_leaves_the_finding_on_the_body(issue_copy, tmp_path, monkeypatch):
    rules = RULES + "\n 0.0 SUBJ_ALL_CAPS          Subject is all capitals"
    _fake(tmp_path, monkeypatch, _report(5.5, rules))
    (finding,) = _spam(issue_copy).findings
    assert finding.path == ("letter", "body")


def test_without_a_letter_the_finding_is_on_the_subject(issue_copy, tmp_path, monkeypatch):
    text = issue_copy.read_text()
    start, end = text.index("letter:\n"), text.index("stories:\n")
    issue_copy.write_text(text[:start] + text[end:])
    _fake(tmp_path, monkeypatch, _report(5.5, RULES))
    (finding,) = _spam(issue_copy).findings
    assert finding.path == ("issue", "subject")


def test_spamassassin_scores_the_message_addressed_to_a_reader_in_test_mode_with_local_rules(
        issue_copy, tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, _report(1.0, RULES))
    _spam(issue_copy)
    assert (tmp_path / "args").read_text().split() == ["-t", "-L"]
    message = (tmp_path / "message").read_bytes()
    assert "email: thebatch@deeplearning.ai}" in issue_copy.with_name("publication.yaml").read_text()
    assert b"\r\nTo: Reader <reader@deeplearning.ai>\r\n" in message  # the sender's domain
    assert b"Subject: Robots that learn from video" in message


def test_a_message_over_2_mb_is_not_handed_to_spamassassin():
    assert spam_part.MAX_BYTES == 2 * 1024 * 1024
    with pytest.raises(ValueError, match="^the message is over 2 MB$"):
        spam_part.run_spamassassin("/bin/true", b"x" * (spam_part.MAX_BYTES + 1))


def test_a_message_of_exactly_2_mb_is_scanned(tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, _report(1.5, RULES))
    measured = spam_part.run_spamassassin(str(tmp_path / "spamassassin"), b"x" * spam_part.MAX_BYTES)
    assert measured.score == 1.5 and len((tmp_path / "message").read_bytes()) == spam_part.MAX_BYTES


def test_parse_report_reads_the_table_after_the_dashes_until_the_blank_line():
    output = ("Content analysis details:   (-1.5 points, 5.0 required)\n"
              " 9.9 NOT_A_RULE   before the dashes\n"
              "---- ----\n"
              "-1.5 BAYES_00     Bayes spam probability is 0 to 1%\n"
              "                  [score: 0.0000]\n"
              "\n"
              " 9.9 AFTER_BLANK  after the table\n")
    report = spam_part.parse_report(output)
    assert report.score == -1.5
    assert report.rules == [
        spam_part.RuleHit(-1.5, "BAYES_00", "Bayes spam probability is 0 to 1% [score: 0.0000]")]


def test_parse_report_keeps_a_line_that_wraps_before_any_rule_out():
    output = "Content analysis details:   (2 points, 5.0 required)\n----\n   stray words\n 2 X_RULE  desc  \n"
    assert spam_part.parse_report(output).rules == [spam_part.RuleHit(2.0, "X_RULE", "desc")]


def test_the_time_limit_is_a_minute_and_the_size_limit_spamassassins_own():
    assert (spam_part.TIMEOUT, spam_part.MAX_BYTES) == (60, 2 * 1024 * 1024)


def test_fewer_than_three_positive_rules_are_all_named_and_no_others(issue_copy, tmp_path, monkeypatch):
    rules = (" 4.0 BIG_ONE                A big one\n 0.0 ZERO_RULE              Scores nothing\n"
             " 0.5 SMALL_ONE              A small one\n-0.5 NEGATIVE               Good sign")
    _fake(tmp_path, monkeypatch, _report(5.0, rules))
    (finding,) = _spam(issue_copy).findings
    assert finding.message.endswith("the heaviest rules: BIG_ONE 4 (A big one), SMALL_ONE 0.5 (A small one)")


def test_a_non_zero_exit_and_bytes_that_are_not_utf8_still_give_a_score(issue_copy, tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, _report(1.0, " 1.0 ODD_BYTES              caf\xe9"), status=1)
    (tmp_path / "report.txt").write_bytes((tmp_path / "report.txt").read_text().encode("latin-1"))
    part = _spam(issue_copy)
    assert part.data["rules"] == [{"score": 1.0, "name": "ODD_BYTES", "description": "caf\ufffd"}]



def test_output_without_the_table_is_a_skip_that_says_so(issue_copy, tmp_path, monkeypatch):
    _fake(tmp_path, monkeypatch, "SpamAssassin had nothing to say\n")
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part.skipped == "SpamAssassin did not give a score: no 'Content analysis details' in its output"


def test_the_readers_domain_is_after_the_senders_last_at_sign(issue_copy):
    import dataclasses

    from authoring.check.build import build

    built = build(issue_copy)
    sender = dataclasses.replace(built.publication.sender, email='"team@desk"@example.org')
    built = dataclasses.replace(built, publication=dataclasses.replace(built.publication, sender=sender))
    assert b"\r\nTo: Reader <reader@example.org>\r\n" in spam_part.reader_copy(built)


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


# ---- spamc against a stand-in: the ping, the address it is given, the fallback to the script

def _fake_spamc(tmp_path: Path, monkeypatch, *, pong: str = "SPAMD/1.5 0 PONG", report: str = "",
                ping_status: int = 0) -> Path:
    (tmp_path / "spamc-report.txt").write_text(report)
    fake = tmp_path / "spamc"
    fake.write_text("#!/bin/sh\necho \"$@\" >> " + str(tmp_path / "spamc-args") + "\n"
                    "case \" $* \" in *\" -K \"*) echo '" + pong + "'; exit " + str(ping_status) + ";; esac\n"
                    f"cat > {tmp_path}/spamc-message\ncat {tmp_path}/spamc-report.txt\n")
    fake.chmod(0o755)
    script = tmp_path / "spamassassin"
    script.write_text(f"#!/bin/sh\ncat > /dev/null\ncat {tmp_path}/report.txt\n")
    script.chmod(0o755)
    (tmp_path / "report.txt").write_text(_report(0.5, " 0.5 BY_SCRIPT              The script's rule"))
    found = {"spamc": str(fake), "spamassassin": str(script)}
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: found.get(name))
    return tmp_path


def _spamc_calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "spamc-args").read_text().splitlines()


def test_spamd_scores_through_spamc_when_it_answers(issue_copy, tmp_path, monkeypatch):
    monkeypatch.delenv(spam_part.SPAMD_ENV, raising=False)
    _fake_spamc(tmp_path, monkeypatch, report="5.5/5.0\n" + _report(5.5, RULES))
    part = _spam(issue_copy)
    assert part.figures[0] == "score 5.5 (warn at 3, fail at 5; publication.yaml check: sets them; by spamd)"
    assert part.data["score"] == 5.5 and [f.code for f in part.findings] == ["spam-score"]
    assert _spamc_calls(tmp_path) == ["-K", f"-R -x -s {spam_part.MAX_BYTES}"]
    assert b"\r\nTo: Reader <reader@deeplearning.ai>\r\n" in (tmp_path / "spamc-message").read_bytes()


@pytest.mark.parametrize(("where", "args"), [
    ("127.0.0.1:7830", "-d 127.0.0.1 -p 7830"), (":7830", "-d 127.0.0.1 -p 7830"),
    ("spam.example.org", "-d spam.example.org"), (" host:port ", "-d host:port"), ("  ", "")])
def test_the_spamd_address_comes_from_the_environment(issue_copy, tmp_path, monkeypatch, where, args):
    monkeypatch.setenv(spam_part.SPAMD_ENV, where)
    _fake_spamc(tmp_path, monkeypatch, report=_report(1.0, RULES))
    _spam(issue_copy)
    assert _spamc_calls(tmp_path) == [f"{args} -K".strip(), f"{args} -R -x -s {spam_part.MAX_BYTES}".strip()]


@pytest.mark.parametrize(("pong", "status"), [("SPAMD/1.5 0 PONG", 1), ("spamc: connect failed", 0)])
def test_without_a_pong_the_script_scores(issue_copy, tmp_path, monkeypatch, pong, status):
    monkeypatch.delenv(spam_part.SPAMD_ENV, raising=False)
    _fake_spamc(tmp_path, monkeypatch, pong=pong, ping_status=status)
    part = _spam(issue_copy)
    assert part.figures[0].endswith("; by spamassassin)") and part.data["rules"][0]["name"] == "BY_SCRIPT"
    assert _spamc_calls(tmp_path) == ["-K"]


def test_a_spamd_that_answers_the_ping_but_not_the_message_falls_back_and_says_so(
        issue_copy, tmp_path, monkeypatch):
    monkeypatch.delenv(spam_part.SPAMD_ENV, raising=False)
    _fake_spamc(tmp_path, monkeypatch, report="0/0\n")
    part = _spam(issue_copy)
    assert part.figures[0].endswith("; by spamassassin)")
    spamc_alone = {"spamc": str(tmp_path / "spamc")}
    monkeypatch.setattr(spam_part.shutil, "which", spamc_alone.get)
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part.skipped == ("spamd did not give a score (no 'Content analysis details' in its output); "
                            "SpamAssassin is not installed (apt-get install -y spamassassin)")


def test_spamd_answers_at_needs_spamc(monkeypatch):
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: None)
    assert spam_part.spamd_answers_at("127.0.0.1:783") is False
    assert spam_part.spamd_answers("/nonexistent/spamc") is False  # cannot run: no daemon
    assert spam_part.PING_TIMEOUT == 2


def test_spamc_refuses_a_message_over_2_mb_before_sending_it(tmp_path):
    with pytest.raises(ValueError, match="^the message is over 2 MB$"):
        spam_part.run_spamc("/bin/true", b"x" * (spam_part.MAX_BYTES + 1))


def _spamc_script(tmp_path: Path, body: str) -> Path:
    fake = tmp_path / "spamc"
    fake.write_text("#!/bin/sh\necho \"$@\" >> " + str(tmp_path / "spamc-args") + "\n" + body)
    fake.chmod(0o755)
    return fake


def test_spamd_answers_at_the_address_it_is_given(tmp_path, monkeypatch):
    fake = _spamc_script(tmp_path, f"cat > {tmp_path}/ping-input\necho 'SPAMD/1.5 0 PONG'\n")
    monkeypatch.setattr(spam_part.shutil, "which", {"spamc": str(fake)}.get)
    monkeypatch.setenv(spam_part.SPAMD_ENV, "elsewhere:1")
    assert spam_part.spamd_answers_at("fe80::1:7830") is True
    assert _spamc_calls(tmp_path) == ["-d fe80::1 -p 7830 -K"]
    assert (tmp_path / "ping-input").read_bytes() == b""  # a ping sends no message


def test_spamc_stops_at_the_time_it_is_given(tmp_path):
    fake = _spamc_script(tmp_path, "exec sleep 30\n")
    with pytest.raises(spam_part.Stopped) as stopped:
        spam_part.run_spamc(str(fake), b"message", timeout=0.3)
    assert stopped.value.timeout == 0.3 and stopped.value.cmd[1:4] == ["-R", "-x", "-s"]


def test_a_spamd_ping_that_hangs_is_no_daemon(tmp_path, monkeypatch):
    fake = _spamc_script(tmp_path, "sleep 3\necho 'SPAMD/1.5 0 PONG'\n")  # a pong too late
    monkeypatch.setattr(spam_part, "PING_TIMEOUT", 0.3)
    assert spam_part.spamd_answers(str(fake), "127.0.0.1:9") is False


def test_spamd_that_hangs_on_the_message_is_said_before_the_fallback(issue_copy, tmp_path, monkeypatch):
    fake = _spamc_script(tmp_path, "case \" $* \" in *\" -K \"*) echo 'SPAMD/1.5 0 PONG'; exit 0;; esac\n"
                                   "exec sleep 30\n")
    monkeypatch.setattr(spam_part.shutil, "which", {"spamc": str(fake)}.get)
    monkeypatch.setattr(spam_part, "TIMEOUT", 0.5)
    part = check_file(issue_copy, SPAM_ONLY).part("spam")
    assert part.skipped == ("spamd did not give a score (timed out after 0.5 s (stopped, with every process "
                            "it started)); "
                            "SpamAssassin is not installed (apt-get install -y spamassassin)")


def test_spamc_scores_a_message_of_exactly_2_mb_and_reads_any_bytes_whatever_its_exit(tmp_path):
    report = _report(1.5, " 1.5 ODD_BYTES              caf\xe9").encode("latin-1")
    (tmp_path / "out").write_bytes(report)
    fake = _spamc_script(tmp_path, f"cat > {tmp_path}/spamc-message\ncat {tmp_path}/out\nexit 1\n")
    measured = spam_part.run_spamc(str(fake), b"x" * spam_part.MAX_BYTES)
    assert measured.score == 1.5 and measured.rules[0].description == "caf\ufffd"
    assert len((tmp_path / "spamc-message").read_bytes()) == spam_part.MAX_BYTES


def test_an_error_without_a_message_is_named_by_its_type():
    assert spam_part._reason(ValueError()) == "ValueError"
    assert spam_part._reason(OSError(2, "No such file")) == "[Errno 2] No such file"


def test_score_message_names_no_scorer_when_there_is_no_score(tmp_path, monkeypatch):
    monkeypatch.setattr(spam_part.shutil, "which", lambda name: None)
    assert spam_part.score_message(b"x") == (
        None, "", "SpamAssassin is not installed (apt-get install -y spamassassin)")
    _fake(tmp_path, monkeypatch, "no table here\n")
    assert spam_part.score_message(b"x") == (
        None, "", "SpamAssassin did not give a score: no 'Content analysis details' in its output")


# ---- the process group: a time-out or an interrupt stops every process SpamAssassin started

def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie not yet reaped by init counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _helper_script(tmp_path: Path) -> Path:
    """A stand-in that starts a helper holding its output open, says so on stderr, and waits."""
    fake = tmp_path / "spamassassin"
    fake.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {tmp_path}/helper-pid\n"
                    "echo 'said on stderr' >&2\nwait\n")
    fake.chmod(0o755)
    return fake


class _Recorded(spam_part.subprocess.Popen):  # type: ignore[type-arg]
    made: list[spam_part.subprocess.Popen] = []  # type: ignore[type-arg]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _Recorded.made.append(self)


def test_a_time_out_stops_the_helpers_it_started_and_closes_the_pipes(tmp_path, monkeypatch, capfd):
    _Recorded.made = []
    monkeypatch.setattr(spam_part.subprocess, "Popen", _Recorded)
    with pytest.raises(spam_part.Stopped) as stopped:
        spam_part.run_spamassassin(str(_helper_script(tmp_path)), b"message", timeout=0.5)
    assert str(stopped.value) == "timed out after 0.5 s (stopped, with every process it started)"
    assert stopped.value.timeout == 0.5 and stopped.value.cmd[1:] == ["-t", "-L"]
    helper = int((tmp_path / "helper-pid").read_text())
    assert wait_for(lambda: not _alive(helper), timeout=5)  # init reaps it: polled
    [process] = _Recorded.made
    assert process.returncode == -9  # killed (SIGKILL) and reaped
    assert process.stdin is not None and process.stdin.closed
    assert process.stdout is not None and process.stdout.closed
    assert "said on stderr" not in capfd.readouterr().err  # its stderr goes nowhere


def test_an_interrupt_stops_the_helpers_too_and_goes_on_up(tmp_path, monkeypatch):
    _Recorded.made = []
    real_communicate = spam_part.subprocess.Popen.communicate

    def interrupted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        helper = tmp_path / "helper-pid"
        while not helper.exists() or not helper.read_text().strip():  # the helper has started
            with contextlib.suppress(spam_part.subprocess.TimeoutExpired):
                real_communicate(self, b"", timeout=0.05)
        raise KeyboardInterrupt

    monkeypatch.setattr(spam_part.subprocess, "Popen", _Recorded)
    monkeypatch.setattr(_Recorded, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        spam_part.run_spamassassin(str(_helper_script(tmp_path)), b"message", timeout=30)
    helper = int((tmp_path / "helper-pid").read_text())
    assert wait_for(lambda: not _alive(helper), timeout=5)  # init reaps it: polled
    [process] = _Recorded.made
    assert process.returncode == -9
    assert process.stdout is not None and process.stdout.closed
