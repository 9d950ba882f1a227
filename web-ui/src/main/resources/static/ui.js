// pgcorral web-ui: a STOMP-over-WebSocket subscription to web-ui's own /topic/status (no library,
// so nothing is fetched from a CDN), and the rendering of the pages from what arrives.
"use strict";

const page = document.body.dataset.page;
const serviceName = document.body.dataset.service;
let lockedOnly = false;
let latest = null;
const history = []; // {t, p50, p95, grants}
const HISTORY_MS = 10 * 60 * 1000;

// subscriptions: {destination: handler(parsed JSON body)}
function stomp(path, subscriptions, onOpen, onClose) {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  const destinations = Object.keys(subscriptions);
  function connect() {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send("CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0");
    ws.onmessage = (event) => {
      for (const frame of String(event.data).split("\0")) {
        const split = frame.indexOf("\n\n");
        if (split < 0) continue; // a heart-beat, or the end of the data
        const head = frame.substring(0, split).replace(/^\n+/, "").split("\n");
        if (head[0] === "CONNECTED") {
          destinations.forEach((d, i) => ws.send("SUBSCRIBE\nid:" + i + "\ndestination:" + d + "\n\n\0"));
          onOpen();
        } else if (head[0] === "MESSAGE") {
          const id = head.find((h) => h.startsWith("subscription:"));
          const handler = id && subscriptions[destinations[Number(id.substring(13))]];
          if (handler) handler(JSON.parse(frame.substring(split + 2)));
        }
      }
    };
    ws.onclose = () => { onClose(); stillLoggedIn(); setTimeout(connect, 1000); };
  }
  connect();
}

// The session ended (logged out elsewhere, expired, web-ui restarted): back to the login form.
async function stillLoggedIn() {
  try {
    const response = await fetch(location.pathname, {method: "HEAD", redirect: "manual", cache: "no-store"});
    if (response.type === "opaqueredirect" || response.status === 401) location.reload();
  } catch (e) { /* web-ui unreachable: keep trying to reconnect */ }
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}

// Writes only what changed: a page of 1,000 rows then costs the browser almost nothing per update.
function setText(node, value) {
  const v = value == null ? "" : String(value);
  if (node._v !== v) { node.textContent = v; node._v = v; }
}

function setAttr(node, name, value) {
  const v = value == null ? "" : String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}

function text(id, value) {
  const node = document.getElementById(id);
  if (node) setText(node, value == null ? "–" : value);
}

function setBadge(node, state) {
  const s = String(state).toLowerCase();
  node.textContent = s;
  node.className = "badge " + s;
}

function duration(seconds) {
  if (seconds == null || seconds < 0) return "";
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return m > 0 ? m + "m " + String(s).padStart(2, "0") + "s" : s + "s";
}

// Runs load() when asked, one run at a time and at most one every minMs; asks meanwhile make one more run.
function throttled(load, minMs) {
  let busy = false, again = false, last = 0;
  const run = async () => {
    again = false;
    last = Date.now();
    try { await load(); } catch (e) { showError(String(e)); }
    if (again) setTimeout(run, Math.max(0, last + minMs - Date.now())); else busy = false;
  };
  return () => {
    if (busy) { again = true; return; }
    busy = true;
    setTimeout(run, Math.max(0, last + minMs - Date.now()));
  };
}

function bytes(n) {
  if (n == null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

// Makes body's rows exactly these, in this order, moving only those out of place (a row kept is not rebuilt).
function placeRows(body, rows) {
  rows.forEach((row, i) => { if (body.children[i] !== row) body.insertBefore(row, body.children[i] || null); });
  while (body.children.length > rows.length) body.lastElementChild.remove();
}

function showError(message) {
  const box = document.getElementById("error");
  if (!box) { alert(message); return; }
  text("error-text", message);
  box.hidden = false;
}

// One of the page's actions through web-ui: a POST of JSON (after confirmText, when given, is
// confirmed). The service's answer, or null after showing what went wrong under the action's name.
function act(action, body, confirmText, label) {
  if (confirmText && !confirm(confirmText)) return Promise.resolve(null);
  return request(action, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {})}, label);
}

// A read through web-ui (a GET); the answer, or null after showing what went wrong.
function read(action, label) {
  return request(action, {cache: "no-store"}, label);
}

