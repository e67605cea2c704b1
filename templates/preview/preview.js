// Live preview page: applies each build the server pushes over server-sent events.
// A new render loads in a hidden frame, gets the old frame's scroll position, then
// replaces it, so an edit never flashes a blank page or jumps back to the top.
"use strict";

// The session's token: from this page's URL, then kept in sessionStorage, which only this
// origin (scheme, host and port) can read. Never a cookie: browsers send a host's cookies to
// every port of it, so another server on 127.0.0.1 would receive it.
const TOKEN_KEY = "preview-token";
function storedToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }  // storage disabled
}
const token = new URLSearchParams(location.search).get("token") || storedToken() || "";
try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage disabled */ }

// A URL of this preview carrying the token, for what cannot send a header (EventSource).
function withToken(url) {
  const u = new URL(url, location.href);
  u.searchParams.set("token", token);
  return u.pathname + u.search;
}

const stage = document.getElementById("stage");
const box = document.getElementById("frame-box");
const statusBadge = document.getElementById("status");
let shownRender = -1;
let pending = null;

// ---- light / dark
// Chromium does not yet derive an iframe's prefers-color-scheme from the frame element's
// color-scheme (the CSS spec says it should; the CSS below sets it for browsers that do).
// So the preview rewrites the email's own queries in the frame's CSSOM: with "Dark",
// (prefers-color-scheme: dark) becomes (color), which always matches, and
// (prefers-color-scheme: light) becomes (monochrome), which never does; "Light" swaps
// them. The email's dark rules then apply exactly as in a client that honors them,
// whatever the scheme of the editor's own system. The HTML itself is not changed.
const SCHEME_QUERY = /\(\s*prefers-color-scheme\s*:\s*(dark|light)\s*\)/gi;

function forceScheme(text, scheme) {
  return text.replace(SCHEME_QUERY, (m, wanted) => wanted.toLowerCase() === scheme ? "(color)" : "(monochrome)");
}

function schemeRules(frame) {
  // The media rules and <source media> of this frame that mention the scheme, with their original text.
  if (frame.schemeRules) return frame.schemeRules;
  const found = [];
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.media && rule.cssRules) {
        if (/prefers-color-scheme/i.test(rule.media.mediaText)) found.push([rule.media, rule.media.mediaText]);
        walk(rule.cssRules);
      }
    }
  };
  const doc = frame.contentDocument;
  for (const sheet of doc.styleSheets) {
    try { walk(sheet.cssRules); } catch (e) { /* cross-origin sheet: not ours to read */ }
  }
  const sources = [...doc.querySelectorAll("source[media], link[media]")]
    .filter((el) => /prefers-color-scheme/i.test(el.getAttribute("media")))
    .map((el) => [el, el.getAttribute("media")]);
  frame.schemeRules = {found, sources};
  return frame.schemeRules;
}

function applyScheme(frame, scheme) {
  if (!frame || !frame.contentDocument) return;
  const {found, sources} = schemeRules(frame);
  for (const [media, original] of found) media.mediaText = forceScheme(original, scheme);
  for (const [el, original] of sources) el.setAttribute("media", forceScheme(original, scheme));
  const root = frame.contentDocument.documentElement;
  // an email that declares it supports dark also gets the browser's dark defaults (canvas, controls)
  if (frame.supportsDark === undefined) frame.supportsDark = /dark/.test(getComputedStyle(root).colorScheme);
  if (frame.supportsDark) root.style.colorScheme = scheme;
  frame.dataset.scheme = scheme;
}

function currentScheme() { return stage.classList.contains("dark") ? "dark" : "light"; }

// ---- the email frame
function currentFrame() { return document.getElementById("email"); }

