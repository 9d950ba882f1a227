// pgcorral web-ui, the replay page: sessions, lag and changes/s from the live status; the selected
// session's checkpoints, restores, compare and change log through web-ui's actions. Built on ui.js
// (loaded first): every value from the service goes into the page as text, never as HTML.
"use strict";

const CHANGES_PAGE_SIZE = 20;
const replay = {
  sessions: [], // of the newest snapshot
  selected: null, // the selected session's id
  rates: new Map(), // session id -> [[time, changes/s]]
  lastCheckpoint: undefined, // the selected session's, when its checkpoints were last asked for
  checkpoints: [],
  shownCheckpoints: "",
  restores: new Map(), // session id -> its newest restore known here
  changes: {page: 0, total: 0, entries: undefined}
};

function sessionPath(rest) {
  return "sessions/" + encodeURIComponent(replay.selected) + rest;
}

function selectedSession() {
  return replay.sessions.find((s) => s.id === replay.selected) || null;
}

// --- sessions, from the live status ---

const sessionRows = new Map();

function sessionRow(s) {
  let row = sessionRows.get(s.id);
  if (!row) {
    row = el("tr", {class: "session", "data-session": s.id},
        el("td", {class: "name"}), el("td", {class: "database"}), el("td", {class: "state"}), el("td", {class: "entries"}),
        el("td", {class: "lag-bytes"}), el("td", {class: "lag-seconds"}), el("td", {class: "rate"}),
        el("td", {class: "last-checkpoint"}), el("td", {class: "target-seq"}));
    row.onclick = () => selectSession(s.id);
    sessionRows.set(s.id, row);
  }
  const c = row.children;
  setText(c[0], s.name + (s.active ? " (active)" : ""));
  setText(c[1], s.database);
  setAttr(row, "data-state", s.state);
  setAttr(c[2], "class", "state state-" + s.state);
  setText(c[2], s.state.toLowerCase() + (s.streaming || s.state !== "CAPTURING" ? "" : ", not streaming") + (s.error ? ": " + s.error : ""));
  setText(c[3], s.entries);
  setText(c[4], bytes(s.lagBytes));
  setText(c[5], s.lagSeconds.toFixed(1));
  setText(c[6], s.changesPerSecond.toFixed(1));
  setText(c[7], s.lastCheckpoint || "");
  setText(c[8], s.targetSeq == null ? "unknown" : s.targetSeq);
  setAttr(row, "class", "session" + (s.id === replay.selected ? " selected" : ""));
  return row;
}

function renderSessions(sessions) {
  const body = document.getElementById("sessions");
  const rows = sessions.map(sessionRow);
  placeRows(body, rows);
  for (const id of sessionRows.keys()) if (!sessions.some((s) => s.id === id)) sessionRows.delete(id);
  document.getElementById("sessions-empty").hidden = sessions.length > 0;
}

function sampleRates(sessions) {
  const now = Date.now();
  for (const s of sessions) {
    const points = replay.rates.get(s.id) || [];
    if (points.length && now - points[points.length - 1][0] < 1000) continue;
    points.push([now, s.changesPerSecond]);
    while (points.length && now - points[0][0] > HISTORY_MS) points.shift();
    replay.rates.set(s.id, points);
  }
}

function drawRates() {
  const points = replay.rates.get(replay.selected) || [];
  line(document.getElementById("changes-chart"), points.length > 0, [{color: "#2f855a", points}], Date.now());
}

function renderReplay(snapshot) {
  replay.sessions = snapshot.sessions || [];
  sampleRates(replay.sessions);
  if (!selectedSession() && replay.sessions.length) {
    const wanted = new URLSearchParams(location.hash.substring(1)).get("session");
    const first = replay.sessions.find((s) => s.id === wanted) || replay.sessions.find((s) => s.active) || replay.sessions[0];
    selectSession(first.id);
  }
  renderSessions(replay.sessions);
  drawRates();
  const session = selectedSession();
  document.getElementById("session-detail").hidden = !session;
  if (!session) return;
  const pending = replay.checkpoints.some((c) => !c.captured || (c.copy && c.copy.state === "BUILDING"));
  if (pending || session.lastCheckpoint !== replay.lastCheckpoint) {
    replay.lastCheckpoint = session.lastCheckpoint;
    loadCheckpoints();
  }
  if (session.entries !== replay.changes.entries && replay.changes.page === 0) loadChanges();
  followRestore(session, snapshot.restores || []);
  markTarget(session);
}

