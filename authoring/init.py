"""``authoring init``: a team's own folder, ready for its first issue.

Writes ``publication.yaml`` (the team's name, sender, sign-off and promo kicker), the issue and
publication schemas under ``schema/`` (so editors complete and check the YAML without the
toolkit's clone, and ``authoring new`` points at them by a relative path) and a
``.gitignore`` for the exports in ``out/``. It never replaces a file: when any of them exists,
nothing is written and the existing ones are named.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from authoring.diagnostics import AuthoringError
from authoring.files import write_temp
from authoring.paths import PUBLICATION_FILE, SCHEMA_FILE

PUBLICATION_SCHEMA_FILE = SCHEMA_FILE.parent / "publication.schema.json"
GITIGNORE = ".gitignore"
FIELD_MAX_CHARS = 200
"""A name, sign-off or kicker is one short line; longer is a paste gone wrong."""


@dataclass
class TeamSettings:
    """What ``init`` asks: the few settings that make the issues the team's own."""

    name: str
    """The newsletter's name, e.g. "Team Weekly"."""
    sender_email: str
    """The From address."""
    sender_name: str | None = None
    """The From name (default: the newsletter's name)."""
    signoff: str | None = None
    signature: str | None = None
    promo_kicker: str | None = None
    """Default: "A MESSAGE FROM <NAME>"."""
    postal_address: str | None = None
    """Required to export (anti-spam law); left as a comment to fill in when not given."""
    esp: str | None = None
    """The email service the exports are pasted into (``authoring.esp.ESPS``); None or "none":
    the team sends them itself, so it needs an unsubscribe URL of its own."""
    unsubscribe_url: str | None = None
    """An https page that unsubscribes; with a service, its own merge tag is used instead."""


def problem(field: str, value: str | None) -> str | None:
    """Why ``value`` cannot be the setting ``field`` (a TeamSettings field), or None."""
    from authoring.checks import invisible_characters, is_email
    from authoring.esp import ESPS

    if value is None:
        return None
    if field == "esp":
        return None if value in ESPS else f"one of: {', '.join(ESPS)}"
    if field == "unsubscribe_url":
        return None if value.startswith("https://") and not any(
            c.isspace() or ord(c) < 32 for c in value) else "an https:// address, without spaces"
    if field == "sender_email":
        return None if is_email(value) else f"{value!r} is not an email address (name@example.org)"
    if len(value) > FIELD_MAX_CHARS:
        return f"at most {FIELD_MAX_CHARS} characters"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
        return "one line of text, without control characters"
    if any(True for _ in invisible_characters(value)):
        return "no bidirectional controls or zero-width characters"
    if field == "name" and not value.strip():
        return "the newsletter needs a name"
    return None


def publication_yaml(settings: TeamSettings) -> str:
    """The text of the team's publication.yaml: their settings, and comments for the rest."""
    from authoring.new import yaml_scalar

    name = settings.name.strip()
    kicker = settings.promo_kicker or f"A MESSAGE FROM {name.upper()}"
    lines = [
        f"# yaml-language-server: $schema={PUBLICATION_SCHEMA_FILE.as_posix()}",
        "# The settings every issue shares. Every key: docs/format.md, or `authoring schema --publication`.",
        f"name: {yaml_scalar(name)}",
        f"sender: {{name: {yaml_scalar(settings.sender_name or name)}, "
        f"email: {yaml_scalar(settings.sender_email)}}}",
    ]
    if settings.postal_address:
        lines.append(f"postal_address: {yaml_scalar(settings.postal_address)}")
    else:
        lines.append("# postal_address: Company, street, city, country   (required to export)")
    lines += _unsubscribe_lines(settings)
    lines += [
        "# Where relative image paths (images/x.png) are uploaded, required to export them:",
        "# image_base_url: https://www.example.org/newsletter/images/",
        "# SMTP server for test sends (the password comes from $AUTHORING_SMTP_PASSWORD or a prompt):",
        "# smtp: {host: smtp.example.org, port: 587, user: editor, security: starttls}",
        "# Where `authoring site` publishes the web archive, required to build it:",
        "# site: {base_url: https://www.example.org/archive/, subscribe_url: https://www.example.org/subscribe}",
        "new_issue:  # what `authoring new` writes into a fresh issue",
    ]
    for key, value in (("signoff", settings.signoff), ("signature", settings.signature),
                       ("promo_kicker", kicker)):
        lines.append(f"  {key}: {yaml_scalar(value)}" if value else f"  # {key}: ...")
    return "\n".join(lines) + "\n"


