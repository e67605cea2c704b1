"""Export end to end with the real renderer: every file checked, atomic writes, links."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import os
import re
import shutil
import socket
import threading
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from typer.testing import CliRunner

from authoring import esp, files
from authoring.cli import app
from authoring.commands import format_size
from authoring.diagnostics import AuthoringError
from authoring.export import export_issue
from authoring.render import GMAIL_CLIP_BYTES
from authoring.validate import load_issue
from conftest import DATA, ISSUES, copy_samples, sample_issues, seed_samples

runner = CliRunner()
NO_URLS = DATA / "export" / "seed-without-urls.yaml"
SEED_YAMLS = {yaml for _, yaml in seed_samples()}
EXPORT_NAMES = lambda stem: {f"{stem}.html", f"{stem}.txt", f"{stem}.eml", f"{stem}.web.html",  # noqa: E731
                             "manifest.json", files.MARKER}
EXPORT_REQUIREMENTS = {"missing-url", "missing-image-src", "missing-number", "missing-date",
                       "placeholder-url", "relative-link"}
"""Error codes that the export level adds to a draft that validates."""
HREF = re.compile(r'href="([^"]*)"')
SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]*)"')


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of the folder, hidden ones included, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def copy_issues(tmp_path: Path) -> Path:
    return copy_samples(tmp_path / "issues")


def unescape(url: str) -> str:
    return url.replace("&amp;", "&")


# ---------------------------------------------------------------- the samples


@pytest.mark.parametrize("path", sample_issues(), ids=lambda p: p.name)
def test_every_sample_exports_or_fails_clearly(path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(path), "-o", str(out)])
    if path in SEED_YAMLS:
        # Imported from the plain-text archive, which keeps no link targets, image sources,
        # numbers or dates: a fine draft that export must refuse, saying what is missing.
        assert result.exit_code == 1, result.output
        assert not out.exists()
        codes = set(re.findall(rf"(?m)^{re.escape(str(path))}:\d+:\d+: error: .*\[([a-z-]+)\]$",
                               result.stderr))
        assert codes and codes <= EXPORT_REQUIREMENTS, result.stderr
        assert result.stderr.splitlines()[-1].endswith("; nothing exported")
        assert load_issue(path).report.errors == []
        return
    assert result.exit_code == 0, result.output
    check_export(path, out)


def test_an_issue_without_urls_exports_nothing(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(NO_URLS), "-o", str(out)])
    assert result.exit_code == 1
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert f"{NO_URLS}:12:26: error: letter.body: link URL is missing — add it before export [missing-url]" \
        in lines
    assert any(line.startswith(f"{NO_URLS}:21:14: error:") and "[missing-image-src]" in line
               for line in lines)
    assert any(line.startswith(f"{NO_URLS}:30:12: error:") for line in lines)
    # and, in one run, the publication's: no logo file beside it, no service for its merge tags
    publication = NO_URLS.parent / "publication.yaml"
    assert sum(line.startswith(f"{publication}:") and line.endswith("[unreplaced-merge-tag]")
               for line in lines) == 2
    assert any(line.startswith(f"{publication}:7:13: error: the logo 'images/logo.png' does not exist")
               for line in lines)
    assert lines[-1] == f"error: {NO_URLS}: 6 errors; nothing exported"


def check_export(path: Path, out: Path) -> None:
    """Everything the export of ``path`` promises, checked from the files alone."""
    validated = load_issue(path)
    info, pub = validated.issue.issue, validated.publication
    stem = path.stem
    assert {p.name for p in out.iterdir()} == EXPORT_NAMES(stem)  # and no temporary files
    html_bytes = (out / f"{stem}.html").read_bytes()
    text_bytes = (out / f"{stem}.txt").read_bytes()
    eml_bytes = (out / f"{stem}.eml").read_bytes()
    web = (out / f"{stem}.web.html").read_text(encoding="utf-8")

    # The message: 7-bit, CRLF, within SMTP's line limit, and parses without defects.
    eml_bytes.decode("ascii")
    assert b"\n" not in eml_bytes.replace(b"\r\n", b"")
    assert max(len(line) for line in eml_bytes.split(b"\r\n")) <= 998
    msg = email.message_from_bytes(eml_bytes, policy=email.policy.default)
    assert msg.defects == []
    assert msg.get_content_type() == "multipart/alternative"
    text_part, html_part = msg.iter_parts()
    assert [text_part.get_content_type(), html_part.get_content_type()] == ["text/plain", "text/html"]
    for part in (text_part, html_part):
        assert part.defects == []
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] in {"quoted-printable", "base64", "7bit"}
        assert "MIME-Version" not in part
    assert html_part.get_payload(decode=True) == html_bytes
    assert text_part.get_payload(decode=True) == text_bytes
    assert html_part.get_content() == html_bytes.decode("utf-8")
    assert text_part.get_content() == text_bytes.decode("utf-8")

    # Headers from the issue and the publication file.
    assert msg["From"].addresses[0].addr_spec == pub.sender.email
    assert msg["From"].addresses[0].display_name == pub.sender.name
    assert msg["Reply-To"] == pub.reply_to
    assert msg["Subject"].lstrip() == info.subject  # lstrip: see test_send on folding
    assert parsedate_to_datetime(msg["Date"]).date() == info.date
    assert msg["MIME-Version"] == "1.0"
    domain = pub.sender.email.rpartition("@")[2]
    assert re.fullmatch(rf"<[^<>@\s]+@{re.escape(domain)}>", msg["Message-ID"])
    unsubscribe = re.findall(r"<([^>]+)>", msg["List-Unsubscribe"])
    assert unsubscribe == [esp.rewrite(pub.unsubscribe_url, pub.esp),
                           f"mailto:{pub.list_unsubscribe_mailto}?subject=unsubscribe"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The manifest describes exactly these files.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["issue"] == {"number": info.number, "date": info.date.isoformat(),
                                 "subject": info.subject, "source": path.name}
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == EXPORT_NAMES(stem) - {"manifest.json", files.MARKER}
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["html_bytes"] == len(html_bytes) <= GMAIL_CLIP_BYTES
    assert manifest["warnings"] == []

    # Images resolved against the publication's base URL; nothing relative is left.
    html = html_bytes.decode("utf-8")
    srcs = SRC.findall(html)
    assert srcs and all(src.startswith("https://") for src in srcs)
    assert urljoin(pub.image_base_url, validated.issue.stories[1].image.src) in srcs

    # Campaign parameters on every link to the publication's domains, in HTML and text alike.
    text = text_bytes.decode("utf-8")
    own, other = set(), set()
    for href in map(unescape, HREF.findall(html)):
        host = urlsplit(href).hostname or ""
        (own if any(host == d or host.endswith("." + d) for d in pub.domains) else other).add(href)
    assert own, "the sample links to its own site"
    for href in own:
        params = dict(parse_qsl(urlsplit(href).query))
        assert params["utm_campaign"] == f"the-batch-{info.number}"
        assert params["utm_source"] == pub.campaign.source
        assert params["utm_medium"] == pub.campaign.medium
    assert not any("utm_" in href for href in other)
    assert esp.rewrite("{{unsubscribe_url}}", pub.esp) in other and "mailto:thebatch@deeplearning.ai" in other
    flat_text = re.sub(r"\s+", "", text)  # the text version wraps long URLs
    in_text = [href for href in own if href in flat_text]
    assert in_text, "the text version carries the tagged links"
    for href in own:  # and never an own link without its campaign parameters
        bare = href.split("?utm_source=")[0]
        # the whole address, not a prefix of a longer one (the logo's link and the issue's web URL)
        for found in re.finditer(re.escape(bare) + r"(?![\w/.~%-])", flat_text):
            assert flat_text.startswith(href, found.start())
    assert "utm_" not in web

    # The archive page: a title, a description, no merge tags for the inbox.
    assert re.search(r"<title>[^<]*Robots that learn from video", web)
    assert re.search(r'<meta\s+name="description"', web)
    assert "{{unsubscribe_url}}" not in web


def test_export_is_reproducible(tmp_path):
    first = export_issue(ISSUES / "0321.yaml", tmp_path / "a")
    second = export_issue(ISSUES / "0321.yaml", tmp_path / "b")
    del_marker = lambda s: {n: d for n, d in s.items() if n != files.MARKER}  # noqa: E731 (a random id)
    assert del_marker(snapshot(tmp_path / "a")) == del_marker(snapshot(tmp_path / "b"))
    assert [f.sha256 for f in first.files] == [f.sha256 for f in second.files]


def test_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        result = export_issue(ISSUES / "0321.yaml", tmp_path / "out")
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in result.paths} == {"0o644"}


# ---------------------------------------------------------------- atomic as a set


def earlier_export(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """An export of a different version of the issue, and the issue to export over it."""
    folder = copy_issues(tmp_path)
    issue = folder / "0321.yaml"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("Robots that learn", "Robots that learned"), encoding="utf-8")
    out = tmp_path / "out"
    export_issue(issue, out)
    issue.write_text(text, encoding="utf-8")
    before = snapshot(out)
    assert set(before) == EXPORT_NAMES("0321")
    return issue, out, before


def test_a_failed_write_leaves_the_earlier_export_untouched(tmp_path, monkeypatch):
    issue, out, before = earlier_export(tmp_path)
    real = files._write_synced
    calls = []

    def third_write_fails(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(files, "_write_synced", third_write_fails)
    result = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert calls == [files.MARKER, "0321.html", "0321.txt"]
    assert result.exit_code == 1
    assert "No space left on device; nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before  # same files, same bytes, no temporary file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == sorted([
        ".out.export-lock", os.readlink(out)])  # the new set's folder is gone; the current one remains


def test_a_failed_switch_leaves_the_earlier_export(tmp_path, monkeypatch):
    issue, out, before = earlier_export(tmp_path)
    real = os.replace

    def switch_fails(src, dst):
        if Path(dst) == out:
            raise OSError(5, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", switch_fails)
    with pytest.raises(AuthoringError, match="nothing was changed"):
        export_issue(issue, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == sorted([
        ".out.export-lock", os.readlink(out)])


def test_a_full_disk_on_a_first_export_leaves_no_folder(tmp_path, monkeypatch):
    def disk_full(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(files, "_write_synced", disk_full)
    with pytest.raises(AuthoringError, match="nothing was changed"):
        export_issue(ISSUES / "0321.yaml", tmp_path / "out")
    # no empty folder, no stray set; the lock file stays (removing one races its next taker)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.export-lock"]


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder")
    result = runner.invoke(app, ["export", str(ISSUES / "0321.yaml"), "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {target} is not a folder (a file, a pipe or a device)")
    assert target.read_text() == "not a folder"


# ---------------------------------------------------------------- refusals


def write_issue(folder: Path, text: str, *, name: str = "0500.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = (DATA / "export" / "minimal.yaml").read_text(encoding="utf-8")
"""One news story with a local image: the smallest issue that exports."""


def test_a_relative_image_without_a_base_url_is_an_error(tmp_path):
    folder = copy_issues(tmp_path)
    pub = folder / "publication.yaml"
    pub.write_text(re.sub(r"(?m)^image_base_url:.*\n", "", pub.read_text(encoding="utf-8")),
                   encoding="utf-8")
    issue = write_issue(folder, MINIMAL)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert result.exit_code == 1
    assert (f"{issue}:9:20: error: image 'images/robot-arm.png' is a relative path and the "
            "publication sets no image_base_url") in result.stderr
    assert f"{pub}:7:13: error: image 'images/logo.png'" in result.stderr  # the logo
    assert not out.exists()


def test_html_over_gmails_limit_is_an_error(tmp_path):
    folder = copy_issues(tmp_path)
    paragraph = "Researchers trained a policy on thousands of hours of video. " * 12
    block = "  - text: |\n" + "".join(f"      {paragraph}\n\n" for _ in range(50))
    big = MINIMAL + block * 3  # three blocks: one text field may hold at most 64 KB
    issue = write_issue(folder, big)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert result.exit_code == 1
    assert "Gmail clips messages over 102 KB" in result.stderr
    assert result.stderr.count("Gmail clips") == 1  # the renderer's size warning is not repeated
    assert not out.exists()


def test_strict_refuses_warnings_and_otherwise_they_reach_the_manifest(tmp_path):
    folder = copy_issues(tmp_path)
    issue = write_issue(folder, MINIMAL.replace("  preheader: Just one story this week, with a picture.\n",
                                                ""))
    out = tmp_path / "out"
    strict = runner.invoke(app, ["export", "--strict", str(issue), "-o", str(out)])
    assert strict.exit_code == 1
    assert "[missing-preheader]" in strict.stderr and "--strict; nothing exported" in strict.stderr
    assert not out.exists()
    relaxed = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "[missing-preheader]" in relaxed.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in manifest["warnings"]] == ["missing-preheader"]


def test_links_are_left_alone_without_campaign_settings(tmp_path):
    folder = copy_issues(tmp_path)
    pub = folder / "publication.yaml"
    pub.write_text(re.sub(r"(?m)^campaign:.*\n", "", pub.read_text(encoding="utf-8")), encoding="utf-8")
    issue = write_issue(folder, MINIMAL)
    result = export_issue(issue, tmp_path / "out")
    html = (result.out_dir / "0500.html").read_text(encoding="utf-8")
    assert 'href="https://www.deeplearning.ai/x"' in html
    assert "utm_" not in html + (result.out_dir / "0500.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- --check-links


class _Site(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(200 if urlsplit(self.path).path == "/x" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD


@pytest.fixture
def site(monkeypatch):
    """A local web server that the made-up host links.batch.test resolves to."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "links.batch.test":
            host = "127.0.0.1"
        elif host != "127.0.0.1":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield f"http://links.batch.test:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_links_reports_broken_links_with_their_line(tmp_path, site):
    folder = copy_issues(tmp_path)
    pub = folder / "publication.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace(
        "image_base_url: https://www.deeplearning.ai/the-batch/", f"image_base_url: {site}/"),
        encoding="utf-8")
    text = MINIMAL.replace("https://www.deeplearning.ai/x", f"{site}/x") + (
        f"        - Why it matters: See [the gone page]({site}/gone).\n")
    issue = write_issue(folder, text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", "--check-links", str(issue), "-o", str(out)])
    assert result.exit_code == 0, result.output
    broken = [line for line in result.stderr.splitlines() if "[broken-link]" in line]
    assert (f"{issue}:12:47: warning: '{site}/gone' does not work: 404 Not Found — fix or remove "
            "the link [broken-link]") in broken
    # images are checked too, at their resolved address; /x is the only page that exists
    assert f"{issue}:9:20: warning: '{site}/images/robot-arm.png' does not work: 404 Not Found" \
        " — fix or remove the link [broken-link]" in broken
    assert any(line.startswith(f"{pub}:7:13: warning: '{site}/images/logo.png'") for line in broken)
    assert not any(f"{site}/x'" in line for line in broken)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "broken-link" in {w["code"] for w in manifest["warnings"]}


def test_strict_refuses_an_export_for_a_broken_link_alone(tmp_path):
    """The same https issue exports under --strict until the link check finds one link broken."""
    from authoring.links import BrokenLink, LinkCheck

    folder = copy_issues(tmp_path)
    image = "{src: 'https://www.deeplearning.ai/a.png', alt: A robot arm}"
    issue = write_issue(folder, MINIMAL.replace("{src: images/robot-arm.png, alt: A robot arm}", image))
    gone = "https://www.deeplearning.ai/x"

    def all_fine(urls):
        return LinkCheck(checked=urls)

    def one_broken(urls):
        assert gone in [u.split("?")[0] for u in urls]
        return LinkCheck(checked=urls, broken=[BrokenLink(next(u for u in urls if u.startswith(gone)),
                                                          "404 Not Found")])

    export_issue(issue, tmp_path / "fine", strict=True, check_links=True, link_check=all_fine)
    with pytest.raises(AuthoringError, match="1 warning and --strict") as info:
        export_issue(issue, tmp_path / "strict", strict=True, check_links=True, link_check=one_broken)
    assert [d.code for r in info.value.reports for d in r.diagnostics] == ["broken-link"]
    assert not (tmp_path / "strict").exists()


def test_check_links_offline_says_so_once_and_exports(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", "--check-links", "--strict", str(ISSUES / "0321.yaml"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "links not checked" in notes[0] and "no network" in notes[0]
    assert "[broken-link]" not in result.stderr
    assert set(snapshot(out)) == EXPORT_NAMES("0321")


@pytest.mark.parametrize("target", ["publication.yaml", "missing.yaml"])
def test_what_is_not_an_issue_is_a_clear_error(tmp_path, target):
    folder = copy_issues(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(folder / target), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(f"error: {folder / target}")
    assert "Traceback" not in result.output and not out.exists()


def test_a_long_non_ascii_subject_round_trips(tmp_path):
    folder = copy_issues(tmp_path)
    subject = "Roboter lernen aus Videos — warum kleine Modelle gewinnen, und was das für Sie heißt 🤖"
    issue = write_issue(folder, MINIMAL.replace("subject: A short issue", f'subject: "{subject}"'))
    result = export_issue(issue, tmp_path / "out")
    eml = (result.out_dir / "0500.eml").read_bytes()
    eml.decode("ascii")  # encoded words, not raw UTF-8
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    assert msg["Subject"].lstrip() == subject
    assert max(len(line) for line in eml.split(b"\r\n")) <= 78


# ---------------------------------------------------------------- a real publication, the ESP's merge tags


def test_without_a_publication_file_export_and_send_refuse(tmp_path):
    shutil.copy(ISSUES / "0321.yaml", tmp_path / "0321.yaml")
    shutil.copytree(ISSUES / "images", tmp_path / "images")
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(tmp_path / "0321.yaml"), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert f"{tmp_path / 'publication.yaml'}: error: no publication.yaml" in result.stderr
    assert "[no-publication]" in result.stderr and "Traceback" not in result.output
    render = runner.invoke(app, ["render", str(tmp_path / "0321.yaml"), "-o", str(tmp_path / "r")])
    assert render.exit_code == 0, render.output
    assert render.output.count("[no-publication]") == 1 and "built-in defaults" in render.output


def test_the_chosen_services_merge_tags_reach_html_text_and_headers(tmp_path):
    folder = copy_issues(tmp_path)
    publication = folder / "publication.yaml"
    assert "\nesp: mailchimp\n" in publication.read_text(encoding="utf-8")  # the sample's service
    issue = folder / "0321.yaml"  # no web_url: the publication's View in browser link
    issue.write_text(re.sub(r"\n  web_url: .*", "", issue.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    export_issue(folder / "0321.yaml", out)
    html = (out / "0321.html").read_text(encoding="utf-8")
    text = (out / "0321.txt").read_text(encoding="utf-8")
    msg = email.message_from_bytes((out / "0321.eml").read_bytes(), policy=email.policy.default)
    assert 'href="*|UNSUB|*"' in html and 'href="*|ARCHIVE|*"' in html
    assert "Unsubscribe: *|UNSUB|*" in text
    assert msg["List-Unsubscribe"].strip().startswith("<*|UNSUB|*>")  # strip: header folding
    for part in (html, text, msg.as_string()):
        assert "{{unsubscribe_url}}" not in part and "{{web_version_url}}" not in part
    web = (out / "0321.web.html").read_text(encoding="utf-8")
    assert "*|" not in web


# ---------------------------------------------------------------- hostile headers (issue 10)

HOSTILE = DATA / "hostile"
SCRIPTS = [
    "Роботы учатся домашним делам по видео, а маленькие модели снова выигрывают у больших",
    "Ρομπότ μαθαίνουν δουλειές του σπιτιού από βίντεο και γιατί τα μικρά μοντέλα κερδίζουν",
    "机器人 通过 视频 学习 家务， 以及 为什么 小模型 一直 获胜 —— 本周 要闻 与 深度 分析 汇总",
    "الروبوتات تتعلم الأعمال المنزلية من الفيديو ولماذا تستمر النماذج الصغيرة في الفوز",
    "रोबोट वीडियो से घरेलू काम सीखते हैं और छोटे मॉडल क्यों जीतते रहते हैं इस सप्ताह",
    "日本語の件名：ロボットが動画から家事を学ぶ、そして小さなモデルが勝ち続ける理由について",
    "A plain ASCII subject that is long enough to be folded by the email package, twice over at least",
]


@pytest.mark.parametrize("subject", SCRIPTS, ids=lambda s: s[:8])
@pytest.mark.parametrize("prefix", ["", "[TEST] "])
def test_long_subjects_in_every_script_keep_every_space(tmp_path, subject, prefix):
    from authoring.message import build_message
    from authoring.validate import validate_text

    validated = validate_text(MINIMAL.replace("subject: A short issue", f'subject: "{subject}"'))
    message = build_message(validated.issue, validated.publication, "<p>x</p>\r\n", "x\r\n",
                            subject_prefix=prefix)
    eml = message.as_bytes()
    assert max(len(line) for line in eml.split(b"\r\n")) <= 78
    assert email.message_from_bytes(eml, policy=email.policy.default)["Subject"] == prefix + subject


@pytest.mark.parametrize("command", ["export", "render"])
def test_a_line_break_in_the_subject_is_a_located_error_not_a_traceback(tmp_path, command):
    folder = copy_issues(tmp_path)
    issue = folder / "header-injection.yaml"
    shutil.copy(HOSTILE / "header-injection.yaml", issue)
    result = runner.invoke(app, [command, str(issue), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{issue}:4:12: error: issue.subject: " in result.stderr
    assert "[line-break]" in result.stderr


@pytest.mark.parametrize("case, line", [("publication-sender-name", 2), ("publication-reply-to", 3),
                                        ("publication-unsubscribe", 3)])
def test_hostile_publication_headers_are_refused_before_export(tmp_path, case, line):
    folder = tmp_path / "issues"
    shutil.copytree(HOSTILE / case, folder)
    issue = write_issue(folder, MINIMAL.replace("{src: images/robot-arm.png, alt: A robot arm}",
                                                "{src: 'https://e.org/a.png', alt: A robot arm}"))
    result = runner.invoke(app, ["export", str(issue), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{folder / 'publication.yaml'}:{line}:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_list_unsubscribe_holds_exactly_the_two_uris():
    from authoring import model
    from authoring.message import list_unsubscribe

    publication = model.Publication(name="P", sender=model.Sender(name="P", email="p@e.org"),
                                    unsubscribe_url="https://e.org/u>, <https://evil.example/t",
                                    list_unsubscribe_mailto="u@e.org>, <mailto:evil@e.org")
    with pytest.raises(ValueError):
        list_unsubscribe(publication)


# ---------------------------------------------------------------- images to upload, placeholders (issue 24)


def test_the_manifest_lists_the_images_to_upload_with_size_and_hash(tmp_path):
    folder = copy_issues(tmp_path)
    out = tmp_path / "out"
    result = export_issue(folder / "0321.yaml", out)
    images = result.manifest["images"]
    assert images[0]["path"] == "images/logo.png"  # the publication's, then the issue's
    assert sorted(i["path"] for i in images) == ["images/chart.png", "images/course.png", "images/essay.png",
                                                 "images/logo.png", "images/robot-arm.png"]
    for image in images:
        data = (folder / image["path"]).read_bytes()
        assert image["size"] == len(data) and image["sha256"] == hashlib.sha256(data).hexdigest()
        assert image["url"] == "https://www.deeplearning.ai/the-batch/" + image["path"]
        assert f'src="{image["url"]}"' in (out / "0321.html").read_text()


def test_a_missing_image_file_refuses_the_export_at_its_line(tmp_path):
    folder = copy_issues(tmp_path)
    (folder / "images" / "robot-arm.png").unlink()
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(folder / "0321.yaml"), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    line = next(n for n, text in enumerate((folder / "0321.yaml").read_text().splitlines(), 1)
                if "src: images/robot-arm.png" in text)
    assert re.search(rf"0321\.yaml:{line}:\d+: error: .*image 'images/robot-arm.png' does not exist"
                     r".*\[missing-image-file\]", result.stderr), result.stderr


def test_a_missing_logo_refuses_the_export_in_the_publication(tmp_path):
    folder = copy_issues(tmp_path)
    (folder / "images" / "logo.png").unlink()
    with pytest.raises(AuthoringError) as raised:
        export_issue(folder / "0321.yaml", tmp_path / "out")
    (found,) = [d for r in raised.value.reports for d in r.diagnostics if d.code == "missing-image-file"]
    assert found.file == str(folder / "publication.yaml") and found.is_error
    assert found.line == next(n for n, text in enumerate((folder / "publication.yaml").read_text()
                                                          .splitlines(), 1) if text.startswith("logo:"))


def _without_esp(folder: Path) -> Path:
    publication = folder / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8").replace("esp: mailchimp\n", ""),
                           encoding="utf-8")
    return publication


def test_a_placeholder_no_service_replaces_refuses_the_export_at_its_line(tmp_path):
    folder = copy_issues(tmp_path)
    publication = _without_esp(folder)
    with pytest.raises(AuthoringError) as raised:
        export_issue(folder / "0321.yaml", tmp_path / "out")
    (found,) = [d for r in raised.value.reports for d in r.diagnostics if d.code == "unreplaced-merge-tag"]
    lines = publication.read_text().splitlines()
    written = 1 + lines.index('unsubscribe_url: "{{unsubscribe_url}}"')
    assert (found.file, found.line) == (str(publication), written)
    assert found.message == ("'{{unsubscribe_url}}' would reach readers as written in the HTML, the plain "
                             "text, the List-Unsubscribe header: publication.yaml sets no esp:, so no "
                             "service replaces it")
    assert not (tmp_path / "out").exists()


def test_the_default_unsubscribe_placeholder_is_located_at_the_publication(tmp_path):
    """Nobody wrote {{unsubscribe_url}}: it is unsubscribe_url's default."""
    folder = copy_issues(tmp_path)
    publication = _without_esp(folder)
    publication.write_text(publication.read_text().replace('unsubscribe_url: "{{unsubscribe_url}}"\n', "")
                           .replace('web_version_url: "{{web_version_url}}"\n', ""))
    with pytest.raises(AuthoringError) as raised:
        export_issue(folder / "0321.yaml", tmp_path / "out")
    (found,) = [d for r in raised.value.reports for d in r.diagnostics if d.code == "unreplaced-merge-tag"]
    assert (found.file, found.line) == (str(publication), 1)
    # the sample's comment that names {{unsubscribe_url}} is no setting: the default is what goes out
    assert "{{unsubscribe_url}} and {{web_version_url}} become its" in publication.read_text()
    assert found.message.startswith("publication.yaml has no unsubscribe_url:, so its default")
    assert found.hint.endswith("or add unsubscribe_url: with the https address of a page of yours that "
                               "unsubscribes")
    # a service chosen: its line
    publication.write_text(publication.read_text() + "esp: mailchimp\n")
    export_issue(folder / "0321.yaml", tmp_path / "out")


# ---------------------------------------------------------------- every blocker in one pass


def _fresh_team(tmp_path: Path) -> Path:
    """A team folder as `authoring init` and two `authoring new` leave it, the second issue dated
    before the first, with a relative image that is not there: six kinds of blocker."""
    from authoring.init import TeamSettings, init_folder
    from authoring.new import new_issue

    team = tmp_path / "team"
    init_folder(team, TeamSettings(name="Team Weekly", sender_email="news@example.com"))
    new_issue(team, date=dt.date(2026, 12, 10))
    second = new_issue(team, date=dt.date(2026, 12, 1))
    text = second.read_text(encoding="utf-8").replace('src: ""', "src: images/a.png")
    second.write_text(text.replace('url: ""', 'url: "https://team.example.org/course"'), encoding="utf-8")
    return second


def test_a_fresh_team_folder_lists_every_blocker_in_one_run(tmp_path):
    issue = _fresh_team(tmp_path)
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue, tmp_path / "out")
    found = sorted((d.code, Path(d.file).name, d.line) for r in refused.value.reports for d in r.errors)
    assert found == [("date-sequence", "0002.yaml", 6), ("missing-image-file", "0002.yaml", 24),
                     ("missing-postal-address", "publication.yaml", 3),
                     ("no-image-base-url", "0002.yaml", 24), ("placeholder-sender", "publication.yaml", 4),
                     ("unreplaced-merge-tag", "publication.yaml", 1)]  # no unsubscribe_url:, no esp:
    assert str(refused.value) == (f"{issue}: 6 errors (1 from the pre-send check: authoring check shows "
                                  "its full report); nothing exported")
    unsubscribe = next(d for r in refused.value.reports for d in r.errors if d.code == "unreplaced-merge-tag")
    assert unsubscribe.message.startswith("publication.yaml has no unsubscribe_url:, so its default")
    assert unsubscribe.hint.endswith("or add unsubscribe_url: with the https address of a page of yours "
                                     "that unsubscribes")
    assert not (tmp_path / "out").exists()


def test_without_a_publication_the_issues_own_blockers_are_listed_too(tmp_path):
    issue = _fresh_team(tmp_path)
    (issue.parent / "publication.yaml").unlink()
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue, tmp_path / "out")
    assert {d.code for r in refused.value.reports for d in r.errors} == {
        "no-publication", "no-image-base-url", "date-sequence", "missing-image-file",
        "unreplaced-merge-tag"}  # the built-in defaults' {{unsubscribe_url}}


def test_an_error_a_draft_has_too_stops_before_rendering(tmp_path):
    issue = _fresh_team(tmp_path)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("https://team.example.org/course", "javascript:alert(1)"), encoding="utf-8")
    with pytest.raises(AuthoringError) as refused:
        export_issue(issue, tmp_path / "out")
    codes = {d.code for r in refused.value.reports for d in r.errors}
    # validation's errors only: the unsafe link stops it before the render and the pre-send check
    assert "unsafe-url" in codes and "placeholder-sender" in codes
    assert not codes & {"no-image-base-url", "date-sequence"}



@pytest.mark.parametrize("blocked", [False, True])
def test_an_export_reads_its_publication_file_once(issue_copy, tmp_path, blocked, file_reads):
    """Validation loads publication.yaml; the pre-send rules and the check's parts locate their
    findings in that same load, ready or refused (a refusal locates findings there too)."""
    publication = issue_copy.parent / "publication.yaml"
    if blocked:
        text = publication.read_text(encoding="utf-8")
        publication.write_text(text.replace("postal_address:", "# postal_address:"), encoding="utf-8")
    if blocked:
        with pytest.raises(AuthoringError) as refused:
            export_issue(issue_copy, tmp_path / "out")
        assert any(d.file == str(publication) and d.line for r in refused.value.reports for d in r.errors)
    else:
        export_issue(issue_copy, tmp_path / "out")
    assert file_reads.count(publication) == 1
    assert file_reads.count(issue_copy) == 1


# ---------------------------------------------------------------- what the command tells the user


def test_the_command_lists_every_file_written_and_sums_up(tmp_path):
    folder = copy_issues(tmp_path)
    issue = write_issue(folder, MINIMAL.replace("  preheader: Just one story this week, with a picture.\n",
                                                ""))
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(issue), "-o", str(out)])
    assert result.exit_code == 0, result.output
    listed = [line.split("  ") for line in result.stdout.splitlines()]
    names = ["0500.html", "0500.txt", "0500.eml", "0500.web.html", "manifest.json"]
    assert [path for path, _ in listed] == [str(out / name) for name in names]
    for (_, size), name in zip(listed, names, strict=True):
        assert size == format_size((out / name).stat().st_size)
    html = (out / "0500.html").stat().st_size
    assert result.stderr.splitlines()[-1] == (f"exported issue 500: HTML {format_size(html)} of Gmail's "
                                              "102 KB, 1 warning")
    export = export_issue(issue, tmp_path / "again")
    assert [str(d) for d in export.warnings] == [
        str(d) for r in export.reports for d in r.diagnostics if d.code == "missing-preheader"]
    assert [(f.name, f.size, f.sha256) for f in export.files] == [
        (name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in ((name, (tmp_path / "again" / name).read_bytes()) for name in names)]
    assert export.paths == [tmp_path / "again" / name for name in names]


@pytest.mark.parametrize("error, where, reason", [
    (OSError(28, "No space left on device", "/x/0321.txt"), "/x/0321.txt", "No space left on device"),
    (OSError("the disk went away"), None, "the disk went away"),
])
def test_a_write_error_names_the_file_and_the_reason(tmp_path, monkeypatch, error, where, reason):
    def fails(path, data):
        raise error

    monkeypatch.setattr(files, "_write_synced", fails)
    out = tmp_path / "out"
    with pytest.raises(AuthoringError) as refused:
        export_issue(ISSUES / "0321.yaml", out)
    assert str(refused.value) == (f"cannot write the export to {out}: {where or out}: {reason}; "
                                  "nothing was changed")
    assert isinstance(refused.value.__cause__, OSError)


def test_the_publications_folder_is_refused_as_an_output(tmp_path, monkeypatch):
    """The publication (--publication) in a folder of its own: that folder is no output either."""
    issues = copy_samples(tmp_path / "issues")
    settings = tmp_path / "settings"
    (settings / "images").mkdir(parents=True)
    shutil.move(issues / "publication.yaml", settings / "publication.yaml")
    shutil.copy(issues / "images" / "logo.png", settings / "images" / "logo.png")
    monkeypatch.chdir(issues)
    everything = lambda: {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}  # noqa: E731
    before = everything()
    with pytest.raises(AuthoringError) as refused:
        export_issue(issues / "0321.yaml", settings, publication_file=settings / "publication.yaml")
    assert str(refused.value) == (f"{settings} is the publication's folder: export replaces its output "
                                  "folder as a whole, so it needs a folder of its own, e.g. -o out; "
                                  "nothing was changed")
    assert everything() == before
    export_issue(issues / "0321.yaml", settings / "out", publication_file=settings / "publication.yaml")


def test_an_export_from_a_removed_current_folder_still_writes(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = export_issue(ISSUES / "0321.yaml", tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == EXPORT_NAMES("0321")
    assert result.out_dir == tmp_path / "out"


def test_an_export_without_a_home_folder_still_writes(tmp_path, monkeypatch):
    """No HOME and no passwd entry (a bare container): Path.home() raises; nothing to protect there."""
    import pwd

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(RuntimeError):
        Path.home()
    export_issue(ISSUES / "0321.yaml", tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == EXPORT_NAMES("0321")


def test_links_are_probed_only_when_asked(tmp_path):
    from authoring.links import LinkCheck

    probed: list[list[str]] = []

    def record(urls):
        probed.append(urls)
        return LinkCheck(checked=urls)

    export_issue(ISSUES / "0321.yaml", tmp_path / "a", link_check=record)
    assert probed == []
    export_issue(ISSUES / "0321.yaml", tmp_path / "b", check_links=True, link_check=record)
    assert len(probed) == 1 and "https://www.deeplearning.ai/resources/" in probed[0]


@pytest.mark.parametrize("chosen, used", [(None, "css-inline"), ("premailer", "premailer"),
                                          ("css-inline", "css-inline")])
def test_the_inliner_chosen_for_the_export_is_the_one_that_runs(tmp_path, monkeypatch, chosen, used):
    """Both engines give the same bytes (tests/test_render_inline.py): which one ran shows only here."""
    from authoring.render import inline

    engines: list[str] = []
    real = inline.inline

    def recording(html, engine=inline.DEFAULT_ENGINE, warnings=None):
        engines.append(engine)
        return real(html, engine, warnings)

    monkeypatch.setattr(inline, "inline", recording)
    export_issue(ISSUES / "0321.yaml", tmp_path / "out", inliner=chosen)
    assert engines and set(engines) == {used}