function selectSession(id) {
  if (replay.selected === id) return;
  replay.selected = id;
  window.history.replaceState(null, "", "#session=" + encodeURIComponent(id));
  const session = selectedSession();
  text("selected-name", session ? session.name : id);
  text("chart-session", session ? session.name : id);
  replay.checkpoints = [];
  replay.shownCheckpoints = "";
  replay.lastCheckpoint = session ? session.lastCheckpoint : undefined;
  replay.changes.page = 0;
  replay.changes.entries = session ? session.entries : undefined;
  document.getElementById("checkpoints").replaceChildren();
  document.getElementById("compare-result").hidden = true;
  document.getElementById("compare-summary").hidden = true;
  for (const [key, row] of sessionRows) setAttr(row, "class", "session" + (key === id ? " selected" : ""));
  loadCheckpoints();
  loadChanges();
}

// --- checkpoints and restores ---

const loadCheckpoints = throttled(async () => {
  const session = replay.selected;
  const answer = await read(sessionPath("/checkpoints"), "checkpoints");
  if (!answer || session !== replay.selected) return;
  const rank = {CREATION: 0, MIGRATION: 1};
  replay.checkpoints = answer.map((c, i) => [c, i])
      .sort((a, b) => ((rank[a[0].kind] ?? 2) - (rank[b[0].kind] ?? 2)) || a[1] - b[1]).map((p) => p[0]);
  renderCheckpoints();
}, 1000);

function renderCheckpoints() {
  const signature = JSON.stringify(replay.checkpoints);
  if (signature === replay.shownCheckpoints) return;
  replay.shownCheckpoints = signature;
  document.getElementById("checkpoints").replaceChildren(...replay.checkpoints.map(checkpointItem));
  document.getElementById("checkpoints-empty").hidden = replay.checkpoints.length > 0;
  const against = document.getElementById("compare-against");
  const chosen = against.value;
  against.replaceChildren(el("option", {value: "source"}, "the source"),
      ...replay.checkpoints.filter((c) => c.copy && c.copy.state === "READY")
          .map((c) => el("option", {value: c.id}, "checkpoint " + c.name + " (its kept copy)")));
  against.value = [...against.options].some((o) => o.value === chosen) ? chosen : "source";
  const session = selectedSession();
  if (session) markTarget(session);
  const restore = replay.restores.get(replay.selected);
  if (restore) renderRestore(restore);
}

function copyNote(copy) {
  if (!copy || !copy.state || copy.state === "NONE") return "";
  if (copy.state === "FAILED") return " · copy failed: " + (copy.error || "");
  return copy.state === "READY" ? " · copy kept" : " · copy being built";
}

function checkpointItem(c) {
  const restoreButton = el("button", {type: "button", class: "small restore-here", disabled: !c.captured,
    title: c.captured ? "" : "not captured yet"}, "restore the target here");
  restoreButton.onclick = () => startRestore(c);
  return el("li", {class: "checkpoint kind-" + c.kind, "data-checkpoint": c.id, "data-kind": c.kind, "data-name": c.name},
      el("div", {},
          el("span", {class: "badge kind"}, c.kind.toLowerCase()), " ", el("b", {class: "name"}, c.name), " ",
          el("span", {class: "meta"}, when(c.createdAt) + " · "
              + (c.captured ? "at entry " + c.entryIndex : "not captured yet") + copyNote(c.copy)), " ",
          el("span", {class: "badge up target-here", hidden: true}, "target is here")),
      c.description ? el("div", {class: "description"}, c.description) : "",
      el("div", {class: "restore-line"}, restoreButton, " ", el("span", {class: "restore-progress"})));
}

function markTarget(session) {
  for (const item of document.querySelectorAll("#checkpoints li")) {
    const c = replay.checkpoints.find((x) => x.id === item.dataset.checkpoint);
    item.querySelector(".target-here").hidden = !(c && c.captured && session.targetSeq === c.entryIndex);
  }
}

async function startRestore(c) {
  const session = selectedSession();
  if (!session) return;
  const answer = await act(sessionPath("/restores"), {checkpointId: c.id}, "Restore the target of " + session.name
      + " to checkpoint " + c.name + "? Connections to the target database are ended.", "restore");
  if (!answer) return;
  replay.restores.set(session.id, answer);
  renderRestore(answer);
}

