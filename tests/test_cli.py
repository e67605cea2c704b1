"""The validate command's output formats, strictness and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.diagnostics import AuthoringError
from conftest import DATA, ISSUES, ROOT, tracked

runner = CliRunner()
WARNS = DATA / "bad" / "html-formatting-in-text.yaml"


def test_validate_all_samples_passes():
    files = [str(p) for p in tracked(ISSUES, "*.yaml")]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert f"{len(files)} files checked: 0 errors" in result.stderr


def test_strict_turns_warnings_into_failure():
    assert runner.invoke(app, ["validate", str(WARNS)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--strict", str(WARNS)])
    assert result.exit_code == 1
    assert "strict" in result.stderr


def test_json_format_is_machine_readable():
    result = runner.invoke(app, ["validate", "--format", "json", str(WARNS)])
    (report,) = json.loads(result.stdout)
    (diag,) = [d for d in report["diagnostics"] if d["code"] == "raw-html"]
    assert diag["path"] == "stories[1].news.dek"
    assert diag["severity"] == "warning" and diag["line"] == 10


def test_text_format_reads_like_a_compiler():
    bad = DATA / "bad" / "misspelled-headline.yaml"
    result = runner.invoke(app, ["validate", "--publication", str(ISSUES / "publication.yaml"), str(bad)])
    first = result.stderr.splitlines()[0]
    assert first == (f"{bad}:9:7: error: stories[1].news.headine: unknown key 'headine'"
                     " — did you mean 'headline'? [unknown-key]")


def test_export_level_requires_urls():
    result = runner.invoke(app, ["validate", "--level", "export", str(ISSUES / "0321.yaml")])
    assert result.exit_code == 0, result.output
    without_urls = DATA / "export" / "seed-without-urls.yaml"  # links and images with no address yet
    assert runner.invoke(app, ["validate", str(without_urls)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--level", "export", str(without_urls)])
    assert result.exit_code == 1, result.output
    assert re.search(r": error: \S+: (link URL|image source) is missing .*\[missing-(url|image-src)\]",
                     result.stderr)
    # without a publication file, the export level refuses, pointing at the file it looked for
    sample = DATA / "bad" / "jinja-in-text.yaml"
    publication = ["--publication", str(DATA / "export" / "publication.yaml")]  # esp: none
    assert runner.invoke(app, ["validate", "--level", "export", *publication, str(sample)]).exit_code == 0
    refused = runner.invoke(app, ["validate", "--level", "export", str(sample)])
    assert refused.exit_code == 1
    assert f"{sample.parent / 'publication.yaml'}: error: no publication.yaml" in refused.stderr


def test_broken_publication_file_is_reported_with_the_issue(tmp_path):
    (tmp_path / "publication.yaml").write_text("name: X\nsender: {name: X, emial: x@y.z}\n")
    (tmp_path / "1.yaml").write_text("issue: {subject: Hi}\n")
    result = runner.invoke(app, ["validate", str(tmp_path / "1.yaml")])
    assert result.exit_code == 1
    assert "publication.yaml:2:" in result.stderr and "did you mean 'email'?" in result.stderr


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "authoring", "validate", str(WARNS)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "raw-html" in result.stderr and "Traceback" not in result.stderr


def test_publication_errors_do_not_quote_the_issue_lines(tmp_path):
    (tmp_path / "publication.yaml").write_text("name: X\nsender: {name: X, emial: x@y.z}\n")
    (tmp_path / "1.yaml").write_text("issue: {subject: Hi}\nstories:\n  - header: News\n")
    result = runner.invoke(app, ["validate", str(tmp_path / "1.yaml")])
    assert "- header: News" not in result.stderr


_MISSING_FILE_COMMANDS = {
    "validate": ["validate", "{missing}"],
    "render": ["render", "{missing}", "-o", "{tmp}"],
    "export": ["export", "{missing}", "-o", "{tmp}"],
    "send": ["send", "{missing}", "--to", "a@example.org", "--smtp", "127.0.0.1:9"],
    "preview": ["preview", "{missing}", "--no-open", "--port", "0"],
    "import": ["import", "{missing}"],
    "validate --publication": ["validate", "--publication", "{missing}", str(ISSUES / "0321.yaml")],
    "render --publication": ["render", "--publication", "{missing}", str(ISSUES / "0321.yaml"),
                             "-o", "{tmp}"],
    "import --publication": ["import", "--publication", "{missing}", str(DATA / "archive" / "wrapped.txt")],
}


@pytest.mark.parametrize("command", sorted(_MISSING_FILE_COMMANDS))
def test_a_missing_file_exits_1_in_every_command(command, tmp_path):
    """One rule (README, Exit codes): a file that does not exist is invalid input, never a usage error."""
    missing = tmp_path / "missing-file.yaml"
    args = [a.format(missing=missing, tmp=tmp_path / "out") for a in _MISSING_FILE_COMMANDS[command]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "missing-file.yaml" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()



def test_a_missing_issue_beside_a_publication_file_is_one_error_and_no_publication_warning(tmp_path):
    # the publication is not looked for when the issue is not there: it was said to be missing
    (tmp_path / "publication.yaml").write_text((ISSUES / "publication.yaml").read_text())
    missing = tmp_path / "missing-file.yaml"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 1
    assert result.output == (f"{missing}: error: no such file — check the path [file-not-found]\n"
                             "1 file checked: 1 error, 0 warnings\n")

def test_usage_errors_exit_2():
    assert runner.invoke(app, ["render"]).exit_code == 2
    assert runner.invoke(app, ["new", "--date", "tomorrow"]).exit_code == 2
    both = ["send", "x.yaml", "--to", "a@example.org", "--ssl", "--starttls"]
    assert runner.invoke(app, both).exit_code == 2


def test_load_and_port_errors_are_authoring_errors():
    from authoring.load import LoadError, load_text
    from authoring.preview.server import PortInUse

    with pytest.raises(AuthoringError) as info:
        load_text("a: [", "broken.yaml")
    assert isinstance(info.value, LoadError)
    (report,) = info.value.reports
    assert report.file == "broken.yaml" and report.errors[0].code == "yaml-syntax"
    assert report.source_lines == ["a: ["]
    assert issubclass(PortInUse, AuthoringError)


# ---------------------------------------------------------------- the command line as a whole


def test_version_prints_the_packages_version():
    from authoring import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"authoring {__version__}\n"


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("authoring ex", "1", "export\n"),
    ("authoring i", "1", "init\nimport\n"),
    ("authoring export --ou", "2", "--output\n"),
    ("authoring send --sm", "2", "--smtp\n"),
])
def test_completion_works_through_the_lazy_group(words, cword, expected):
    result = runner.invoke(app, [], prog_name="authoring", env={
        "_AUTHORING_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert result.exit_code == 0
    assert result.output == expected


def test_show_completion_gives_a_script_for_the_shell():
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="authoring")
    assert result.exit_code == 0
    assert "complete -o default -F _authoring_completion authoring" in result.output


def _commands():
    from authoring.cli import COMMANDS

    return list(COMMANDS)


@pytest.mark.parametrize("command", _commands())
def test_every_commands_help_shows_an_example_of_itself(command):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    examples = [line.strip() for line in result.output.splitlines() if line.strip().startswith("Example:")]
    assert len(examples) == 1, result.output
    assert examples[0].startswith(f"Example: authoring {command} ")


@pytest.mark.parametrize("command", _commands())
def test_output_is_spelled_one_way_in_every_command(command):
    from typer.main import get_command

    from authoring.cli import app as group

    click_command = get_command(group).commands[command]  # type: ignore[attr-defined]
    for param in click_command.params:
        names = set(param.opts) | set(param.secondary_opts)
        if names & {"-o", "--out", "--output", "--output-dir"}:
            assert sorted(names) == ["--output", "-o"], (command, names)
