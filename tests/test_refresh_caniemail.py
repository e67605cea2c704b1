"""scripts/refresh_caniemail.py turns caniemail's data into the snapshot the check reads (offline)."""

from __future__ import annotations

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("refresh_caniemail", ROOT / "scripts" / "refresh_caniemail.py")
assert spec and spec.loader
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)


def _entry(slug, title, category="css", keywords=None, stats=None, notes=None):
    return {"slug": slug, "title": title, "category": category, "keywords": keywords,
            "stats": stats or {}, "notes_by_num": notes}


def test_titles_become_match_rules():
    rule = refresh.match_rule
    assert rule(_entry("css-display-flex", "display:flex")) == {"pair": ["display", "flex"]}
    assert rule(_entry("css-at-media", "@media")) == {"at_rule": "media"}
    assert rule(_entry("x", "@media (prefers-color-scheme)")) == {"media_feature": ["prefers-color-scheme"]}
    assert rule(_entry("css-unit-px", "px unit")) == {"unit": "px"}
    assert rule(_entry("css-selector-class", "Class selector")) == {"selector": "class"}
    assert rule(_entry("css-pseudo-class-hover", ":hover")) == {"pseudo": ":hover"}
    assert rule(_entry("css-rgba", "rgba()")) == {"function": ["rgba"]}
    assert rule(_entry("css-border", "border", keywords="border-top, border-width, table")) == {
        "property": ["border", "border-top", "border-width"]}
    assert rule(_entry("html-h1-h6", "<h1> to <h6> elements", "html")) == {
        "element": ["h1", "h2", "h3", "h4", "h5", "h6"]}
    assert rule(_entry("html-srcset", "srcset and sizes attributes", "html")) == {
        "attribute": ["srcset", "sizes"]}
    assert rule(_entry("html-doctype", "HTML5 doctype", "html")) is None


def test_support_is_the_latest_tested_version_with_its_notes():
    entry = _entry("css-display-flex", "display:flex", stats={
        "outlook": {"windows": {"2016": "y", "2019": "n"}},
        "gmail": {"android": {"2019-02": "y", "2020-11": "a #1"}}},
        notes={"1": "Not supported with non Google accounts."})
    values, notes = refresh.support(entry)
    assert values == {"outlook-windows": "n", "gmail-android": "a"}
    assert notes == {"gmail-android": "Not supported with non Google accounts."}


def test_snapshot_keeps_version_licence_and_only_what_is_used():
    data = {"last_update_date": "2025-09-09", "data": [
        _entry("css-display-flex", "display:flex", stats={"outlook": {"windows": {"2019": "n"}}}),
        _entry("amp", "AMP for Email", "others")]}
    package = {"version": "9.9.9", "homepage": "https://github.com/shellscape/caniemail"}
    snap = refresh.snapshot(data, package, "MIT License\n\nCopyright © Someone\n")
    assert snap["version"] == "9.9.9" and snap["license"] == "MIT"
    assert snap["copyright"] == ["Copyright © Someone"]
    assert list(snap["features"]) == ["css-display-flex"]
    assert set(snap["features"]["css-display-flex"]) == {"title", "match", "support"}