// Progress comes with the live status while the restore runs; once it is no longer listed there, its
// result is read from the service.
function followRestore(session, running) {
  const live = running.find((r) => r.sessionId === session.id);
  let restore = replay.restores.get(session.id);
  if (live && (!restore || restore.id !== live.id)) {
    restore = {id: live.id, sessionId: session.id, checkpointId: null, state: "RUNNING"}; // started elsewhere
    replay.restores.set(session.id, restore);
    pollRestore();
  }
  if (!restore || restore.state !== "RUNNING") return;
  if (live) {
    Object.assign(restore, {entriesApplied: live.entriesApplied, entriesTotal: live.entriesTotal,
      durationMs: live.seconds * 1000, startPoint: live.startPoint});
    renderRestore(restore);
  } else {
    pollRestore();
  }
}

const pollRestore = throttled(async () => {
  const session = replay.selected;
  const restore = replay.restores.get(session);
  if (!restore) return;
  const answer = await read(sessionPath("/restores/" + encodeURIComponent(restore.id)), "restore");
  if (!answer || replay.restores.get(session) !== restore) return;
  replay.restores.set(session, answer);
  if (session === replay.selected) renderRestore(answer);
}, 500);

function renderRestore(r) {
  for (const item of document.querySelectorAll("#checkpoints li")) {
    const progress = item.querySelector(".restore-progress");
    if (item.dataset.checkpoint !== r.checkpointId) { progress.replaceChildren(); progress.removeAttribute("data-state"); continue; }
    const entries = (r.entriesApplied ?? 0) + " of " + (r.entriesTotal ?? "?") + " entries applied";
    const took = r.durationMs == null ? "" : " in " + (r.durationMs / 1000).toFixed(1) + " s";
    const words = r.state === "RUNNING" ? "restoring: " + entries + took
        : r.state === "DONE" ? "done: " + entries + took + (r.startPoint ? ", from " + r.startPoint : "")
            + (r.connectionsEnded ? ", " + r.connectionsEnded + " connection(s) ended" : "")
        : "failed: " + (r.error || "unknown error") + " (" + entries + ")";
    const bar = el("progress", {max: Math.max(1, r.entriesTotal || 0), value: r.entriesApplied || 0});
    setAttr(progress, "data-state", r.state);
    setAttr(progress, "class", "restore-progress restore-" + r.state);
    progress.replaceChildren(...(r.state === "RUNNING" ? [bar, " "] : []), el("span", {class: "restore-text"}, words));
  }
}

async function createCheckpoint(event) {
  event.preventDefault();
  const name = document.getElementById("checkpoint-name"), description = document.getElementById("checkpoint-description");
  const button = document.getElementById("create-checkpoint");
  if (!name.value.trim() || !replay.selected) return;
  button.disabled = true;
  setText(button, "creating…");
  const answer = await act(sessionPath("/checkpoints"), {name: name.value.trim(), description: description.value.trim()},
      null, "create checkpoint");
  button.disabled = false;
  setText(button, "Create checkpoint");
  if (!answer) return;
  name.value = "";
  description.value = "";
  loadCheckpoints();
}

// --- compare ---

async function compare() {
  if (!replay.selected) return;
  const summary = document.getElementById("compare-summary");
  summary.hidden = false;
  setText(summary, "comparing…");
  document.getElementById("compare-result").hidden = true;
  const r = await act(sessionPath("/compare"), {against: document.getElementById("compare-against").value}, null, "compare");
  if (!r) { summary.hidden = true; return; }
  const equal = (t) => t.equal != null ? t.equal : t.rowsLeft != null && t.rowsLeft === t.rowsRight && t.hashLeft === t.hashRight;
  const different = r.tables.filter((t) => !equal(t)).length;
  setAttr(summary, "data-equal", r.equal);
  setText(summary, r.left + " against " + r.right + ": " + (r.equal ? "equal, every table has the same rows"
      : different + " of " + r.tables.length + " table(s) differ"));
  text("compare-left", "rows in " + r.left);
  text("compare-right", "rows in " + r.right);
  document.getElementById("compare-tables").replaceChildren(...r.tables.map((t) => el("tr",
      {"data-table": t.schema + "." + t.table, "data-equal": equal(t)},
      el("td", {}, t.schema + "." + t.table), el("td", {class: "rows-left"}, t.rowsLeft ?? "missing"),
      el("td", {class: "rows-right"}, t.rowsRight ?? "missing"),
      el("td", {}, el("span", {class: "badge " + (equal(t) ? "up" : "down")}, equal(t) ? "equal" : "different")))));
  document.getElementById("compare-result").hidden = false;
}