function showEmail(html, renderEpoch) {
  const old = currentFrame();
  let y = 0;  // from the frame on screen: a frame still loading has not been scrolled yet
  try { y = old.contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
  if (pending) pending.remove();
  const next = document.createElement("iframe");
  next.title = old.title;
  next.setAttribute("sandbox", old.getAttribute("sandbox"));
  next.className = "loading";
  next.addEventListener("load", () => {
    if (pending !== next) return;
    applyScheme(next, currentScheme());
    next.contentWindow.scrollTo(0, y);
    pending = null;
    old.remove();
    next.id = "email";
    next.className = "";
    document.body.dataset.render = String(renderEpoch);
  }, {once: true});
  pending = next;
  next.srcdoc = html;  // before insertion: otherwise a load of about:blank fires first
  box.appendChild(next);
}

// ---- diagnostics
function diagnosticItem(d) {
  const li = document.createElement("li");
  li.className = d.severity;
  const severity = document.createElement("span");
  severity.className = "severity";
  severity.textContent = d.severity;
  const where = document.createElement("span");
  where.className = "where";
  where.textContent = d.location;
  li.append(severity, where, document.createTextNode(": " + (d.path ? d.path + ": " : "") + d.message));
  if (d.hint) {
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = " — " + d.hint;
    li.append(hint);
  }
  if (d.source != null) {
    const pre = document.createElement("pre");
    pre.textContent = d.source + (d.column ? "\n" + " ".repeat(d.column - 1) + "^" : "");
    li.append(pre);
  }
  return li;
}

function showProblems(state) {
  const section = document.getElementById("problems");
  const errors = state.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = state.diagnostics.length - errors;
  section.hidden = state.diagnostics.length === 0;
  section.className = errors ? "errors" : "";
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  let banner = errors ? plural(errors, "error") : plural(warnings, "warning");
  if (state.stale) banner += " — showing the last good render until the draft is fixed";
  else if (state.html == null) banner += " — nothing rendered yet";
  document.getElementById("banner").textContent = banner;
  document.getElementById("diagnostics").replaceChildren(...state.diagnostics.map(diagnosticItem));
  statusBadge.className = "badge " + state.status;
  statusBadge.textContent = state.status === "valid" ? "valid" : banner.split(" — ")[0];
}

// ---- the pre-send check (authoring check's fast parts), collapsed until opened
function checkFinding(f) {
  const li = document.createElement("li");
  li.className = f.severity;
  const where = document.createElement(f.editor_url ? "a" : "span");
  where.className = "where";
  where.textContent = f.location;
  if (f.editor_url) { where.href = f.editor_url; where.title = "Open in the editor"; }
  li.append(where, document.createTextNode(` ${f.severity}: ${f.message}`));
  if (f.hint) {
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = " — " + f.hint;
    li.append(hint);
  }
  const code = document.createElement("code");
  code.textContent = ` [${f.code}]`;
  li.append(code);
  return li;
}

function checkPart(part) {
  const section = document.createElement("section");
  section.dataset.part = part.name;
  const title = document.createElement("h3");
  title.textContent = part.title;
  section.append(title);
  const figures = document.createElement("ul");
  figures.className = "figures";
  for (const line of part.summary) {
    const li = document.createElement("li");
    li.textContent = line;
    figures.append(li);
  }
  const findings = document.createElement("ul");
  findings.className = "findings";
  findings.replaceChildren(...part.findings.map(checkFinding));
  section.append(figures, findings);
  return section;
}

function showCheck(check) {
  const panel = document.getElementById("check");
  panel.hidden = !check;
  if (!check) return;
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  document.getElementById("check-summary").textContent =
    `${plural(check.errors, "error")}, ${plural(check.warnings, "warning")}` +
    (check.ok ? " — ready to send" : " — not ready");
  panel.className = check.errors ? "errors" : (check.warnings ? "warnings" : "valid");
  document.getElementById("check-parts").replaceChildren(...check.parts.map(checkPart));
}

function apply(state) {
  showProblems(state);
  showCheck(state.check);
  if (state.subject) document.getElementById("subject").textContent = state.subject;
  document.getElementById("empty").hidden = state.html != null;
  if (state.html != null && state.render_epoch !== shownRender) {
    shownRender = state.render_epoch;
    showEmail(state.html, state.render_epoch);
    document.getElementById("text").textContent = state.text;
  }
  document.body.dataset.epoch = String(state.epoch);
}

// ---- live updates
const events = new EventSource(withToken("events"));
events.addEventListener("build", (e) => apply(JSON.parse(e.data)));
events.addEventListener("open", () => { document.getElementById("connection").hidden = true; });
events.addEventListener("error", () => { document.getElementById("connection").hidden = false; });

// ---- switches: width, color scheme, email/plain text (remembered across reloads)
const switches = {width: ["desktop", "phone"], scheme: ["light", "dark"], view: ["email", "text"]};
function choose(kind, value) {
  for (const v of switches[kind]) stage.classList.toggle(v, v === value);
  for (const b of document.querySelectorAll(`[data-${kind}]`)) {
    b.setAttribute("aria-pressed", String(b.dataset[kind] === value));
  }
  try { localStorage.setItem(`preview-${kind}`, value); } catch (e) { /* private mode */ }
  if (kind === "scheme") applyScheme(document.getElementById("email"), value);
}
for (const kind of Object.keys(switches)) {
  for (const b of document.querySelectorAll(`[data-${kind}]`)) {
    b.addEventListener("click", () => choose(kind, b.dataset[kind]));
  }
  let saved = null;
  try { saved = localStorage.getItem(`preview-${kind}`); } catch (e) { /* private mode */ }
  if (switches[kind].includes(saved)) choose(kind, saved);
}
