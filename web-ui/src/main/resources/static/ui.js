// pgcorral web-ui: a STOMP-over-WebSocket subscription to web-ui's own /topic/status (no library,
// so nothing is fetched from a CDN), and the rendering of the pages from what arrives.
"use strict";

const page = document.body.dataset.page;
const serviceName = document.body.dataset.service;
let lockedOnly = false;
let latest = null;
const history = []; // {t, p50, p95, grants}
const HISTORY_MS = 10 * 60 * 1000;

function stomp(path, destination, onMessage, onOpen, onClose) {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  let ws;
  function connect() {
    ws = new WebSocket(url);
    ws.onopen = () => ws.send("CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0");
    ws.onmessage = (event) => {
      for (const frame of String(event.data).split("\0")) {
        if (!frame.trim()) continue;
        const split = frame.indexOf("\n\n");
        const command = frame.substring(0, split).replace(/^\n+/, "").split("\n")[0];
        if (command === "CONNECTED") {
          ws.send("SUBSCRIBE\nid:sub-0\ndestination:" + destination + "\n\n\0");
          onOpen();
        } else if (command === "MESSAGE") {
          onMessage(JSON.parse(frame.substring(split + 2)));
        }
      }
    };
    ws.onclose = () => { onClose(); setTimeout(connect, 1000); };
  }
  connect();
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

function text(id, value) {
  const node = document.getElementById(id);
  if (node) node.textContent = value == null ? "–" : value;
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

function showError(message) {
  const box = document.getElementById("error");
  if (!box) { alert(message); return; }
  text("error-text", message);
  box.hidden = false;
}

async function act(action, body, confirmText) {
  if (confirmText && !confirm(confirmText)) return;
  try {
    const response = await fetch("/services/" + encodeURIComponent(serviceName) + "/actions/" + action, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {})
    });
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch (e) { /* not JSON */ }
      showError(action + " failed: " + detail);
    }
  } catch (e) {
    showError(action + " failed: web-ui is not reachable (" + e.message + ")");
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

function renderLock(view) {
  setBadge(document.getElementById("service-state"), view.state);
  const status = view.status;
  if (!status) return;
  latest = status;
  const c = status.counts;
  text("count-total", c.total); text("count-free", c.free); text("count-locked", c.locked);
  text("count-resetting", c.resetting); text("count-quarantined", c.quarantined); text("count-waiting", c.waiting);
  text("pool-status", status.status); text("runtime", status.runtime); text("pg-version", status.postgresVersion);
  text("template-hash", status.templateHash);
  renderDatabases();
  const waiters = document.getElementById("waiters");
  waiters.replaceChildren(...status.waiters.map((w) => el("li", {"data-marker": w.marker}, w.marker + " · since "
      + new Date(w.since).toLocaleTimeString())));
  document.getElementById("instances").replaceChildren(...status.instances.map((i) => el("tr", {},
      el("td", {}, i.index), el("td", {}, i.host), el("td", {}, i.port),
      el("td", {}, el("span", {class: "badge " + (i.healthy ? "up" : "down")}, i.healthy ? "healthy" : "down")),
      el("td", {}, el("code", {}, i.templateHash || "")), el("td", {}, i.lastError || ""))));
  record(status);
}

// Rows are kept and updated in place, so a button does not move or vanish under the pointer.
const rowsByKey = new Map();

function databaseRow(d) {
  const key = d.port + "/" + d.name;
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
    row = el("tr", {"data-database": d.name, "data-port": d.port},
        el("td", {}, d.name), el("td", {}, d.port), el("td", {class: "state"}), el("td", {class: "marker"}),
        el("td", {class: "held"}), el("td", {class: "expires"}), el("td", {}, release, " ", copyButton));
    row.release = release;
    row.copyButton = copyButton;
    rowsByKey.set(key, row);
  }
  row.database = d;
  return row;
}

function renderDatabases() {
  if (!latest) return;
  const now = Date.now();
  const shown = latest.databases.filter((d) => !lockedOnly || d.state === "LOCKED").map((d) => {
    const row = databaseRow(d);
    const held = d.lockedAt ? (now - Date.parse(d.lockedAt)) / 1000 : null;
    row.setAttribute("data-state", d.state);
    const state = row.querySelector(".state");
    state.textContent = d.state.toLowerCase();
    state.className = "state state-" + d.state;
    row.querySelector(".marker").textContent = d.marker || "";
    row.querySelector(".held").textContent = duration(held);
    row.querySelector(".expires").textContent = d.expiresAt ? new Date(d.expiresAt).toLocaleTimeString() : "";
    row.release.disabled = d.state !== "LOCKED";
    row.copyButton.dataset.command = psqlCommand(d.connection);
    return row;
  });
  const body = document.getElementById("databases");
  shown.forEach((row, i) => {
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] || null);
  });
  while (body.children.length > shown.length) body.lastElementChild.remove();
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
  line(document.getElementById("wait-chart"), [
    {color: "#3182ce", points: history.map((h) => [h.t, h.p50])},
    {color: "#dd6b20", points: history.map((h) => [h.t, h.p95])}], now);
  // locks per minute: the grants of the trailing minute at each sample
  const rate = history.map((h) => {
    const from = history.find((o) => o.t >= h.t - 60000) || h;
    return [h.t, h.grants - from.grants];
  });
  line(document.getElementById("rate-chart"), [{color: "#2f855a", points: rate}], now);
}

function line(canvas, series, now) {
  if (!canvas) return;
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 28;
  g.clearRect(0, 0, w, h);
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1] || 0))) * 1.15;
  g.strokeStyle = "#e3e3de"; g.fillStyle = "#6b7280"; g.font = "10px sans-serif";
  for (let i = 0; i <= 2; i++) {
    const y = h - pad / 2 - (h - pad) * i / 2;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w, y); g.stroke();
    g.fillText((max * i / 2).toFixed(max < 10 ? 1 : 0), 2, y + 3);
  }
  for (const s of series) {
    g.strokeStyle = s.color; g.lineWidth = 1.5; g.beginPath();
    s.points.forEach(([t, v], i) => {
      const x = pad + (w - pad) * (1 - (now - t) / HISTORY_MS), y = h - pad / 2 - (h - pad) * (v || 0) / max;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
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
  document.getElementById("error-close").onclick = () => { document.getElementById("error").hidden = true; };
  setInterval(renderDatabases, 1000);
}

if (page === "lock") wireLockPage();
stomp("/ws", "/topic/status", (snapshot) => {
  const services = snapshot.services || [];
  renderIndex(services);
  if (page === "lock") {
    const view = services.find((s) => s.name === serviceName);
    if (view) renderLock(view);
  }
}, () => {}, () => {
  if (page === "lock") setBadge(document.getElementById("service-state"), "web-ui unreachable");
});
