"""Random and mutated YAML never crashes the loader or the validator."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authoring.diagnostics import Level
from authoring.load import LoadError, decode
from authoring.validate import validate_text
from conftest import ISSUES

SAMPLE = (ISSUES / "0321.yaml").read_text(encoding="utf-8")
LINES = SAMPLE.splitlines(keepends=True)

yaml_chars = st.sampled_from(list(":-[]{}|>!&*#'\"\\ \t\n,?%@`") + ["’", "a", "1", "é", "\ufeff", "\x00"])


def check_validates(text: str) -> None:
    for level in Level:
        result = validate_text(text, file="fuzz.yaml", level=level)
        for diag in result.report.diagnostics:
            assert diag.message and diag.code
            assert diag.line is None or diag.line >= 1
        result.report.format_text()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(yaml_chars, max_size=200))
def test_random_yaml_text(text):
    check_validates(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(raw):
    try:
        text = decode(raw, "fuzz.yaml")
    except LoadError as exc:
        assert exc.diagnostic.code in {"not-utf8", "binary-file", "file-too-large"}
        return
    check_validates(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_sample(data):
    """Delete, duplicate, swap and corrupt lines of a real issue."""
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "insert", "swap"]))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        elif action == "insert":
            pos = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + data.draw(st.text(yaml_chars, max_size=5)) + lines[i][pos:]
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    check_validates("".join(lines))