async function request(action, init, label) {
  const name = label || action;
  try {
    const response = await fetch("/services/" + encodeURIComponent(serviceName) + "/actions/" + action,
        Object.assign({redirect: "manual"}, init));
    // logged out: to the login form
    if (response.status === 401 || response.type === "opaqueredirect") { location.reload(); return null; }
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch (e) { /* not JSON */ }
      showError(name + " failed: " + detail);
      return null;
    }
    const answer = await response.text();
    return answer ? JSON.parse(answer) : {};
  } catch (e) {
    showError(name + " failed: web-ui is not reachable (" + e.message + ")");
    return null;
  }
}

function psqlCommand(connection) {
  // the status shows postgresql://user:***@host:port/db; the command leaves the password to PGPASSWORD or a prompt
  return "psql \"" + String(connection).replace(/:\*\*\*@/, "@") + "\"";
}

async function copy(textToCopy, button) {
  try {
    await navigator.clipboard.writeText(textToCopy);
  } catch (e) {
    const area = el("textarea", {value: textToCopy});
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "copied";
  setTimeout(() => { button.textContent = "copy psql"; }, 1500);
}

function renderIndex(services) {
  for (const s of services) {
    document.querySelectorAll("[data-service-badge=\"" + s.name + "\"]").forEach((b) => setBadge(b, s.state));
  }
}

// A function that draws the newest value it was given at the next frame: several snapshots arriving
// between two frames cost one drawing, and a tab in the background draws nothing.
function atNextFrame(render) {
  let pending = false, newest = null;
  return (value) => {
    newest = value;
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(newest); });
  };
}

const showStatus = atNextFrame((status) => { latest = status; renderLock(); });

function renderLock() {
  const status = latest;
  const c = status.counts;
  text("count-total", c.total); text("count-free", c.free); text("count-locked", c.locked);
  text("count-resetting", c.resetting); text("count-quarantined", c.quarantined); text("count-waiting", c.waiting);
  text("pool-status", status.status); text("runtime", status.runtime); text("pg-version", status.postgresVersion);
  text("template-hash", status.templateHash);
  renderPendingTemplate(status.pendingTemplate);
  renderDatabases();
  renderWaiters(status.waiters);
  renderInstances(status.instances);
  record(status);
}

function renderPendingTemplate(pending) {
  const line = document.getElementById("pending-template");
  line.hidden = !pending;
  if (!pending) return;
  setText(line, pending.error
      ? "template " + pending.hash + " could not be built, databases keep " + (latest.templateHash || "the previous one") + ": " + pending.error
      : "template " + pending.hash + " is being built");
  line.className = pending.error ? "error" : "meta";
}

function renderWaiters(waiters) {
  const list = document.getElementById("waiters");
  waiters.forEach((w, i) => {
    let item = list.children[i];
    if (!item) { item = el("li", {}); list.append(item); }
    setAttr(item, "data-marker", w.marker);
    setText(item, w.marker + " · since " + new Date(w.since).toLocaleTimeString());
  });
  while (list.children.length > waiters.length) list.lastElementChild.remove();
  document.getElementById("waiters-empty").hidden = waiters.length > 0;
}

let shownInstances = "";

function renderInstances(instances) {
  const signature = JSON.stringify(instances);
  if (signature === shownInstances) return;
  shownInstances = signature;
  document.getElementById("instances").replaceChildren(...instances.map((i) => el("tr", {},
      el("td", {}, i.index), el("td", {}, i.host), el("td", {}, i.port),
      el("td", {}, el("span", {class: "badge " + (i.healthy ? "up" : "down")}, i.healthy ? "healthy" : (i.state || "down").toLowerCase())),
      el("td", {}, el("code", {}, i.templateHash || "")), el("td", {}, i.lastError || ""))));
  document.getElementById("instances-empty").hidden = instances.length > 0;
}

// Rows are kept and updated in place, so a button does not move or vanish under the pointer, and an
// update touches only the rows that changed. "held for" ticks only in the rows on screen: a thousand
// cells changing every second would keep the browser busy laying the table out.
const rowsByKey = new Map();
const onScreen = new Set();
const visibility = new IntersectionObserver((entries) => {
  const now = Date.now();
  for (const e of entries) {
    if (e.isIntersecting) { onScreen.add(e.target); showHeld(e.target, now); } else onScreen.delete(e.target);
  }
});

