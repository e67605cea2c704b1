#!/usr/bin/env python3
"""Refresh authoring/data/caniemail.json from the npm package ``caniemail`` (MIT).

    python scripts/refresh_caniemail.py            # latest published version
    python scripts/refresh_caniemail.py 1.0.5      # a given version

Runs ``npm pack caniemail@VERSION`` in a temporary folder (the only step that needs the
network) and writes a small snapshot: for each feature, how ``authoring check`` recognises it
in the HTML and the latest tested support in each client family it reports on. Runtime code
reads only the snapshot: no node, no network.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "authoring" / "data" / "caniemail.json"
LICENSE_OUT = OUT.with_name("caniemail.LICENSE")
"""The package's MIT licence, shipped beside the data as the licence asks."""

FAMILIES = {
    "gmail-web": ("gmail", "desktop-webmail", "Gmail web"),
    "gmail-android": ("gmail", "android", "Gmail Android"),
    "gmail-ios": ("gmail", "ios", "Gmail iOS"),
    "outlook-windows": ("outlook", "windows", "Outlook Windows"),
    "outlook-mac": ("outlook", "macos", "Outlook Mac"),
    "outlook-web": ("outlook", "outlook-com", "Outlook web"),
    "apple-mail-macos": ("apple-mail", "macos", "Apple Mail macOS"),
    "apple-mail-ios": ("apple-mail", "ios", "Apple Mail iOS"),
    "yahoo": ("yahoo", "desktop-webmail", "Yahoo Mail"),
    "samsung-email": ("samsung-email", "android", "Samsung Email"),
    "thunderbird": ("thunderbird", "macos", "Thunderbird"),
}
"""Our family → (caniemail family, platform, name shown)."""

SELECTORS = {
    "Adjacent sibling combinator": "adjacent-sibling", "Attribute selector": "attribute",
    "Chaining selectors": "chaining", "Child combinator": "child", "Class selector": "class",
    "Descendant combinator": "descendant", "General sibling combinator": "general-sibling",
    "Grouping selectors": "grouping", "ID selector": "id", "Type selector": "type",
    "Universal selector *": "universal",
}
PROPERTY = re.compile(r"^[a-z-]+$")


def match_rule(entry: dict) -> dict | None:
    """How a feature shows in HTML or CSS, from its title (as @jsx-email/doiuse-email reads it)."""
    title, slug = entry["title"].strip(), entry["slug"]
    keywords = [k.strip() for k in (entry.get("keywords") or "").split(",") if k.strip()]
    if entry["category"] == "html":
        return _html_rule(title, slug, keywords)
    if entry["category"] == "image":
        return {"image": slug.removeprefix("image-")}
    if entry["category"] != "css":
        return None
    if title in SELECTORS:
        return {"selector": SELECTORS[title]}
    if title.startswith(":"):
        return {"pseudo": title.rstrip("()")}
    if title == "lang()":
        return {"pseudo": ":lang"}
    if title.startswith("@media ("):
        return {"media_feature": re.findall(r"\(([a-z-]+)\)", title)}
    if title.startswith("@"):
        return {"at_rule": title[1:]}
    if title.endswith(" unit"):
        unit = title.removesuffix(" unit")
        return {"keyword": unit} if unit == "initial" else {"unit": unit}
    if title == "!important keyword":
        return {"important": True}
    if title == "CSS Variables (Custom Properties)":
        return {"function": ["var"]}
    pair = re.fullmatch(r"([a-z-]+):\s*([a-z-]+)", title)
    if pair:
        return {"pair": [pair.group(1), pair.group(2)]}
    functions = re.findall(r"([a-z-]+)\(\)", title)
    if functions:
        return {"function": functions}
    return _property_rule(title, keywords)


def _property_rule(title: str, keywords: list[str]) -> dict | None:
    name = re.sub(r" (shorthand|property|CSS property)$", "", title).strip()
    names = [n.strip() for n in re.split(r",|&", name)]
    if not all(PROPERTY.match(n) for n in names):
        return None
    # longhands listed as keywords (border-top-width under border)
    names += [k for k in keywords if PROPERTY.match(k) and any(k.startswith(n + "-") for n in names)]
    return {"property": sorted(set(names))}


def _html_rule(title: str, slug: str, keywords: list[str]) -> dict | None:
    if slug == "html-semantics":
        return {"element": keywords}
    typed = re.fullmatch(r"<(\w+) type=\"(\w+)\"> element", title)
    if typed:
        return {"element": [typed.group(1)], "type": typed.group(2)}
    if slug == "html-h1-h6":
        return {"element": [f"h{i}" for i in range(1, 7)]}
    tags = re.findall(r"<(\w+)>", title)
    if tags:
        return {"element": list(dict.fromkeys(tags + (["dl"] if slug == "html-lists" else [])))}
    attributes = re.fullmatch(r"([\w-]+)(?: and ([\w-]+))? attributes?", title)
    if attributes:
        return {"attribute": [a for a in attributes.groups() if a]}
    if title == "address":
        return {"element": ["address"]}
    return None  # doctype, comments, anchors, mailto: always there or not an element


def support(entry: dict) -> tuple[dict, dict]:
    """Latest tested support per family ('y', 'a' partial, 'n', 'u' unknown) and, where it is
    not 'y', its notes."""
    values, notes = {}, {}
    for ours, (family, platform, _) in FAMILIES.items():
        versions = entry["stats"].get(family, {}).get(platform)
        if not versions:
            continue
        latest = list(versions.values())[-1]
        flag, *refs = latest.split()
        values[ours] = flag[0]
        texts = [(entry.get("notes_by_num") or {}).get(ref.lstrip("#"), "") for ref in refs]
        if any(texts) and flag[0] != "y":  # the check shows notes for partial and missing support
            notes[ours] = " ".join(t for t in texts if t)
    return values, notes


def snapshot(data: dict, package: dict, license_text: str) -> dict:
    features = {}
    for entry in data["data"]:
        rule = match_rule(entry)
        if rule is None:
            continue
        values, notes = support(entry)
        features[entry["slug"]] = {"title": entry["title"].strip(), "match": rule,
                                   "support": values, **({"notes": notes} if notes else {})}
    return {
        "source": f"npm package caniemail {package['version']} ({package['homepage']}), data from "
                  "caniemail.com",
        "version": package["version"],
        "last_update_date": data["last_update_date"],
        "license": "MIT",
        "copyright": [line for line in license_text.splitlines() if line.startswith("Copyright")],
        "families": {key: name for key, (_, _, name) in FAMILIES.items()},
        "features": features,
    }


def main(version: str = "latest") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"caniemail@{version}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        (archive,) = Path(tmp).glob("caniemail-*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp) / "package"
        data = json.loads((root / "data" / "caniemail.json").read_text(encoding="utf-8"))
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
        license_text = (root / "LICENSE").read_text(encoding="utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(snapshot(data, package, license_text), ensure_ascii=False,
                              separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    LICENSE_OUT.write_text(f"The data in caniemail.json comes from the npm package caniemail "
                           f"{package['version']} ({package['homepage']}), under this licence:\n\n"
                           + license_text, encoding="utf-8")
    print(f"{OUT}: caniemail {package['version']}, {len(data['data'])} features "
          f"({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