def _unsubscribe_lines(settings: TeamSettings) -> list[str]:
    """The email service and the unsubscribe link: export refuses an issue that has neither a
    service to replace the toolkit's ``{{unsubscribe_url}}`` tag nor an address of its own."""
    from authoring.new import yaml_scalar

    if settings.esp and settings.esp != "none":
        return [f"esp: {settings.esp}  # its merge tags replace the toolkit's (docs/esp.md)",
                '# The toolkit\'s tag, written as the service\'s own unsubscribe tag on export:',
                'unsubscribe_url: "{{unsubscribe_url}}"']
    if settings.unsubscribe_url:
        return ["# esp: mailchimp   # set when an email service sends the issues (docs/esp.md)",
                f"unsubscribe_url: {yaml_scalar(settings.unsubscribe_url)}"]
    return ["# Required to export: an email service whose merge tags export writes (docs/esp.md),",
            "# or, when you send the issues yourself, a page of yours that unsubscribes:",
            "# esp: mailchimp",
            "# unsubscribe_url: https://www.example.org/unsubscribe"]


def planned_files(settings: TeamSettings) -> dict[Path, bytes]:
    """Relative path → content of every file init writes, in write order."""
    from authoring import schema

    return {
        SCHEMA_FILE: schema.dumps(schema.issue_schema()).encode("utf-8"),
        PUBLICATION_SCHEMA_FILE: schema.dumps(schema.publication_schema()).encode("utf-8"),
        Path(GITIGNORE): b"# exports: authoring export ISSUE.yaml -o out/NNNN\nout/\n",
        Path(PUBLICATION_FILE): publication_yaml(settings).encode("utf-8"),
    }


def init_folder(folder: str | Path, settings: TeamSettings) -> list[Path]:
    """Write the team's files into ``folder`` (made if missing); return their paths.

    Refuses (AuthoringError, nothing written) when a setting is malformed or when any of the
    files already exists, as a file, folder or link, naming each one. Each file appears
    whole (written beside it, then hard-linked to its name, which fails rather than replace
    a file that appeared meanwhile)."""
    folder = Path(folder)
    bad = [f"{field}: {reason}" for field in ("name", "sender_email", "sender_name", "signoff",
                                              "signature", "promo_kicker", "postal_address", "esp",
                                              "unsubscribe_url")
           if (reason := problem(field, getattr(settings, field)))]
    if bad:
        raise AuthoringError("cannot write these settings: " + "; ".join(bad))
    if os.path.lexists(folder) and not folder.is_dir():
        raise AuthoringError(f"{folder} exists and is not a folder: give a folder to set up")
    files = planned_files(settings)
    refused = _validation_errors(files[Path(PUBLICATION_FILE)].decode("utf-8"), folder)
    if refused:
        raise AuthoringError("cannot write these settings: " + "; ".join(refused))
    schema_folder = folder / SCHEMA_FILE.parent
    if schema_folder.is_symlink() or (os.path.lexists(schema_folder) and not schema_folder.is_dir()):
        raise AuthoringError(f"{schema_folder} is a link or a file: init writes the schemas only "
                             "into a folder of its own")
    existing = [folder / rel for rel in files if os.path.lexists(folder / rel)]
    if existing:
        raise AuthoringError(f"{', '.join(map(str, existing))} already exist"
                             f"{'s' if len(existing) == 1 else ''}: init never replaces a file "
                             "(move it away, or edit it by hand)")
    written: list[Path] = []
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = write_temp(target.parent, target.name, data)
        try:
            os.link(temp, target)  # never over an existing name, unlike a rename
        except FileExistsError:
            raise AuthoringError(f"{target} appeared while init was writing; it was left as it is "
                                 f"(written so far: {', '.join(map(str, written)) or 'nothing'})"
                                 ) from None
        finally:
            temp.unlink(missing_ok=True)
        written.append(target)
    return written


def _validation_errors(text: str, folder: Path) -> list[str]:
    """What validation would refuse in the publication.yaml about to be written: init never
    writes a file the next command rejects (each setting's own check is a first, quick filter)."""
    from authoring.checks import check_publication
    from authoring.diagnostics import Severity, format_path
    from authoring.load import LoadError, load_text
    from authoring.structure import build_publication

    try:
        doc = load_text(text, PUBLICATION_FILE)
    except LoadError as exc:
        return [exc.diagnostic.message]
    publication, problems = build_publication(doc)
    errors = [d.message for d in problems if d.is_error]
    if publication is not None:
        errors += [f"{format_path(f.path)}: {f.message}"
                   for f in check_publication(publication, folder=folder) if f.severity is Severity.ERROR]
    return errors
