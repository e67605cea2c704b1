// Live preview page: applies each build the server pushes over server-sent events.
// A new render loads in a hidden frame, gets the old frame's scroll position, then
// replaces it, so an edit never flashes a blank page or jumps back to the top.
"use strict";

const stage = document.getElementById("stage");
const box = document.getElementById("frame-box");
const statusBadge = document.getElementById("status");
let shownRender = -1;
let pending = null;

// ---- switches: width, color scheme, email/plain text (remembered across reloads)
const switches = {width: ["desktop", "phone"], scheme: ["light", "dark"], view: ["email", "text"]};
function choose(kind, value) {
  for (const v of switches[kind]) stage.classList.toggle(v, v === value);
  for (const b of document.querySelectorAll(`[data-${kind}]`)) {
    b.setAttribute("aria-pressed", String(b.dataset[kind] === value));
  }
  try { localStorage.setItem(`preview-${kind}`, value); } catch (e) { /* private mode */ }
}
for (const kind of Object.keys(switches)) {
  for (const b of document.querySelectorAll(`[data-${kind}]`)) {
    b.addEventListener("click", () => choose(kind, b.dataset[kind]));
  }
  let saved = null;
  try { saved = localStorage.getItem(`preview-${kind}`); } catch (e) { /* private mode */ }
  if (switches[kind].includes(saved)) choose(kind, saved);
}

// ---- the email frame
function currentFrame() { return document.getElementById("email"); }

function showEmail(html, renderEpoch) {
  const old = currentFrame();
  let y = 0;
  try { y = (pending || old).contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
  if (pending) pending.remove();
  const next = document.createElement("iframe");
  next.title = old.title;
  next.setAttribute("sandbox", old.getAttribute("sandbox"));
  next.className = "loading";
  next.addEventListener("load", () => {
    if (pending !== next) return;
    next.contentWindow.scrollTo(0, y);
    pending = null;
    old.remove();
    next.id = "email";
    next.className = "";
    document.body.dataset.render = String(renderEpoch);
  }, {once: true});
  pending = next;
  box.appendChild(next);
  next.srcdoc = html;
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

function apply(state) {
  showProblems(state);
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
const events = new EventSource("events");
events.addEventListener("build", (e) => apply(JSON.parse(e.data)));
events.addEventListener("open", () => { document.getElementById("connection").hidden = true; });
events.addEventListener("error", () => { document.getElementById("connection").hidden = false; });
