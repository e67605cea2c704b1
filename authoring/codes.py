"""Every diagnostic code, in one catalogue: severity, what it means and how to fix it.

Code that reports a problem names it by the constant here (``codes.TAB_INDENT``), never by
a string of its own; docs/format.md's table of codes is generated from this catalogue
(``python -m authoring.codes docs/format.md``) and a test keeps the two equal. Adding a code
is one line here plus regenerating the table.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"
BY_LEVEL = "warning (draft) / error (export)"
BY_TAG = "error (`<script>`, `<iframe>`…) / warning (`<b>`, `<a>`…)"


@dataclass(frozen=True)
class Code:
    code: str
    """The stable identifier scripts and ``--format json`` rely on."""
    severity: str
    meaning: str
    fix: str


CATALOGUE: dict[str, Code] = {}


def _code(code: str, severity: str, meaning: str, fix: str) -> str:
    if code in CATALOGUE:
        raise ValueError(f"diagnostic code '{code}' is catalogued twice")
    CATALOGUE[code] = Code(code, severity, meaning, fix)
    return code


# -- reading the file (load) ------------------------------------------------------------------
FILE_NOT_FOUND = _code("file-not-found", ERROR, "the file does not exist", "check the path")
NOT_A_FILE = _code("not-a-file", ERROR, "the path is a folder",
                   "pass a file, or a glob such as issues/*.yaml")
UNREADABLE = _code("unreadable", ERROR, "the file cannot be read", "check its permissions")
FILE_TOO_LARGE = _code("file-too-large", ERROR, "the file is larger than an issue can be",
                       "check it is the right file")
NOT_UTF8 = _code("not-utf8", ERROR, "the file is not UTF-8 text", "save it as UTF-8")
BINARY_FILE = _code("binary-file", ERROR, "the file holds NUL bytes: it is not text",
                    "open the issue's .yaml file")
CONTROL_CHARACTER = _code("control-character", ERROR,
                          "an invisible control character, also one written as an escape (`\"\\x1b\"`)",
                          "delete it")
TAB_INDENT = _code("tab-indent", ERROR, "a tab in the indentation", "indent with spaces only")
YAML_SYNTAX = _code("yaml-syntax", ERROR, "the file is not valid YAML", "follow the hint at the line shown")
EMPTY_FILE = _code("empty-file", ERROR, "the file holds nothing", "start from a template: authoring new")
TOO_DEEP = _code("too-deep", ERROR, "lists or mappings nested too deeply", "look for runaway brackets")
ALIAS_BOMB = _code("alias-bomb", ERROR, "aliases expand to too many values or too many bytes of text",
                   "remove the anchors (&) and aliases (*)")
UNSAFE_TAG = _code("unsafe-tag", ERROR, "a YAML tag (`!!python/...`)", "remove the tag")
COMPLEX_KEY = _code("complex-key", ERROR, "a mapping key that is a list or mapping",
                    "write the key as plain text")
DUPLICATE_KEY = _code("duplicate-key", ERROR, "the same key twice in one mapping",
                      "merge the two or rename one")
NOT_A_REGULAR_FILE = _code("not-a-regular-file", ERROR,
                           "the path is a FIFO, a device (`/dev/zero`) or a socket: "
                           "it would block or never end",
                           "pass the issue's .yaml file")
MERGE_KEY = _code("merge-key", ERROR, "a YAML merge key (`<<: *anchor`): not supported, merged values "
                  "would silently win", "write the keys out")
# -- structure: the format's shape (structure) -----------------------------------------------
UNKNOWN_KEY = _code("unknown-key", ERROR, "a key the format does not have",
                    "fix its spelling (the hint guesses)")
UNKNOWN_STORY = _code("unknown-story", ERROR, "a story type the format does not have",
                      "use header, news, promo, feature or text")
MISSING_FIELD = _code("missing-field", ERROR, "a required field is absent or empty", "add it")
WRONG_TYPE = _code("wrong-type", ERROR, "a value of the wrong kind (a list for text, ...)", "follow the hint")
BAD_DATE = _code("bad-date", ERROR, "a date that is not a real YYYY-MM-DD date", "write e.g. 2026-11-27")
STORY_SHAPE = _code("story-shape", ERROR, "a story item holds more or fewer than one type",
                    "start each story with '- ' and its type")
SECTION_SHAPE = _code("section-shape", ERROR, "one section item holds several labels",
                      "start each section with '- '")
BAD_CHOICE = _code("bad-choice", ERROR, "a setting outside its fixed set of words (`esp: mailchimps`)",
                   "write one of the words the message lists")
# -- checks: safety (checks) --------------------------------------------------------------------
UNSAFE_URL = _code("unsafe-url", ERROR, "a `javascript:`, `data:` or other unsafe address, or a merge tag "
                   "before the address (`{{x}}javascript:`)",
                   "use https://; a merge tag may be the whole URL or a query value")
NESTING_TOO_DEEP = _code("nesting-too-deep", ERROR, "emphasis, links and lists nested more than 16 "
                         "levels (thousands crashed the MJML compiler)", "close what piles up")
FIELD_TOO_LONG = _code("field-too-long", ERROR, "one text field over 64 KB", "split it into several blocks")
LINE_BREAK = _code("line-break", ERROR, "a line break (CR, LF, U+2028…) in the subject, sender name or "
                   "publication name, which become one-line email headers", "write it on one line")
RAW_HTML = _code("raw-html", BY_TAG, "HTML in text: never run, shown as literal text",
                 "remove it; use Markdown for emphasis and links")
# -- checks: needed before sending ----------------------------------------------------------------
MISSING_URL = _code("missing-url", BY_LEVEL, "a link without an address", "add the URL")
MISSING_IMAGE_SRC = _code("missing-image-src", BY_LEVEL, "an image without a source", "add 'src:'")
MERGE_TAG_IMAGE_SRC = _code("merge-tag-image-src", BY_LEVEL, "an image whose source is a merge tag: "
                          "no file or address to show, so the email has its alt text in its place",
                          "use the image's https address or a file next to the issue")
PLACEHOLDER_URL = _code("placeholder-url", BY_LEVEL, "an address like example.com or TODO",
                        "put in the real address")
RELATIVE_LINK = _code("relative-link", BY_LEVEL, "a link without https://: it cannot work in an email",
                      "use a full https:// address")
MISSING_NUMBER = _code("missing-number", BY_LEVEL, "the issue has no number", "add 'number:' under 'issue:'")
MISSING_DATE = _code("missing-date", BY_LEVEL, "the issue has no date", "add 'date:' under 'issue:'")
EMPTY_SUBJECT = _code("empty-subject", ERROR, "the subject line is empty", "write the subject")
LONG_SUBJECT = _code("long-subject", WARNING, "a subject longer than inboxes show", "shorten it")
EMPTY_HEADLINE = _code("empty-headline", ERROR, "a news story's headline is empty", "write the headline")
# -- checks: house style and missing content ------------------------------------------------------
INSECURE_URL = _code("insecure-url", WARNING, "`http:` rather than `https:`", "use https://")
UNKNOWN_LABEL = _code("unknown-label", WARNING, "a section label close to a customary one (`Whats new`)",
                      "use the customary spelling")
LABEL_ORDER = _code("label-order", WARNING, "customary labels out of their usual order",
                    "reorder the sections")
LABEL_COLON = _code("label-colon", WARNING, "a label written with its own colon", "drop the colon")
GLUED_LABEL = _code("glued-label", WARNING, "`labels.Key insight:`: a label stuck to the previous sentence",
                    "start a new section")
LONG_HEADLINE = _code("long-headline", WARNING, "a headline over the house limit", "shorten it")
HEADLINE_PERIOD = _code("headline-period", WARNING, "a headline ending with a period", "drop the period")
DUPLICATE_HEADLINE = _code("duplicate-headline", WARNING, "two stories with the same headline",
                           "change one of them")
LONG_DEK = _code("long-dek", WARNING, "a dek over the house limit", "keep it to one or two sentences")
NO_SECTIONS = _code("no-sections", WARNING, "a news story without sections", "add 'sections:'")
EMPTY_SECTION = _code("empty-section", WARNING, "a section without text", "write it or remove it")
EMPTY_BODY = _code("empty-body", WARNING, "a block or header without text", "write it or remove the block")
PROMO_WITHOUT_CTA = _code("promo-without-cta", WARNING, "a promo without a call to action", "add 'cta:'")
MISSING_ALT = _code("missing-alt", WARNING, "an image without alt text", "describe what it shows")
STRAIGHT_QUOTES = _code("straight-quotes", WARNING, "`'` and `\"` where the house uses ’ “ ”",
                        "use curly quotes")
MISSING_PREHEADER = _code("missing-preheader", WARNING, "no preheader: inboxes preview the first words",
                          "add 'preheader:'")
UNKNOWN_MERGE_TAG = _code("unknown-merge-tag", BY_LEVEL,
                          "a merge tag the publication's `esp:` would print as written",
                          "use the service's tag from docs/esp.md, or the toolkit's own")
LOW_RESOLUTION_IMAGE = _code("low-resolution-image", WARNING,
                             "a local image narrower than twice the width it fills: blurry on "
                             "phones and retina screens", "export it at the width the hint gives, "
                             "or set a smaller 'width:'")
BAD_TIMESTAMP = _code("bad-timestamp", ERROR, "a transcript cue's time is not a WEBVTT timestamp",
                      "write it as hh:mm:ss.ttt or mm:ss.ttt, e.g. 00:01:02.500")
CUE_ENDS_BEFORE_START = _code("cue-ends-before-start", ERROR, "a transcript cue ends before it starts",
                              "correct the start or the end time")

# -- checks: publication.yaml ----------------------------------------------------------------------
BAD_EMAIL = _code("bad-email", ERROR, "a sender, reply-to or unsubscribe address that is not an email",
                  "write it as name@example.org")
BAD_BASE_URL = _code("bad-base-url", ERROR, "image_base_url is not an absolute http(s) URL",
                     "e.g. https://www.example.org/images/")
BAD_COLOR = _code("bad-color", ERROR, "a theme color that is not a hex color", "write it as #rrggbb")
UNKNOWN_INLINER = _code("unknown-inliner", ERROR, "publication.yaml's inliner: names no CSS inliner",
                          "write css-inline or premailer")
NO_PUBLICATION = _code("no-publication", BY_LEVEL,
                       "no publication.yaml next to the issue or above it: drafts render with built-in "
                       "defaults, export and send refuse", "create the file the message names")
PLACEHOLDER_SENDER = _code("placeholder-sender", ERROR,
                           "export: the sender is an example.com-style address",
                           "set sender: {name, email} to the address you send from")
MISSING_POSTAL_ADDRESS = _code("missing-postal-address", ERROR,
                               "export: no postal address, which anti-spam laws (CAN-SPAM, CASL) require",
                               "add 'postal_address:'")
MISSING_UNSUBSCRIBE = _code("missing-unsubscribe", ERROR,
                            "export: no unsubscribe link, or a placeholder",
                            "your service's unsubscribe merge tag or an https URL")
NO_ONE_CLICK_UNSUBSCRIBE = _code("no-one-click-unsubscribe", ERROR,
                                 "export: unsubscribe_url is neither https nor a merge tag: no RFC 8058 "
                                 "one-click unsubscribe, which Gmail and Yahoo require of bulk senders",
                                 "an https URL or your service's unsubscribe merge tag")
BAD_UNSUBSCRIBE = _code("bad-unsubscribe", ERROR, "an unsubscribe address holding `<`, `>`, `,`, a quote or "
                        "white space: it would add a URI to List-Unsubscribe", "percent-encode them")
BAD_FONT = _code("bad-font", ERROR, "theme.font is not a font-family list (`Arial;display:none` injects CSS)",
                 "write e.g. Helvetica, \"Segoe UI\", sans-serif")
UNTRUSTED_PUBLICATION = _code("untrusted-publication", ERROR, "the publication file, its folder or its "
                              "templates can be written by another user",
                              "chmod go-w, or keep it in your project")
# -- checks: spoofing and ranges (issue 21) --------------------------------------------------------
BIDI_CONTROL = _code("bidi-control", ERROR, "a bidirectional control (U+202A–U+202E, U+2066–U+2069) in the "
                     "subject, preheader, sender or publication name or a link's text: it reorders what "
                     "the reader sees (Trojan Source)", "delete it; write the text in reading order")
ZERO_WIDTH = _code("zero-width", ERROR, "a zero-width character (U+200B, U+2060, U+FEFF…; U+200C/U+200D "
                   "after Latin text) in the subject, preheader, sender or publication name or a link's "
                   "text: it hides words from filters and readers", "delete it")
OUT_OF_RANGE = _code("out-of-range", ERROR, "a width outside what an email can show (an image 1 px to "
                     "2,000 px, theme.width 320 px to 1,200 px) or an SMTP port outside 1–65535",
                     "use a number in the range the message gives")
BAD_LANG = _code("bad-lang", ERROR, "`lang` is not a language tag (BCP 47: `en`, `en-US`, `zh-Hant`)",
                 "write a tag of letters, digits and hyphens")
BAD_SMTP = _code("bad-smtp", ERROR, "publication.yaml's smtp: host or user is not one line of printable "
                 "ASCII without spaces", "write the server's host name and the login name")
# -- render, preview and export -------------------------------------------------------------------
TEMPLATE_ERROR = _code("template-error", ERROR, "a template (built-in or override) fails",
                       "fix the template at the line shown")
RENDER = _code("render", WARNING, "a render warning (size near Gmail's limit, CSS the inliner rejects)",
               "follow the message")
RENDER_FAILED = _code("render-failed", ERROR, "the preview could not render the issue",
                      "fix what the message names; the last good render stays")
RENDER_CRASHED = _code("render-crashed", ERROR, "the preview's renderer process died on this draft",
                       "undo the last edit; the last good render stays")
NO_IMAGE_BASE_URL = _code("no-image-base-url", ERROR, "export found a relative image and no image_base_url",
                          "set image_base_url in publication.yaml")
TOO_LARGE = _code("too-large", ERROR, "the email HTML is over Gmail's 102 KB clipping limit",
                  "shorten the issue or move a story to the web")
NO_LIST_UNSUBSCRIBE = _code("no-list-unsubscribe", WARNING, "export cannot write a List-Unsubscribe header",
                            "set unsubscribe_url or list_unsubscribe_mailto")
BROKEN_LINK = _code("broken-link", WARNING, "`export --check-links` found an address that fails",
                    "fix or remove the link")
# -- the pre-send check (authoring check; export runs its fast parts and refuses on errors) --------
CLIENT_UNSUPPORTED = _code("client-unsupported", WARNING,
                           "a template writes HTML or CSS that mail clients lack (caniemail), "
                           "with no fallback",
                           "use MJML's layout (sections, columns, attributes) instead; the finding names the "
                           "template line and the clients")
SPAM_SCORE = _code("spam-score", ERROR, "SpamAssassin scores the email at or over `check: spam_error` (5)",
                   "rewrite what the heaviest rules point at (listed in the report)")
SPAM_SCORE_HIGH = _code("spam-score-high", WARNING,
                        "SpamAssassin scores the email at or over `check: spam_warn` (3)",
                        "look at the rule hits in the report")
SIZE_CLIPPED = _code("size-clipped", ERROR, "the email HTML is over Gmail's 102 KB: the rest is clipped",
                     "shorten the largest block named (or move it to the web version)")
SIZE_NEAR_CLIP = _code("size-near-clip", WARNING, "the email HTML is over 90 KB, close to Gmail's clip",
                       "keep an eye on the largest block named")
ALT_FILE_NAME = _code("alt-file-name", WARNING,
                      "alt text that is a file name (`The Batch (1)-1`, `IMG_2041`)",
                      "describe what the picture shows")
LOGO_ALT = _code("logo-alt", WARNING, "the logo's alt text is empty or does not name the publication",
                 "set logo.alt to the publication's name")
IMAGE_ONLY_LINK = _code("image-only-link", WARNING, "a link only an image carries: gone with images off",
                        "link the same address from text too")
SUBJECT_LENGTH = _code("subject-length", WARNING,
                       "a subject of 61-90 characters: desktop inboxes show about 60 (past 90: long-subject)",
                       "put the words that matter first, or shorten it")
PREHEADER_LENGTH = _code("preheader-length", WARNING, "a preheader under 40 or over 140 characters",
                         "write 40-140 characters")
PREHEADER_REPEATS = _code("preheader-repeats", WARNING, "the preheader repeats the subject or the first line",
                          "say what the subject leaves out")
DEFAULT_FROM_NAME = _code("default-from-name", WARNING, "the From name is empty or the default 'Newsletter'",
                          "set sender.name to the newsletter's name")
VAGUE_LINK_TEXT = _code("vague-link-text", WARNING, "link text that says nothing (`click here`, `here`)",
                        "link the words that name the target")
NO_CAMPAIGN = _code("no-campaign", WARNING, "the publication has own domains but no campaign parameters",
                    "set campaign: in publication.yaml")
UNTAGGED_LINK = _code("untagged-link", WARNING, "a link to an own domain without campaign parameters",
                      "write the address as is; export tags it")
REPEATED_HEADLINE = _code("repeated-headline", WARNING, "a headline that ran in one of the last 8 issues",
                          "write a new headline, or drop the repeat")
REPEATED_LINK = _code("repeated-link", WARNING, "a link that ran in one of the last 8 issues",
                      "check it is meant to run again")
REPEATED_PROMO = _code("repeated-promo", WARNING, "the same promotion as the previous issue",
                       "rotate promotions")
NUMBER_SEQUENCE = _code("number-sequence", WARNING, "the issue number does not follow the previous issue's",
                        "number it one more than the previous")
NUMBER_TAKEN = _code("number-taken", WARNING, "another issue in the folder has the same number",
                     "give each issue its own number")
DATE_SEQUENCE = _code("date-sequence", ERROR, "the date is not after the previous issue's",
                      "set the date this issue goes out")
A11Y = _code("a11y", WARNING, "`check --browser`: axe-core finds a moderate or minor accessibility problem",
             "follow the axe rule's link")
A11Y_SERIOUS = _code("a11y-serious", ERROR,
                     "`check --browser`: axe-core finds a serious or critical accessibility problem",
                     "follow the axe rule's link")
# -- handed to the email service, and links that name another site (issue 21) ---------------------
ESP_TEMPLATE_CODE = _code("esp-template-code", BY_LEVEL,
                          "exported text the publication's `esp:` would run as its template language "
                          "(`{% if %}`, `{{ 7*7 }}`, `*|IF:X|*`), not a merge tag of it",
                          "write it another way (`{ {`), or use only the service's merge tags (docs/esp.md)")
MERGE_TAG_TYPO = _code("merge-tag-typo", BY_LEVEL,
                       "a near miss of one of the service's merge tags (`*|UPDATE_PROFIL|*`)",
                       "write the tag the message suggests")
LINK_TEXT_OTHER_HOST = _code("link-text-other-host", WARNING,
                             "a link whose text is an address or domain other than where it goes, "
                             "or an address with a name before its host (`https://paypal.com@evil.example`)",
                             "make the text name the real destination, or link words, not an address")
LINK_SHORTENER = _code("link-shortener", WARNING,
                       "a link through a shortener (bit.ly, t.co…): readers and spam filters cannot "
                       "see where it goes", "link the full address")
MIXED_SCRIPT_HOST = _code("mixed-script-host", WARNING,
                          "a link's host mixes scripts (Latin with Cyrillic or Greek…): a look-alike "
                          "of another domain", "check the address; type the host in plain ASCII")
# -- an editor's week (issue 24): missing files, repeats, placeholders, inbox and theme findings --
MISSING_IMAGE_FILE = _code("missing-image-file", BY_LEVEL,
                           "a relative image whose file does not exist (next to the issue; the logo next "
                           "to publication.yaml): the email would show a broken image",
                           "put the file there, or correct the path")
REPEATED_SALUTATION = _code("repeated-salutation", WARNING,
                            "the letter's body starts with its greeting (`Dear friends,`), which the "
                            "salutation already prints above it: readers see it twice",
                            "delete the greeting from the body, or set `salutation:` to it")
UNREPLACED_MERGE_TAG = _code("unreplaced-merge-tag", ERROR,
                             "export: a toolkit merge tag (`{{unsubscribe_url}}`) that no service will "
                             "replace (with `esp: none`, or one the chosen service lacks) in a header or "
                             "body: readers would get it as written",
                             "set `esp:` to your service in publication.yaml, or write the real address")
EMOJI_SUBJECT = _code("emoji-subject", WARNING,
                      "a subject of emoji alone: some inboxes show boxes, screen readers read names, "
                      "and spam filters score it", "say in words what the issue holds")
IMAGE_HEAVY = _code("image-heavy", WARNING,
                    "the email is mostly one big image with a line of text: blank with images off, "
                    "and spam filters score the low text-to-image ratio",
                    "write the message as text, and keep the image as an illustration")
LOW_CONTRAST = _code("low-contrast", WARNING,
                     "two theme colors shown on each other (text, links, accent on the column, light "
                     "and dark) below WCAG's 4.5:1",
                     "darken or lighten one of them (the message gives the pair and the ratio)")
# -- import ----------------------------------------------------------------------------------------
EMPTY_INPUT = _code("empty-input", ERROR, "the text file to import is empty", "check the path")
BINARY_INPUT = _code("binary-input", ERROR, "the file to import is not text",
                     "import the archive's .txt file")
UNCLASSIFIED_TEXT = _code("unclassified-text", WARNING, "imported text kept as a text block",
                          "move it into the right block by hand")
EMPTY_LETTER = _code("empty-letter", WARNING, "an imported salutation with no letter after it",
                     "check the source around that line")
CONTROL_CHARACTER_REPLACED = _code(
    "control-character-replaced", WARNING,
    "imported text held a character YAML cannot (ESC, VT, other C0/C1 controls, U+FFFE, a lone "
    "surrogate): replaced with U+FFFD on the line named", "delete the U+FFFD or put back what it stood for")
CLUTTER_BEFORE_LETTER = _code(
    "clutter-before-letter", WARNING, "web-page text before an imported letter's salutation (reading "
    "time, navigation, a cover caption, a date), kept as comments at the top of the YAML",
    "delete the comments, or move what belongs to the issue into a block")
WEB_CLUTTER = _code("web-clutter", WARNING, "imported web-page text (reading time, a navigation line, a "
                    "date) before a block, kept as comments at the top of the YAML",
                    "delete the comments, or move what belongs to the issue into a block")
GLUED_HEADER = _code("glued-header", WARNING, "`NewsUpping the Ante`: an imported header stuck to a "
                     "headline, split in two", "check the header and the headline")
TRANSCRIPT_AS_TEXT = _code("transcript-as-text", WARNING, "an imported WEBVTT transcript with what a "
                           "transcript block cannot hold (cue settings, named cues), kept as its "
                           "own text block with its cues and timings as written",
                           "keep it, shorten it, or link to it")
TRANSCRIPT_HEADER = _code("transcript-header", WARNING, "an imported WEBVTT transcript's header lines "
                          "(`Kind: captions`, `Language: en`), kept as comments at the top of the YAML",
                          "delete the comments: they describe the captions file, not the issue")
INDEX_CARDS = _code("index-cards", WARNING, "imported index cards (a title, a date, a summary, "
                    "repeated), kept as a text block", "keep them as text, or link to the issues they list")
INVENTED_SUBJECT = _code("invented-subject", WARNING, "plain text has no subject: the imported subject "
                         "is the first headline (or title, or the file name)",
                         "set issue.subject to the subject the issue was sent with")
# -- import: issue 23's shapes, and long or glued text wherever it comes from ----------------------
GLUED_KICKER = _code("glued-kicker", WARNING, "`A MESSAGE FROM DEEPLEARNING.AIAI agents…`: an imported "
                     "kicker stuck to its promo's text, split in two",
                     "check the kicker and the promo's first words")
GLUED_HEADLINE = _code("glued-headline", WARNING, "`The Coming CrackdownThe European Union…`: an imported "
                       "headline stuck to its dek, split in two", "check the headline and the dek")
TRANSCRIPT_FLATTENED = _code("transcript-flattened", WARNING, "an imported WEBVTT transcript flattened into "
                             "one line (`WEBVTTKind: captions…`, no timings), kept as written in a text "
                             "block or the letter",
                             "split it into a transcript block, or link to the recording")
COVER_CAPTION = _code("cover-caption", WARNING, "an imported web page's cover caption, above the letter, "
                      "became the letter's first image, without its picture",
                      "give the image its src, or delete it")
LONG_PARAGRAPH = _code("long-paragraph", WARNING, "a paragraph over 2,000 characters: a wall of text to a "
                       "reader, often pasted text whose line breaks were lost", "split it into paragraphs")
GLUED_WORDS = _code("glued-words", WARNING, "a paragraph with a run of words glued together (`show.So`, "
                    "`todayPicking`), as pasted captions lose their line breaks",
                    "put back the spaces or line breaks")

# -- the archive site (authoring site) -------------------------------------------------------------
SITE_BASE_URL = _code("site-base-url", ERROR, "`site.base_url` is missing (to build a site) or not an "
                      "absolute http(s) address", "set site: {base_url: https://example.org/archive/}")
SITE_ISSUE_PATH = _code("site-issue-path", ERROR, "`site.issue_path` is not a relative folder holding "
                        "`{number}` (letters, digits, `-_.~/` only, no `..`, not in `page/`, `images/` "
                        "or `drafts/`)", "e.g. issue-{number}/")
SITE_SIZE = _code("site-size", ERROR, "`site.page_size` or `site.feed_size` is below 1 or over 1000",
                  "pick a number from 1 to 1000 (default 20)")
SITE_URL_TAKEN = _code("site-url-taken", ERROR, "two published issues would share one page (same number)",
                       "give each issue its own number")
SITE_IMAGE = _code("site-image", ERROR, "an image a site page shows cannot be copied: not found, "
                   "outside the issue's and the publication's folders, not a regular file, or over 20 MB",
                   "put the image next to the issue, or use an https:// address")
SITE_EMAIL_TEXT = _code("site-email-text", WARNING, "text that speaks to an email's reader (`reply to this "
                        "email`, `forward this email`): on the archive page there is nothing to reply to",
                        "say how to reach you instead (`write to ...`), or keep it if it reads well")
SITE_WEB_URL = _code("site-web-url", WARNING, "an issue's `web_url` is not where the site puts its page",
                     "make web_url and site.base_url + site.issue_path agree")
SITE_OUTPUT = _code("site-output", ERROR, "the site folder is not one `authoring site` made, or holds a "
                    "file of ours beside one it did not write", "build into a new or empty folder")
# -- export's pre-send rules (issue 22) ------------------------------------------------------------
UNREADABLE_IMAGE_FILE = _code("unreadable-image-file", ERROR,
                              "export: a local image it cannot read (over 50 MB, or unreadable): it would "
                              "be missing from the manifest's images to upload, and broken in the email",
                              "use a smaller file (an email's image is rarely over 1 MB), or check its "
                              "permissions")


# -- the table in docs/format.md -------------------------------------------------------------------

TABLE_START = "<!-- codes: generated from authoring/codes.py: python -m authoring.codes docs/format.md -->"
TABLE_END = "<!-- end of codes -->"


def markdown_table() -> str:
    """The docs table of codes, one row per code, in catalogue order."""
    rows = ["| code | severity | what it means | how to fix |", "| --- | --- | --- | --- |"]
    rows += [f"| `{c.code}` | {_cell(c.severity)} | {_cell(c.meaning)} | {_cell(c.fix)} |"
             for c in CATALOGUE.values()]
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def with_table(doc: str) -> str:
    """``doc`` with its generated table replaced by the catalogue's."""
    # compiled here, not at import: every command imports this module, only this uses it
    table = re.compile(re.escape(TABLE_START) + r"\n.*?" + re.escape(TABLE_END), re.DOTALL)
    if not table.search(doc):
        raise ValueError(f"no table of codes: the document lacks the line {TABLE_START}")
    return table.sub(lambda _: f"{TABLE_START}\n{markdown_table()}\n{TABLE_END}", doc, count=1)


def main(argv: list[str]) -> int:
    """``python -m authoring.codes [DOC.md]``: print the table, or rewrite it inside DOC.md."""
    if not argv:
        print(markdown_table())
        return 0
    path = Path(argv[0])
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
