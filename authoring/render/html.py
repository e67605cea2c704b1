"""Issue → email HTML: Jinja2 templates write MJML, MRML compiles it, the inliner inlines the CSS.

Each stage is a function of its own (``template``, ``compile_mjml``, ``inline``) so the
benchmark can time them apart; ``render_html`` runs all three. The Jinja environment,
its compiled templates and the inliner are built once per process.
"""

from __future__ import annotations

import dataclasses
import traceback
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authoring import blocks, codes, model
from authoring.diagnostics import AuthoringError, Diagnostic, Report, Severity
from authoring.paths import templates_dir
from authoring.render.markup import Links, alt_text_style
from authoring.theme import COLUMN_PADDING, DEFAULT_LOGO_WIDTH, Palette, palette

if TYPE_CHECKING:
    import jinja2
    import jinja2.runtime
    from markupsafe import Markup

    from authoring.render import RenderOptions

ISSUE_TEMPLATE = "email/issue.mjml.j2"
STYLES_TEMPLATE = "email/styles.mjml.j2"
"""The head's element defaults and CSS: they depend on the theme alone (see ``_styles``)."""
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".mjml", ".html", ".txt")
"""Files whose frames in a traceback are template lines (Jinja rewrites them so)."""



class TemplateError(AuthoringError):
    """A template (usually a publication's own) is missing or broken."""


@cache
def environment(extra_folder: str | None = None) -> jinja2.Environment:
    """The Jinja environment: the publication's templates first, then the built-in ones.

    Sandboxed when the publication brings templates: they are data from wherever the
    publication file is, and attribute walks such as ``cycler.__init__.__globals__`` raise
    SecurityError instead of reaching os.system. The built-in templates alone are code we ship
    (author text only ever reaches them as values, escaped), so they render in a plain
    environment: the sandbox's check of every attribute and call was a fifth of the stage.
    """
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    folders = [str(templates_dir())]
    if extra_folder:
        folders.insert(0, extra_folder)
    kind = SandboxedEnvironment if extra_folder else jinja2.Environment
    env = kind(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,  # author text is data: `<script>` and `{{ 7*7 }}` stay literal
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # no stat of every template on every render: the preview calls reload_templates()
        # when a template changes
        auto_reload=False,
        # every template kept in a plain dict: the few there are, found without the LRU cache's
        # lock and reordering (a lookup for each of the ~13 includes and imports of a render)
        cache_size=-1,
        # compiled templates kept between processes (keyed by source checksum): a cold
        # `authoring render` skips compiling them
        bytecode_cache=_bytecode_cache(sandboxed=bool(extra_folder)),
    )
    env.template_class = _template_class()
    env.filters["markdown"] = jinja2.pass_context(_markdown_filter)
    return env


@cache
def _template_class() -> type[jinja2.Template]:
    """Jinja's Template, with two costs of every render taken out where each template is loaded
    (compiled or read from the bytecode cache), the compiled code unchanged:

    - its ``{{ ... }}`` call ``markup.template_escape``, markupsafe's escape made faster for text
      and ready HTML (the same output); the name ``escape`` of the template's module is rebound;
    - its globals (Jinja's ``range``, ``dict``, ...) are one dict, not a ChainMap over the
      environment's: every include makes a context, which lists the globals, and listing a
      ChainMap was a sixth of an include. The environment's globals are never changed after
      ``environment`` builds it, so the copy stays true.
    """
    import jinja2

    from authoring.render.markup import template_escape

    class Template(jinja2.Template):
        @classmethod
        def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,
                      uptodate: Any = None) -> jinja2.Template:
            template = super().from_code(environment, code, globals, uptodate)
            namespace = template.root_render_func.__globals__  # the compiled module's names
            if "escape" in namespace:  # a Jinja that names it otherwise keeps markupsafe's
                namespace["escape"] = template_escape
            template.globals = dict(template.globals)
            return template

    return Template


def _markdown_filter(context: jinja2.runtime.Context, text: str | None, *, label: str | None = None,
                     prefix: str | None = None, cls: str | None = None) -> Markup:
    """``{{ story.body | markdown(label=...) }}``: ``r.markdown`` (``Links.markdown``) as a filter.

    Jinja calls a filter directly; a method called from a template goes through its
    ``Context.call``, which costs about as much as rendering a short field. ``r.markdown`` still
    works (a publication's own templates may use it).
    """
    links: Links = context["r"]
    return links.markdown(text, label=label, prefix=prefix, cls=cls)  # named: no dict of options a call


