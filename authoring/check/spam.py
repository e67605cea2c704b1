"""Spam score: SpamAssassin's local rules (no network tests) on the message export writes.

The export has no To: header (the sending service adds one per reader), and SpamAssassin
penalises that; the check scores a copy addressed to a reader, so the score is the content's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass

from authoring import codes
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.diagnostics import Severity

TIMEOUT = 60
"""Seconds; a normal run takes about 2 (rule compilation dominates)."""
MAX_BYTES = 2 * 1024 * 1024
"""SpamAssassin's own default size limit (larger messages are not scanned)."""

_SCORE = re.compile(r"Content analysis details:\s+\((-?[\d.]+) points, (-?[\d.]+) required\)")
_RULE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


@dataclass
class RuleHit:
    score: float
    name: str
    description: str


@dataclass
class SpamScore:
    score: float
    rules: list[RuleHit]


@part("spam", "Spam score (SpamAssassin, local rules)", fast=False)
def spam_score(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="spam", title="")
    message = reader_copy(built)
    measured, scorer, reason = score_message(message)
    if measured is None:
        result.skipped = reason
        return result
    settings = built.publication.check
    result.figures.append(f"score {measured.score:.1f} (warn at {settings.spam_warn:g}, fail at "
                          f"{settings.spam_error:g}; publication.yaml check: sets them; by {scorer})")
    result.figures.extend(f"{hit.score:>5.1f}  {hit.name:<24} {hit.description}"
                          for hit in measured.rules)
    result.data = {"score": measured.score, "warn": settings.spam_warn, "error": settings.spam_error,
                   "rules": [hit.__dict__ for hit in measured.rules]}
    _judge(built, measured, result)
    return result


def _judge(built: Built, measured: SpamScore, result: PartResult) -> None:
    settings = built.publication.check
    if measured.score < settings.spam_warn:
        return
    severity = Severity.ERROR if measured.score >= settings.spam_error else Severity.WARNING
    worst = sorted((h for h in measured.rules if h.score > 0), key=lambda h: -h.score)[:3]
    named = ", ".join(f"{h.name} {h.score:g} ({h.description})" for h in worst)
    limit = settings.spam_error if severity is Severity.ERROR else settings.spam_warn
    subject_rules = any(h.name.startswith("SUBJ") for h in worst + measured.rules if h.score > 0)
    where = ("issue", "subject") if subject_rules or built.issue.letter is None else ("letter", "body")
    code = codes.SPAM_SCORE if severity is Severity.ERROR else codes.SPAM_SCORE_HIGH
    finding = built.at(where, code, severity,
                       f"SpamAssassin scores the email {measured.score:.1f} (limit {limit:g}); "
                       f"the heaviest rules: {named}",
                       "rewrite what those rules point at (shouting subject, money and urgency "
                       "words, image-only content); the full list is in the report")
    result.add(finding)


def reader_copy(built: Built) -> bytes:
    """The message as a reader receives it: export's message with a To: header."""
    from authoring.message import build_message

    domain = built.publication.sender.email.rpartition("@")[2] or "example.com"
    message = build_message(built.issue, built.publication, built.html, built.text,
                            to=f"Reader <reader@{domain}>")
    return message.as_bytes()


def score_message(message: bytes) -> tuple[SpamScore | None, str, str | None]:
    """(score, what gave it, None), or (None, "", why there is none): a running spamd through
    spamc when one answers (no start-up: a fraction of a second), else the spamassassin script."""
    spamc = shutil.which("spamc")
    failed = ""
    if spamc is not None and spamd_answers(spamc):
        try:
            return run_spamc(spamc, message), "spamd", None
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            failed = f"spamd did not give a score ({_reason(exc)}); "
    executable = shutil.which("spamassassin")
    if executable is None:
        return None, "", failed + "SpamAssassin is not installed (apt-get install -y spamassassin)"
    try:
        return run_spamassassin(executable, message), "spamassassin", None
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return None, "", failed + f"SpamAssassin did not give a score: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    # a time-out is always ``Stopped`` (``_run_group`` raises no other), which says its time
    return str(exc) or type(exc).__name__


