"""``check`` against what lies beside the issue and what it runs: link loops, dangling links and
pipes among the earlier issues are passed over; a SpamAssassin that hangs is killed with every
process it started, within its time."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from authoring.check import CheckOptions, check_file
from authoring.check import spam as spam_part
from conftest import ISSUES

HISTORY_ONLY = CheckOptions(parts={"history"}, spam=False)


# ---------------------------------------------------------------- what lies beside the issue


@pytest.fixture
def beside(issue_copy: Path) -> Path:
    """An earlier issue next to the sample, so history has something to compare."""
    text = issue_copy.read_text(encoding="utf-8")
    (issue_copy.parent / "0320.yaml").write_text(text.replace("number: 321", "number: 320")
                                                 .replace("2026-", "2025-"))
    return issue_copy


@pytest.mark.parametrize("shape", ["two links in a loop", "a link to itself", "a loop in the folder",
                                   "a dangling link", "a FIFO", "a link to the issue"])
def test_what_lies_beside_the_issue_is_passed_over(beside, shape):
    folder = beside.parent
    if shape == "two links in a loop":
        (folder / "a.yaml").symlink_to("b.yaml")
        (folder / "b.yaml").symlink_to("a.yaml")
    elif shape == "a link to itself":
        (folder / "self.yaml").symlink_to("self.yaml")
    elif shape == "a loop in the folder":
        (folder / "deep.yaml").symlink_to("loop/deep.yaml")
        (folder / "loop").symlink_to("loop")
    elif shape == "a dangling link":
        (folder / "gone.yaml").symlink_to(folder / "nowhere.yaml")
    elif shape == "a FIFO":
        os.mkfifo(folder / "pipe.yaml")
    else:
        (folder / "same.yaml").symlink_to(beside.name)
    part = check_file(beside, HISTORY_ONLY).part("history")
    assert part is not None and part.data["earlier"] == ["0320.yaml"]


def test_a_loop_in_the_against_folder_is_passed_over(beside, tmp_path):
    against = tmp_path / "archive"
    against.mkdir()
    shutil.copy(beside.parent / "0320.yaml", against / "0320.yaml")
    (against / "x.yaml").symlink_to("y.yaml")
    (against / "y.yaml").symlink_to("x.yaml")
    part = check_file(beside, CheckOptions(parts={"history"}, spam=False, against=against)).part("history")
    assert part is not None and part.data["earlier"] == ["0320.yaml"]


# ---------------------------------------------------------------- a SpamAssassin that hangs


HANGS_WITH_A_CHILD = """#!{python}
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], {child_output})
open({pid_file!r}, "w").write(str(child.pid))
{then}
"""


def fake_spamassassin(folder: Path, *, child_holds_output: bool, leader_exits: bool) -> tuple[Path, Path]:
    script = folder / "spamassassin"
    pid_file = folder / "child.pid"
    script.write_text(HANGS_WITH_A_CHILD.format(
        python=sys.executable, pid_file=str(pid_file),
        child_output="" if child_holds_output else "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL",
        then="sys.exit(0)" if leader_exits else "time.sleep(300)"))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, pid_file


def gone(pid: int, within: float) -> bool:
    """Whether ``pid`` has ended (or is a zombie waiting for its reaper) within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in {"Z", "X"}:
            return True
        threading.Event().wait(0.02)
    return False


@pytest.mark.parametrize(("child_holds_output", "leader_exits"), [
    (False, False),  # hangs; its child runs on elsewhere
    (True, False),  # hangs; its child keeps the output open (waiting for it would hang)
    (True, True),  # ends at once, leaving a helper that keeps the output open
])
def test_a_hung_spamassassin_is_killed_with_every_process_it_started(tmp_path, child_holds_output,
                                                                      leader_exits):
    script, pid_file = fake_spamassassin(tmp_path, child_holds_output=child_holds_output,
                                         leader_exits=leader_exits)
    outcome: list[BaseException | None] = []

    def run():
        try:
            spam_part.run_spamassassin(str(script), b"Subject: x\r\n\r\nbody\r\n", timeout=1.0)
            outcome.append(None)
        except BaseException as exc:  # what the test looks at
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    elapsed = time.monotonic() - started
    child = int(pid_file.read_text())
    try:
        assert outcome and isinstance(outcome[0], spam_part.Stopped)
        assert str(outcome[0]) == "timed out after 1 s (stopped, with every process it started)"
        assert 1.0 <= elapsed < 4.0
        assert gone(child, 5), "the child it started still runs"
    finally:
        if not gone(child, 0):
            os.kill(child, 9)


def test_check_reports_the_stopped_run_as_skipped(issue_copy, tmp_path, monkeypatch):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    fake_spamassassin(bin_folder, child_holds_output=True, leader_exits=False)
    spamc = bin_folder / "spamc"  # no spamd answers: the check falls back to spamassassin
    spamc.write_text("#!/bin/sh\nexit 1\n")
    spamc.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(spam_part, "TIMEOUT", 0.5)
    part = check_file(issue_copy, CheckOptions(parts={"spam"})).part("spam")
    assert part is not None
    assert part.skipped == ("SpamAssassin did not give a score: timed out after 0.5 s (stopped, "
                            "with every process it started)")
    assert gone(int((bin_folder / "child.pid").read_text()), 5)


def test_a_quick_spamassassin_still_gives_its_score(tmp_path):
    script = tmp_path / "spamassassin"
    script.write_text("#!/bin/sh\ncat >/dev/null\nprintf 'Content analysis details:   (1.5 points, 5.0 "
                      "required)\\n\\n pts rule name              description\\n---- ------\\n 1.5 "
                      "HTML_MESSAGE           BODY: HTML included in message\\n\\n'\n")
    script.chmod(0o755)
    score = spam_part.run_spamassassin(str(script), (ISSUES / "0321.yaml").read_bytes())
    assert score.score == 1.5 and [r.name for r in score.rules] == ["HTML_MESSAGE"]


def test_a_hung_spamc_is_killed_with_its_child_and_spamassassin_used(issue_copy, tmp_path, monkeypatch):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    pid_file = bin_folder / "child.pid"
    (bin_folder / "spamc").write_text(f"""#!{sys.executable}
import subprocess, sys, time
if "-K" in sys.argv:  # the ping: a spamd answers
    print("SPAMD/1.5 0 PONG")
    sys.exit(0)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                         stdout=subprocess.DEVNULL)
open({str(pid_file)!r}, "w").write(str(child.pid))
time.sleep(300)
""")
    (bin_folder / "spamc").chmod(0o755)
    (bin_folder / "spamassassin").write_text(
        "#!/bin/sh\ncat >/dev/null\nprintf 'Content analysis details:   (0.5 points, 5.0 required)\\n\\n"
        " pts rule name              description\\n---- ------\\n 0.5 HTML_MESSAGE           BODY: "
        "HTML included in message\\n\\n'\n")
    (bin_folder / "spamassassin").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(spam_part, "TIMEOUT", 0.5)
    part = check_file(issue_copy, CheckOptions(parts={"spam"})).part("spam")
    assert part is not None and part.skipped is None and part.data["score"] == 0.5
    assert gone(int(pid_file.read_text()), 5)
