"""A lazily compiled pattern: compiled at its first use, then the same as ``re.compile``'s."""

from __future__ import annotations

import re

import pytest

from authoring.lazyre import lazy


@pytest.fixture
def compiles(monkeypatch):
    """The patterns re.compile is asked for, in order."""
    asked: list[tuple[str, int]] = []
    real = re.compile

    def counting(pattern, flags=0):
        asked.append((pattern, flags))
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    return asked


def test_nothing_is_compiled_until_the_pattern_is_used(compiles):
    pattern = lazy(r"^(by|written by)\s+\S", re.IGNORECASE)
    assert compiles == []
    assert pattern.match("Written by Ana").group(1) == "Written by"  # the flags are kept
    assert compiles == [(r"^(by|written by)\s+\S", re.IGNORECASE)]


def test_it_is_compiled_once_and_its_methods_are_kept(compiles):
    pattern = lazy(r"\d+")
    assert pattern.findall("a1 b22") == ["1", "22"]
    assert pattern.sub("#", "a1 b22") == "a# b#"
    assert pattern.search("x 7").start() == 2
    assert len(compiles) == 1
    assert "search" in vars(pattern)  # later lookups are plain attribute reads


@pytest.mark.parametrize("text", ["", "00:01.000", "1:00:01.000", "00:61.000", "x 12:34.567"])
def test_it_answers_as_the_compiled_pattern_does(text):
    source = r"^(?:(?P<h>\d{2,9}):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)\.(?P<ms>\d{3})$"
    compiled, deferred = re.compile(source), lazy(source)
    expected = compiled.match(text)
    found = deferred.match(text)
    assert (found and found.groupdict()) == (expected and expected.groupdict())
    assert deferred.pattern == source and deferred.groupindex == compiled.groupindex


def test_a_bad_pattern_fails_where_it_is_used():
    broken = lazy("(unclosed")
    with pytest.raises(re.error, match="missing \\)"):
        broken.match("x")