SPAMD_ENV = "AUTHORING_SPAMD"
"""HOST:PORT of a spamd to use (default: spamc's own settings, port 783 on this machine)."""
PING_TIMEOUT = 2


def _spamc_args(spamc: str, where: str | None = None) -> list[str]:
    where = (os.environ.get(SPAMD_ENV, "") if where is None else where).strip()
    if not where:
        return [spamc]
    host, _, port = where.rpartition(":")
    return [spamc, "-d", host or "127.0.0.1", "-p", port] if port.isdigit() else [spamc, "-d", where]


def spamd_answers_at(where: str) -> bool:
    """Whether a spamd answers at HOST:PORT (for whoever starts one)."""
    spamc = shutil.which("spamc")
    return spamc is not None and spamd_answers(spamc, where)


def spamd_answers(spamc: str, where: str | None = None) -> bool:
    """Whether a spamd daemon answers spamc's ping (``spamc -K``) within two seconds."""
    try:
        returncode, output = _run_group([*_spamc_args(spamc, where), "-K"], b"", PING_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return False
    return returncode == 0 and output.startswith(b"SPAMD/")


def run_spamc(spamc: str, message: bytes, *, timeout: float | None = None) -> SpamScore:
    """The daemon's report (``spamc -R``: score line, then the same table as ``spamassassin -t``);
    ``-x``: an error rather than spamc's safe fallback of passing the message through unscored."""
    if len(message) > MAX_BYTES:
        raise ValueError(f"the message is over {MAX_BYTES // 1024 // 1024} MB")
    _, output = _run_group([*_spamc_args(spamc), "-R", "-x", "-s", str(MAX_BYTES)], message,
                           TIMEOUT if timeout is None else timeout)
    return parse_report(output.decode("utf-8", "replace"))


def run_spamassassin(executable: str, message: bytes, *, timeout: float | None = None) -> SpamScore:
    if len(message) > MAX_BYTES:
        raise ValueError(f"the message is over {MAX_BYTES // 1024 // 1024} MB")
    _, output = _run_group([executable, "-t", "-L"], message, TIMEOUT if timeout is None else timeout)
    return parse_report(output.decode("utf-8", "replace"))


class Stopped(subprocess.TimeoutExpired):
    """SpamAssassin ran over its time and was stopped, with every process it started."""

    def __str__(self) -> str:
        return f"timed out after {self.timeout:g} s (stopped, with every process it started)"


def _run_group(args: list[str], message: bytes, timeout: float) -> tuple[int, bytes]:
    """(exit status, standard output) of ``args`` fed ``message``. It runs in a process group
    of its own: on timeout the whole group is killed, so a helper it started cannot keep
    running (or keep its output open, which would hang the read)."""
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        output, _ = process.communicate(message, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        raise Stopped(args, timeout) from None
    except BaseException:  # an interrupt: leave nothing behind either
        _stop_group(process)
        raise
    return process.returncode, output


def _stop_group(process: subprocess.Popen) -> None:
    """SIGKILL to the process's group (its id is the group's: it is not reaped yet, so no
    other group can have taken it), then reap it and close its pipes."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def parse_report(output: str) -> SpamScore:
    """Score and rule hits from the "Content analysis details" table ``spamassassin -t`` appends."""
    match = _SCORE.search(output)
    if match is None:
        raise ValueError("no 'Content analysis details' in its output")
    rules: list[RuleHit] = []
    table = output[match.end():].split("\n")
    started = False
    for line in table:
        if line.startswith("----"):
            started = True
            continue
        if not started:
            continue
        if not line.strip():
            break
        hit = _RULE.match(line)
        if hit:
            rules.append(RuleHit(float(hit.group(1)), hit.group(2), hit.group(3).strip()))
        elif rules:  # a description wrapped onto the next line
            rules[-1].description += " " + line.strip()
    return SpamScore(score=float(match.group(1)), rules=rules)