// --- the change log ---

const loadChanges = throttled(async () => {
  const session = selectedSession();
  if (!session) return;
  const entries = session.entries;
  const query = new URLSearchParams({order: document.getElementById("changes-order").value,
    page: replay.changes.page, size: CHANGES_PAGE_SIZE});
  const table = document.getElementById("changes-table").value.trim();
  const operation = document.getElementById("changes-operation").value;
  if (table) query.set("table", table);
  if (operation) query.set("operation", operation);
  const answer = await read(sessionPath("/changes?" + query), "change log");
  if (!answer || session.id !== replay.selected) return;
  replay.changes.entries = entries;
  replay.changes.total = answer.total;
  document.getElementById("changes").replaceChildren(...answer.items.map(changeEntry));
  document.getElementById("changes-empty").hidden = answer.items.length > 0;
  const pages = Math.max(1, Math.ceil(answer.total / CHANGES_PAGE_SIZE));
  text("changes-page", "page " + (replay.changes.page + 1) + " of " + pages + " · " + answer.total + " change(s)");
  document.getElementById("changes-prev").disabled = replay.changes.page === 0;
  document.getElementById("changes-next").disabled = replay.changes.page + 1 >= pages;
}, 500);

function changeEntry(c) {
  const relation = c.table ? (c.schema ? c.schema + "." : "") + c.table : "";
  return el("article", {class: "change", "data-seq": c.seq, "data-operation": c.operation, "data-table": relation},
      el("div", {class: "change-head"}, el("b", {}, "#" + c.seq), " ", el("span", {class: "op op-" + c.operation}, c.operation), " ",
          el("code", {class: "relation"}, relation), " ",
          el("span", {class: "meta"}, "xid " + c.xid + " · commit " + c.commitLsn + " · " + when(c.commitTime))),
      c.statement ? el("pre", {class: "statement"}, c.statement) : valuesTable(c));
}

// Values under their column names: the new row, and the old row or key where the source sent one.
function valuesTable(c) {
  const columns = c.columns || [];
  const names = columns.map((col) => col.name);
  for (const row of [c.oldData, c.data]) {
    for (const name of Object.keys(row || {})) if (!names.includes(name)) names.push(name);
  }
  const header = el("tr", {}, el("th", {}),
      ...names.map((name) => {
        const col = columns.find((x) => x.name === name);
        return el("th", {class: col && col.key ? "key" : "", title: col ? col.type + (col.key ? ", key" : "") : ""}, name);
      }));
  const rows = [];
  if (c.oldData) rows.push(valuesRow(c.oldKind === "KEY" ? "old key" : "old", c.oldData, names));
  if (c.data) rows.push(valuesRow("new", c.data, names));
  return el("table", {class: "values"}, el("thead", {}, header), el("tbody", {}, ...rows));
}

function valuesRow(label, row, names) {
  return el("tr", {class: label.replace(" ", "-")}, el("th", {}, label), ...names.map((name) => {
    if (!Object.prototype.hasOwnProperty.call(row, name)) return el("td", {class: "absent", title: "not sent"}, "");
    const v = row[name];
    if (v === null) return el("td", {class: "null", "data-column": name}, "NULL");
    return el("td", {"data-column": name}, typeof v === "object" ? JSON.stringify(v) : String(v));
  }));
}

function reloadChanges(page) {
  replay.changes.page = page;
  loadChanges();
}

function wireReplayPage() {
  document.getElementById("checkpoint-form").onsubmit = createCheckpoint;
  document.getElementById("compare").onclick = compare;
  document.getElementById("changes-refresh").onclick = () => reloadChanges(replay.changes.page);
  document.getElementById("changes-prev").onclick = () => reloadChanges(Math.max(0, replay.changes.page - 1));
  document.getElementById("changes-next").onclick = () => reloadChanges(replay.changes.page + 1);
  document.getElementById("changes-operation").onchange = () => reloadChanges(0);
  document.getElementById("changes-order").onchange = () => reloadChanges(0);
  document.getElementById("changes-table").onkeydown = (e) => { if (e.key === "Enter") reloadChanges(0); };
  document.getElementById("changes-table").onchange = () => reloadChanges(0);
  drawRates();
}

servicePages.replay = {wire: wireReplayPage, show: atNextFrame(renderReplay)};