def _bytecode_cache(*, sandboxed: bool) -> jinja2.BytecodeCache | None:
    """A cache in the user's own cache folder ($XDG_CACHE_HOME/authoring/jinja), or none when
    that folder is unusable or not ours alone.

    Not Jinja's default ($TMPDIR/_jinja2-cache-<uid>): any local user can create that name
    first, and Jinja then refuses every render. No cache only costs a little time.
    Sandboxed and plain environments compile templates differently (the sandbox routes every
    call through its checks) under the same cache key, so the plain one keeps files of its own:
    code compiled without the checks never runs in the sandbox, and the sandbox's code (all
    that earlier versions wrote) never runs where its ``call`` is missing.
    """
    from authoring.paths import user_cache_folder

    folder = user_cache_folder("jinja")
    if folder is None:
        return None
    pattern = "__jinja2_%s.cache" if sandboxed else "__jinja2_plain_%s.cache"
    return _forgiving_cache()(str(folder), pattern)


@cache
def _forgiving_cache() -> type[jinja2.FileSystemBytecodeCache]:
    """Jinja's file cache, but an entry it cannot read back (cut short, damaged: Jinja catches
    only some of what unpickling one raises) is compiled again rather than a traceback."""
    import jinja2

    class ForgivingBytecodeCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - unpickling damaged bytes raises a dozen types
                bucket.reset()

    return ForgivingBytecodeCache


def reload_templates() -> None:
    """Read the templates again on the next render (the preview calls this on template edits).

    Templates are read and compiled once per environment (no ``auto_reload``): a long-lived
    process that edits templates calls this, which also catches a new file in a publication's
    folder that now overrides a built-in one.
    """
    environment.cache_clear()


def templates_folder(publication: model.Publication, base: Path | None = None) -> str | None:
    if not publication.templates:
        return None
    folder = Path(publication.templates)
    if not folder.is_absolute():
        folder = (base or Path.cwd()) / folder
    return str(folder.resolve())


def template(issue: model.Issue, publication: model.Publication, options: RenderOptions,
             links: Links) -> str:
    """Stage 1: the issue as MJML (merge tags replaced by tokens, see ``Links``)."""
    import jinja2

    env = environment(templates_folder(publication, options.publication_dir))
    try:
        return env.get_template(ISSUE_TEMPLATE).render(_context(env, issue, publication, options, links))
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}",
                            _where(exc, f"template not found: {exc.name}")) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template error: {exc}", _where(exc, str(exc))) from exc


def _where(exc: Exception, message: str) -> list[Report]:
    """A report pointing at the template line (see template_position)."""
    file, line = template_position(exc) or (None, None)
    diagnostic = Diagnostic(code=codes.TEMPLATE_ERROR, severity=Severity.ERROR, message=message,
                            file=file, line=line,
                            hint="check the publication's templates folder" if file and
                            not file.startswith(str(templates_dir())) else None)
    return [Report(file=file or "<templates>", diagnostics=[diagnostic])]


def template_position(exc: BaseException) -> tuple[str, int] | None:
    """File and line of the template behind an error, following the chain of causes."""
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    for error in chain:  # Jinja syntax errors carry their template's file and line
        filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
        if filename and isinstance(lineno, int):
            return filename, lineno
    for error in chain:  # runtime errors: Jinja rewrites the traceback to show template lines
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith(TEMPLATE_SUFFIXES) and frame.lineno:
                return frame.filename, frame.lineno
    return None


def _context(env: jinja2.Environment, issue: model.Issue, publication: model.Publication,
             options: RenderOptions, links: Links) -> dict:
    theme = publication.theme
    theme_values = _theme_values(theme)
    info = issue.issue
    email = options.mode == "email"
    logo = publication.logo
    logo_dark = links.src(logo.dark_src) if logo and logo.src else None
    return {
        "issue": issue,
        "publication": publication,
        "theme": theme,
        # an object, not a dict: Jinja looks ``colors.accent`` up as an attribute first, and on a
        # dict that fails with an exception (``colors['accent']`` still works)
        "colors": _theme_colors(theme_values),
        "logo_dark": logo_dark,
        "styles": _styles(env, theme_values, bool(logo_dark)),
        "width": theme.width,
        "content_width": links.content_width,
        "lang": info.lang or publication.lang or "en",
        "email": email,
        "web": not email,
        "draft": options.draft,
        "description": info.preheader or _first_dek(issue) or info.subject,
        "dateline": _dateline(info),
        "stories": [(blocks.of(story).partial, story) for story in issue.stories],
        "footer": issue.footer if issue.footer is not None else publication.footer,
        "r": links,
        "default_logo_width": DEFAULT_LOGO_WIDTH,
        "marks": options.block_markers,
    }


