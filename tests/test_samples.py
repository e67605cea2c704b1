"""The seed-derived sample issues hold every word of their seed, in order, and are valid."""

from __future__ import annotations

import pytest
import yaml
from word_compare import compare, words

from authoring.validate import load_publication, validate_file
from conftest import ISSUES, seed_samples

PAIRS = seed_samples()
SECTION_LISTS = {"sections"}


def yaml_text(node: object, *, labels: bool = False) -> list[str]:
    """Every text of a YAML document in document order; section labels (keys) included."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if labels:
                out.append(str(key))
            if key == "ps":
                out.append("P.S.")  # the field stands for the words "P.S."
            out += yaml_text(value, labels=key in SECTION_LISTS)
    elif isinstance(node, list):
        for item in node:
            out += yaml_text(item, labels=labels)
    elif isinstance(node, str):
        out.append(node)
    return out


def test_there_is_a_sample_for_every_seed():
    assert len(PAIRS) == 3
    for seed, sample in PAIRS:
        assert sample.is_file(), f"{sample} is missing for {seed}"


@pytest.mark.parametrize(("seed", "sample"), PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_sample_holds_every_word_of_its_seed_in_order(seed, sample):
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    texts = yaml_text({k: v for k, v in data.items() if k != "issue"})  # the subject is invented
    publication, _ = load_publication(ISSUES / "publication.yaml")
    footer_words = words(publication.footer, markdown=True)
    if "footer" not in data:
        # the seed's footer is the publication's: it lives in publication.yaml, not in the issue
        texts.append(publication.footer)
    sample_words = [w for text in texts for w in words(text, markdown=True)]
    result = compare(words(seed.read_text(encoding="utf-8")), sample_words)
    assert result.missing == [], result.missing[:20]
    # nothing was invented: only the footer of a seed that has none is extra
    assert result.added in ([], footer_words)


@pytest.mark.parametrize(("seed", "sample"), PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_sample_names_its_seed_and_schema_and_validates(seed, sample):
    lines = sample.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schema/issue.schema.json"
    assert f"seeds/{seed.name}" in lines[1] and lines[1].startswith("#")
    result = validate_file(sample)
    assert result.report.errors == []
    info = result.issue.issue
    assert info.subject and info.number is None and info.date is None
    # seeds carry no URLs: none were invented
    assert "http" not in sample.read_text(encoding="utf-8")