function databaseRow(d, key) {
  let row = rowsByKey.get(key);
  if (!row) {
    const release = el("button", {type: "button", class: "small force-release"}, "force release");
    release.onclick = () => {
      const current = row.database;
      act("force-release", {port: current.port, database: current.name},
          "Force-release " + current.name + " (held by " + current.marker + ")?");
    };
    const copyButton = el("button", {type: "button", class: "small copy-psql"}, "copy psql");
    copyButton.onclick = () => copy(copyButton.dataset.command, copyButton);
    const marker = el("div", {class: "clip"});
    row = el("tr", {"data-database": d.name, "data-port": d.port},
        el("td", {}, d.name), el("td", {}, d.port), el("td", {class: "state"}), el("td", {class: "marker"}, marker),
        el("td", {class: "held"}), el("td", {class: "expires"}), el("td", {}, release, " ", copyButton));
    row.cells_ = {state: row.children[2], marker, held: row.children[4], expires: row.children[5]};
    row.release = release;
    row.copyButton = copyButton;
    rowsByKey.set(key, row);
    visibility.observe(row);
  }
  return row;
}

// What tells one snapshot of a database from the next: a new lease changes lockedAt, a new state
// stateSince, an extension expiresAt, a restart the connection.
function signature(d) {
  return d.state + "|" + d.stateSince + "|" + d.lockedAt + "|" + d.expiresAt + "|" + d.connection;
}

function updateRow(row, d) {
  const sig = signature(d);
  if (row.sig === sig) return;
  row.sig = sig;
  row.database = d;
  const cells = row.cells_;
  setAttr(row, "data-state", d.state);
  setText(cells.state, d.state.toLowerCase());
  setAttr(cells.state, "class", "state state-" + d.state);
  setText(cells.marker, d.marker);
  setAttr(cells.marker, "title", d.marker);
  setText(cells.expires, d.expiresAt ? new Date(d.expiresAt).toLocaleTimeString() : "");
  row.release.disabled = d.state !== "LOCKED";
  setAttr(row.copyButton, "data-command", psqlCommand(d.connection));
  showHeld(row, Date.now());
}

function showHeld(row, now) {
  const d = row.database;
  if (d) setText(row.cells_.held, duration(d.lockedAt ? (now - Date.parse(d.lockedAt)) / 1000 : null));
}

function renderDatabases() {
  if (!latest) return;
  const present = new Set();
  const shown = [];
  for (const d of latest.databases) {
    const key = d.port + "/" + d.name;
    present.add(key);
    if (lockedOnly && d.state !== "LOCKED") continue;
    const row = databaseRow(d, key);
    updateRow(row, d);
    shown.push(row);
  }
  placeRows(document.getElementById("databases"), shown);
  for (const [key, row] of rowsByKey) {
    if (!present.has(key)) { rowsByKey.delete(key); visibility.unobserve(row); onScreen.delete(row); }
  }
  document.getElementById("databases-empty").hidden = shown.length > 0;
  text("databases-empty-text", lockedOnly ? "no databases locked" : "no databases");
}

function tickHeld() {
  const now = Date.now();
  for (const row of onScreen) showHeld(row, now);
}

function record(status) {
  const t = Date.now();
  const last = history[history.length - 1];
  if (last && t - last.t < 1000) return;
  history.push({t, p50: status.stats.waitP50Ms, p95: status.stats.waitP95Ms, grants: status.stats.grants});
  while (history.length && t - history[0].t > HISTORY_MS) history.shift();
  drawCharts();
}

function drawCharts() {
  const now = Date.now();
  const any = history.length > 0 && history[history.length - 1].grants > 0;
  // p50 last, so it stays visible where the two lines meet
  line(document.getElementById("wait-chart"), any, [
    {color: "#dd6b20", points: history.map((h) => [h.t, h.p95])},
    {color: "#3182ce", points: history.map((h) => [h.t, h.p50])}], now);
  // locks per minute: the grants of the trailing minute at each sample
  const rate = history.map((h) => {
    const from = history.find((o) => o.t >= h.t - 60000) || h;
    return [h.t, h.grants - from.grants];
  });
  line(document.getElementById("rate-chart"), any, [{color: "#2f855a", points: rate}], now);
}