@lru_cache(maxsize=16)
def _theme_colors(values: tuple[Any, ...]) -> Palette:
    # ~40 µs of color arithmetic per render (3% of the stage) for a publication's theme, which
    # does not change between renders: kept per theme (Theme is mutable, so keyed by its values)
    return palette(_theme_of(values))


def _theme_values(theme: model.Theme) -> tuple[Any, ...]:
    return tuple(getattr(theme, name) for name in _THEME_FIELDS)


def _theme_of(values: tuple[Any, ...]) -> model.Theme:
    """The theme whose settings are ``values`` (_theme_values' inverse)."""
    return model.Theme(**dict(zip(_THEME_FIELDS, values, strict=True)))


@lru_cache(maxsize=16)
def _styles(env: jinja2.Environment, values: tuple[Any, ...], dark_logo: bool) -> Markup:
    """styles.mjml.j2 for a theme: its ~75 colors and six macro calls were an eighth of the
    template stage, for text that only changes with the theme. Kept per environment too:
    ``reload_templates`` starts a new one when a template changes."""
    from authoring.render.markup import html_markup

    template = env.get_template(STYLES_TEMPLATE)
    return html_markup(template.render(colors=_theme_colors(values), theme=_theme_of(values),
                                  logo_dark=dark_logo))


_THEME_FIELDS = tuple(f.name for f in dataclasses.fields(model.Theme) if f.compare)
"""A theme's settings (not where it was written)."""


def _dateline(info: model.IssueInfo) -> str:
    parts = []
    if info.number is not None:
        parts.append(f"Issue {info.number}")
    if info.date is not None:
        parts.append(f"{info.date:%B} {info.date.day}, {info.date.year}")
    return " · ".join(parts)


def _first_dek(issue: model.Issue) -> str | None:
    for story in issue.stories:
        summary = blocks.of(story).summary(story)
        if summary:
            return summary
    return None


def compile_mjml(mjml_source: str) -> str:
    """Stage 2: MJML → HTML with MRML (web fonts off: nothing to fetch, nothing to inline)."""
    import mjml

    return mjml.mjml2html(mjml_source, fonts={})


def inline(html: str, warnings: list[str] | None = None, engine: str | None = None) -> str:
    """Stage 3: inline the CSS marked /*inline*/ (``authoring.render.inline``, engine of choice)."""
    from authoring.render import inline as inliner

    return inliner.inline(html, engine or inliner.DEFAULT_ENGINE, warnings)


def render_html(issue: model.Issue, publication: model.Publication,
                options: RenderOptions | None = None, *, warnings: list[str] | None = None
                ) -> tuple[str, str]:
    """(html, mjml) for one issue."""
    html, source, links = render_parts(issue, publication, options, warnings=warnings)
    return html, links.restore_merge_tags(source)


def render_parts(issue: model.Issue, publication: model.Publication,
                 options: RenderOptions | None = None, *, warnings: list[str] | None = None
                 ) -> tuple[str, str, Links]:
    """The HTML of one issue, its MJML with the merge tags still stood in for (``Links``
    restores them: a render that is not asked for its MJML need not), and those links."""
    from authoring.render import RenderOptions

    options = options or RenderOptions()
    links = links_for(publication, options)
    source = template(issue, publication, options, links)
    html = inline(compile_mjml(source), warnings, options.inliner or publication.inliner)
    return links.restore_merge_tags(html), source, links


def links_for(publication: model.Publication, options: RenderOptions) -> Links:
    return Links(link_url=options.link_url, image_url=options.image_url, draft=options.draft,
                 content_width=publication.theme.width - 2 * COLUMN_PADDING,
                 alt_style=alt_text_style(publication.theme.font, publication.theme.muted))
