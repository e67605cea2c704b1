"""Links that hide where they go: text naming another host, shorteners, look-alike hosts.

What phishing filters flag first, and what a reader cannot see: each link of the issue (and of
the publication's footer) is judged by ``links.spoofing``, located at its text in the YAML.
"""

from __future__ import annotations

from authoring import links, markdown
from authoring.check import Built, CheckOptions, PartResult, part
from authoring.checks import linked_texts
from authoring.diagnostics import Severity

_HINTS = {
    "link-text-other-host": "make the text name where the link goes, or link words, not an address",
    "link-shortener": "link the full address: readers and spam filters distrust shorteners",
    "mixed-script-host": "check the address; type the host in plain ASCII if that is what you meant",
}


@part("spoofing", "Links that hide where they go")
def spoofed_links(built: Built, options: CheckOptions) -> PartResult:
    result = PartResult(name="spoofing", title="")
    checked = 0
    for path, text, linked in linked_texts(built.issue):
        for ref, address in linked:
            if ref.kind != "link":
                continue
            checked += 1
            for spoof in links.spoofing(ref.url, ref.text):
                # this link's own words: the last "[text]" before its address, so that two links
                # with the same words each point at their own (None: the parser rewrote the address)
                label = f"[{ref.text}]"
                index = text.find(label) if address is None else text.rfind(label, 0, address)
                # words not written as they read ("[pay" and "pal.com]" on two lines): its address
                result.add(built.at_offset(path, index + 1 if index >= 0 else address, spoof.code,
                                           Severity.WARNING, spoof.message, _HINTS[spoof.code],
                                           needle=ref.text))
    footer = built.publication.footer or ""
    for ref in markdown.iter_links(footer):
        if ref.kind == "link":
            checked += 1
            for spoof in links.spoofing(ref.url, ref.text):
                result.add(built.at_publication(("footer",), spoof.code, Severity.WARNING,
                                                spoof.message, _HINTS[spoof.code]))
    result.figures.append(f"{checked} link{'s' if checked != 1 else ''} checked, "
                          f"{len(result.findings)} hiding where they go")
    result.data = {"links": checked, "findings": len(result.findings)}
    return result
