"""The web render of an issue (``RenderOptions(mode="web")``, MJML compiled) made a web page's parts.

MJML writes for mail clients: Outlook's conditional comments, ``mso-`` declarations, an
``aria-roledescription="email"`` wrapper. A page of the archive keeps the content and its CSS (the
phone and dark-mode rules) and drops what only an inbox reads; ``templates/site/`` wraps the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Outlook's downlevel-revealed markers (``<!--[if !mso]><!-->...<!--<![endif]-->``): the content
# between them is for every other client, so only the markers go.
_REVEALED_OPEN = re.compile(r"<!--\[if [^\]]*\]><!-->")
_REVEALED_CLOSE = re.compile(r"<!--<!\[endif\]-->")
# Downlevel-hidden blocks (``<!--[if mso]>...<![endif]-->``): Outlook's alone, dropped whole.
_HIDDEN = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->", re.DOTALL)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_MSO_DECLARATION = re.compile(r"\s*mso-[a-z-]+\s*:[^;\"}]*;?", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"#outlook a\s*\{[^}]*\}\s*")
_FIRST_TAG = re.compile(r"<div\b[^>]*>")
_EMAIL_WRAPPER_ATTRIBUTES = re.compile(r'\s(?:aria-roledescription|role|aria-label)="[^"]*"')


@dataclass(frozen=True)
class WebParts:
    """What a site page takes from the web render."""

    css: str
    """The render's CSS (element defaults, phone and dark-mode rules), without Outlook's."""
    body: str
    """The issue's markup: masthead, letter, stories, footer."""


def web_parts(html: str) -> WebParts:
    """Split the compiled web render into its CSS and its body, each without email-only parts."""
    html = _HIDDEN.sub("", _REVEALED_CLOSE.sub("", _REVEALED_OPEN.sub("", html)))
    head = _HEAD.search(html)
    body = _BODY.search(html)
    if head is None or body is None:  # MRML always writes both; a template that does not is broken
        raise ValueError("the web render has no <head> or no <body>")
    css = "\n".join(_MSO_DECLARATION.sub("", _OUTLOOK_RULE.sub("", block)).strip()
                    for block in _STYLE_BLOCK.findall(head.group(1)))
    markup = body.group(1).strip()
    wrapper = _FIRST_TAG.match(markup)
    if wrapper:  # the page's <main> is the issue: the wrapper is not an "email" region of it
        tag = _EMAIL_WRAPPER_ATTRIBUTES.sub("", wrapper.group(0))
        markup = tag + markup[wrapper.end():]
    markup = _STYLE_ATTRIBUTE.sub(_without_mso, markup)
    return WebParts(css=css, body=markup)


def _without_mso(match: re.Match[str]) -> str:
    declarations = _MSO_DECLARATION.sub("", match.group(1))
    return f' style="{declarations}"' if declarations else ""