// The time axis spans what the page has seen (at least half a minute, at most options.span, HISTORY_MS
// unless given), so the first samples spread over the chart instead of a sliver at its right edge. The y
// axis goes up to at least options.least (1 unless given); options.label writes its values (plain numbers
// unless given). The canvas's data-points says how many points it drew, data-first the time of the first.
function line(canvas, any, series, now, options) {
  if (!canvas) return;
  const {span: longest = HISTORY_MS, least = 1, label = (v, max) => v.toFixed(max < 10 ? 1 : 0)} = options || {};
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height, margin = 28;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#6b7280"; g.font = "11px sans-serif";
  setAttr(canvas, "data-points", any ? series.reduce((sum, s) => sum + s.points.length, 0) : 0);
  if (!any) {
    g.textAlign = "center";
    g.fillText(canvas.dataset.empty || "no data yet", w / 2, h / 2);
    g.textAlign = "start";
    return;
  }
  const first = Math.min(now, ...series.flatMap((s) => s.points.map((p) => p[0])));
  setAttr(canvas, "data-first", first);
  const span = Math.min(longest, Math.max(30000, now - first));
  const max = Math.max(least, ...series.flatMap((s) => s.points.map((p) => p[1] || 0))) * 1.15;
  g.strokeStyle = "#e3e3de"; g.font = "10px sans-serif";
  const ticks = [0, 1, 2].map((i) => label(max * i / 2, max));
  const pad = Math.max(margin, ...ticks.map((t) => g.measureText(t).width + 6)); // room for the widest label
  ticks.forEach((tick, i) => {
    const y = h - margin / 2 - (h - margin) * i / 2;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w, y); g.stroke();
    g.fillText(tick, 2, y + 3);
  });
  g.textAlign = "end";
  g.fillText("last " + (span >= 120000 ? Math.round(span / 60000) + " min" : Math.round(span / 1000) + " s"), w - 2, 10);
  g.textAlign = "start";
  for (const s of series) {
    const xy = s.points.map(([t, v]) => [pad + (w - pad) * (1 - (now - t) / span), h - margin / 2 - (h - margin) * (v || 0) / max]);
    g.strokeStyle = s.color; g.fillStyle = s.color; g.lineWidth = 2; g.beginPath();
    xy.forEach(([x, y], i) => { if (i === 0) g.moveTo(x, y); else g.lineTo(x, y); });
    g.stroke();
    if (xy.length) { const [x, y] = xy[xy.length - 1]; g.beginPath(); g.arc(x, y, 3, 0, 2 * Math.PI); g.fill(); }
  }
}

function wireLockPage() {
  document.getElementById("toggle-locked").onclick = (e) => {
    lockedOnly = !lockedOnly;
    e.target.textContent = lockedOnly ? "show all" : "show locked only";
    renderDatabases();
  };
  document.getElementById("release-marker").onclick = () => {
    const marker = document.getElementById("marker-input").value.trim();
    if (!marker) { showError("type a marker first"); return; }
    act("release-by-marker", {marker}, "Release every database held by '" + marker + "'?");
  };
  document.getElementById("release-all").onclick = () => act("release-all", {}, "Release every locked database?");
  document.getElementById("restart").onclick = () => act("restart", {}, "Restart the pool? Every lease ends and every server restarts.");
  setInterval(() => { if (!document.hidden) tickHeld(); }, 1000);
  drawCharts();
}

// Each service page's script: wire() once, show(snapshot) for every status snapshot of its service.
// A page's own script (loaded after this one) adds itself here before the page has loaded.
const servicePages = {lock: {wire: wireLockPage, show: showStatus}};

// While the page's service (or web-ui) cannot be heard, what the page shows is its last status, marked as such.
let lastStatusAt = null;

function markStale(state) {
  const notice = document.getElementById("stale");
  if (!notice) return;
  const stale = state !== "up" && lastStatusAt !== null;
  notice.hidden = !stale;
  document.body.classList.toggle("stale", stale);
  if (stale) {
    setText(notice, (state === "web-ui unreachable" ? "web-ui is not reachable" : serviceName + " is " + state)
        + ": this page shows its last status, as of " + lastStatusAt.toLocaleTimeString() + ", which may be out of date");
  }
}

function start() {
  if (page === "login") return;
  const badge = document.getElementById("service-state");
  const subscriptions = {"/topic/status": (snapshot) => {
    const services = snapshot.services || [];
    renderIndex(services);
    const view = badge && services.find((s) => s.name === serviceName);
    if (view) {
      setBadge(badge, view.state);
      markStale(String(view.state).toLowerCase());
    }
  }};
  const closeError = document.getElementById("error-close");
  if (closeError) closeError.onclick = () => { document.getElementById("error").hidden = true; };
  const servicePage = servicePages[page];
  if (servicePage) {
    servicePage.wire();
    subscriptions["/topic/status/" + serviceName] = (snapshot) => {
      lastStatusAt = new Date();
      servicePage.show(snapshot);
    };
  }
  stomp("/ws", subscriptions, () => {}, () => {
    if (badge) setBadge(badge, "web-ui unreachable");
    markStale("web-ui unreachable");
  });
}

document.addEventListener("DOMContentLoaded", start);
