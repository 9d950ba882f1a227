// pgcorral web-ui, the migration page: migrations with their progress from the live status; the selected
// migration's phases, tables, throughput, follow (position, lag and its chart), log and compare; the cluster
// registry (add, test, introspect, delete) and the form that creates a migration, through web-ui's actions.
// Built on ui.js (loaded first): every value from the service goes into the page as text, never as HTML.
"use strict";

const EMBEDDED = "embedded";
const TERMINAL_PHASES = ["done", "stopped", "error", "stale"];
const LAG_SPAN_MS = 5 * 60 * 1000;
// How long the service keeps a stopped or failed run's snapshot for a start to resume on.
const KEPT_SNAPSHOT = "if the start comes while the service keeps that snapshot (keep-snapshot: 10 minutes unless configured)";
const migration = {
  list: [], // the newest snapshot's migrations
  selected: null, // the selected migration's id
  selectedSeen: false, // whether a snapshot has listed it (one just created is not listed yet)
  detail: null, // GET migrations/{id} of the selected one: its route, and its last run's tables and phases
  detailStatus: "", // the status it was read at
  clusters: [],
  clustersLoaded: false,
  logs: [],
  shownLogs: "",
  shownPhases: "",
  lag: new Map(), // per following migration, [time, lag bytes, lag seconds] of each status message (LAG_SPAN_MS of them)
  switchoverLines: 0, // the selected migration's switchover log lines last seen
  idEdited: false
};
const READINESS = {
  version: "PostgreSQL version", primary: "a primary, not a standby", wal_level: "wal_level",
  replication_slots: "a free replication slot", wal_senders: "a free WAL sender",
  replication_privilege: "the REPLICATION privilege", publication_privilege: "may create a publication",
  switchover: "a switchover could stop its writes (not needed to be ready)",
  replica_identity: "every table has a replica identity (not needed to be ready)"
};

function migrationPath(rest) {
  return "migrations/" + encodeURIComponent(migration.selected) + (rest || "");
}

function clusterPath(cluster, rest) {
  return "clusters/" + encodeURIComponent(cluster) + (rest || "");
}

function selectedMigration() {
  return migration.list.find((m) => m.id === migration.selected) || null;
}

function running(m) {
  return !!m && ["running", "streaming", "switchover"].includes(m.status);
}

// Copy rates are live while the clone runs; once the migration follows, they are the clone's last ones.
function copying(m) {
  return running(m) && !m.follow;
}

// Modes that follow the source after the clone, through a replication slot and a publication there.
function follows(m) {
  return !!m && m.mode !== "clone_only";
}

// A mode as the form's choice names it (follow_only, made by a fallback, is not one of them).
function modeLabel(mode) {
  const option = [...document.getElementById("migration-mode").options].find((o) => o.value === mode);
  return option ? option.text : mode === "follow_only" ? "follow a slot" : mode;
}

// The service's phase codes, in words where the code is not one.
const PHASE_WORDS = {switchover_complete: "switched over", "switchover-complete": "switched over", switchover_failed: "switchover failed",
  error: "failed", stale: "cut off by a restart"};

function phaseLabel(phase) {
  return PHASE_WORDS[phase] || phase || "";
}

// The clone's copy rates, while it copies rows (not while it builds indexes or finishes).
function copyRates(m) {
  return copying(m) && m.phase === "copy";
}

function count(n) {
  return n == null ? "" : Number(n).toLocaleString("en-US");
}

function megabytesPerSecond(bytesPerSecond) {
  const mb = (bytesPerSecond || 0) / 1e6;
  return mb.toFixed(mb < 10 ? 2 : 1);
}

function seconds(s) {
  if (s == null || s < 0) return "";
  return s < 60 ? s.toFixed(s < 10 ? 2 : 1) + " s" : duration(s);
}

function percentText(p) {
  return p >= 100 ? "100 %" : (p || 0).toFixed(1) + " %";
}

function shortVersion(version) {
  return String(version || "").replace(/ on .*/, "");
}

function nodeLabel(n) {
  return (n.name || n.id) + " (" + n.host + ":" + n.port + "/" + (n.dbname || "postgres") + ")";
}

// --- migrations, from the live status ---

const migrationRows = new Map();

function migrationRow(m) {
  let row = migrationRows.get(m.id);
  if (!row) {
    row = el("tr", {class: "migration", "data-migration": m.id},
        el("td", {class: "name"}), el("td", {class: "mode"}), el("td", {class: "status"}), el("td", {class: "phase"}),
        el("td", {class: "tables"}), el("td", {class: "rows"}), el("td", {class: "bytes"}), el("td", {class: "rows-rate"}),
        el("td", {class: "bytes-rate"}));
    row.onclick = () => selectMigration(m.id);
    migrationRows.set(m.id, row);
  }
  const c = row.children, rates = copyRates(m);
  setText(c[0], m.name === m.id ? m.id : m.name + " (" + m.id + ")");
  setText(c[1], modeLabel(m.mode));
  setAttr(c[1], "title", m.mode);
  setAttr(row, "data-status", m.status);
  setAttr(c[2], "class", "status status-" + m.status);
  setText(c[2], m.status);
  setText(c[3], phaseLabel(m.phase));
  setText(c[4], m.tablesCopied + " / " + m.tablesTotal);
  setText(c[5], count(m.rowsCopied));
  setText(c[6], bytes(m.bytesCopied));
  setText(c[7], rates ? count(Math.round(m.rowsPerSecond)) : "");
  setText(c[8], rates ? megabytesPerSecond(m.bytesPerSecond) : "");
  setAttr(row, "class", "migration" + (m.id === migration.selected ? " selected" : ""));
  return row;
}

function renderMigrationPage(snapshot) {
  migration.list = snapshot.migrations || [];
  sampleLag(migration.list);
  if (!migration.clustersLoaded) loadClusters();
  const current = selectedMigration();
  if (current) migration.selectedSeen = true;
  if (!current && (migration.selected === null || migration.selectedSeen)) {
    const wanted = new URLSearchParams(location.hash.substring(1)).get("migration");
    const first = migration.list.find((m) => m.id === wanted) || migration.list.find(running) || migration.list[0];
    if (first) selectMigration(first.id); else migration.selected = null;
  }
  const body = document.getElementById("migrations");
  placeRows(body, migration.list.map(migrationRow));
  for (const id of migrationRows.keys()) if (!migration.list.some((m) => m.id === id)) migrationRows.delete(id);
  document.getElementById("migrations-empty").hidden = migration.list.length > 0;
  renderSelected();
}

function selectMigration(id) {
  if (migration.selected === id) return;
  migration.selected = id;
  migration.selectedSeen = migration.list.some((m) => m.id === id);
  window.history.replaceState(null, "", "#migration=" + encodeURIComponent(id));
  migration.detail = null;
  migration.detailStatus = "";
  migration.logs = [];
  migration.shownLogs = null;
  migration.shownPhases = "";
  document.getElementById("keep-slot").checked = false;
  tableRows.clear();
  document.getElementById("tables").replaceChildren();
  clearCompare();
  for (const [key, row] of migrationRows) setAttr(row, "class", "migration" + (key === id ? " selected" : ""));
  renderSelected();
  loadLogs();
}

// --- the selected migration ---

function renderSelected() {
  const m = selectedMigration();
  document.getElementById("migration-detail").hidden = !m;
  if (!m) return;
  const live = running(m);
  text("selected-name", m.name === m.id ? m.id : m.name + " (" + m.id + ")");
  const badge = document.getElementById("selected-status");
  setText(badge, m.status);
  setAttr(badge, "class", "badge status-" + m.status);
  setAttr(badge, "data-status", m.status);
  const error = document.getElementById("selected-error");
  error.hidden = !m.error;
  setText(error, m.error || "");
  renderSwitchoverOutcome(m, migration.detail && migration.detail.id === m.id ? migration.detail : null);
  if (!live) document.getElementById("selected-note").hidden = true;
  const d = migration.detail && migration.detail.id === m.id ? migration.detail : null;
  // after a switchover the destination takes the writes: the service refuses a start, which would clone over it
  document.getElementById("migration-start").disabled = live || !!(d && d.switchover_lsn);
  document.getElementById("migration-stop").disabled = !live;
  // a switchover moves the writes of a migration that follows; the service refuses it otherwise (409)
  document.getElementById("migration-switchover").hidden = !follows(m);
  document.getElementById("switchover-timeout-choice").hidden = !follows(m);
  document.getElementById("migration-switchover").disabled = m.status !== "streaming";
  document.getElementById("keep-slot-choice").hidden = !follows(m);
  if (m.status !== migration.detailStatus) {
    migration.detailStatus = m.status;
    loadDetail();
    loadLogs(); // a run that just ended: its last lines (the service keeps the last run's log)
  }
  text("selected-phase", phaseLabel(m.phase) || "–");
  text("selected-tables", m.tablesCopied + " / " + m.tablesTotal);
  text("selected-rows", count(m.rowsCopied));
  text("selected-bytes", bytes(m.bytesCopied));
  text("selected-rows-rate", copyRates(m) ? count(Math.round(m.rowsPerSecond)) : "–");
  text("selected-bytes-rate", copyRates(m) ? megabytesPerSecond(m.bytesPerSecond) : "–");
  const stored = !live && migration.detail && migration.detail.id === m.id ? migration.detail : null;
  const tables = m.tables && m.tables.length ? m.tables : stored ? storedTables(stored) : [];
  const phases = m.phases && m.phases.length ? m.phases : stored ? storedPhases(stored) : [];
  renderTables(tables, m);
  renderPhases(phases, m);
  renderThroughput(m, phases);
  renderFollow(m);
  renderRoute();
  if (live) loadLogs();
}

// How the last switchover went, where the status alone does not say: one that failed (the follow goes on, streaming),
// from the run's events; one that completed, with what it leaves: the source read-only, and a fallback's way back.
function renderSwitchoverOutcome(m, d) {
  const note = document.getElementById("selected-switchover");
  let words = "", failed = false;
  if (d && d.switchover_lsn) {
    words = "Switched over: the destination takes the writes. The source database stays read-only (in one session there,"
        + " SET default_transaction_read_only = off, then ALTER DATABASE … RESET default_transaction_read_only gives it"
        + " writes back)." + (d.fallback ? " The destination's changes replicate back to the source as a follow_only"
        + " migration " + m.id + "-reverse (or -reverse-2 and on, where taken): see the migrations." : "");
  } else if (d && m.status === "streaming") {
    const last = (d.live_events || []).filter((e) => String(e.type).startsWith("switchover_")).pop();
    if (last && last.type === "switchover_failed") {
      words = "The switchover at " + new Date(last.time).toLocaleTimeString() + " failed; the source has its writes and the"
          + " follow goes on: " + String(last.message).replace(/^switchover failed: /, "");
      failed = true;
    }
  }
  note.hidden = words === "";
  setAttr(note, "class", failed ? "error" : "notice");
  setText(note, words);
}

// A finished run's tables and phases come from the service's record, in pgmanager's names.
function storedTables(detail) {
  return (detail.tables || []).map((t) => ({schema: t.schema, name: t.name, status: t.status, rowsCopied: t.rows_copied,
    rowsTotal: t.rows_total, bytesCopied: t.bytes_copied, sizeBytes: t.size_bytes, percent: t.percent}));
}

function storedPhases(detail) {
  return (detail.phases || []).map((p) => ({phase: p.phase, startedAt: p.started_at,
    endedAt: !p.ended_at || p.ended_at.startsWith("0001-") ? null : p.ended_at}));
}

const loadDetail = throttled(async () => {
  const id = migration.selected;
  if (!id) return;
  const answer = await read(migrationPath(), "migration " + id);
  if (!answer || id !== migration.selected) return;
  migration.detail = answer;
  seedLag(answer);
  renderSelected();
}, 300);

// A chart opened while a migration follows starts with the lag the service kept (at most a point a second), before the
// page's own samples.
function seedLag(detail) {
  const kept = (detail.live_lag_history || []).map((p) => [Date.parse(p.at), p.bytes, p.seconds]);
  const samples = migration.lag.get(detail.id);
  if (!kept.length || !samples) return;
  const first = samples.length ? samples[0][0] : Infinity;
  samples.unshift(...kept.filter(([t]) => t < first));
}

// A cluster's name, with its id where another registered cluster has the same name (the service allows that, as pgmanager).
function clusterLabel(c) {
  return migration.clusters.filter((o) => o.name === c.name).length > 1 ? c.name + " (" + c.id + ")" : c.name;
}

function renderRoute() {
  const d = migration.detail;
  const line = document.getElementById("selected-route");
  if (!d || d.id !== migration.selected) { setText(line, ""); return; }
  const cluster = (id) => migration.clusters.find((c) => c.id === id);
  const node = (c, id) => c && c.nodes.find((n) => n.id === id);
  const end = (clusterId, nodeId) => {
    if (clusterId === EMBEDDED) {
      const e = d.dest_embedded; // where the copy is reached (the embedded server runs)
      return "the embedded PostgreSQL of " + serviceName + (e ? " (database " + e.database + " on " + e.host + ":" + e.port
          + ", user " + e.user + ")" : "");
    }
    const c = cluster(clusterId), n = node(c, nodeId);
    return (c ? clusterLabel(c) : clusterId) + " · " + (n ? nodeLabel(n) : nodeId);
  };
  setText(line, "from " + end(d.source_cluster_id, d.source_node_id) + " to " + end(d.dest_cluster_id, d.dest_node_id)
      + " · " + d.copy_workers + " copy worker(s) · created " + when(d.created_at)
      + (d.started_at ? " · started " + when(d.started_at) : "") + (d.finished_at ? " · finished " + when(d.finished_at) : "")
      + (d.switchover_lsn ? " · switched over at " + d.switchover_lsn + " with " + d.switchover_downtime_ms + " ms without writes"
        : ended(d) && d.confirmed_lsn ? " · applied the source's changes up to " + d.confirmed_lsn : ""));
}

// A run that is over: what it followed is no longer live, but how far it got is recorded.
function ended(d) {
  return ["stopped", "failed", "completed"].includes(d.status);
}

const tableRows = new Map();

function tableRow(t) {
  const key = t.schema + "." + t.name;
  let row = tableRows.get(key);
  if (!row) {
    const bar = el("progress", {max: 100, value: 0});
    row = el("tr", {class: "table", "data-table": key}, el("td", {class: "name"}, key), el("td", {class: "status"}),
        el("td", {class: "progress"}, bar, " ", el("span", {class: "percent"})), el("td", {class: "rows"}), el("td", {class: "bytes"}));
    row.bar = bar;
    tableRows.set(key, row);
  }
  const c = row.children;
  setAttr(row, "data-status", t.status);
  setAttr(row, "data-percent", t.percent);
  setText(c[1], t.status);
  setAttr(c[1], "class", "status table-" + t.status);
  row.bar.value = Math.min(100, t.percent || 0);
  setText(c[2].querySelector(".percent"), percentText(t.percent));
  setText(c[3], count(t.rowsCopied) + " of " + count(t.rowsTotal));
  setText(c[4], bytes(t.bytesCopied) + " · table " + bytes(t.sizeBytes));
  return row;
}

// The clone's tables; a follow_only migration copies none (it follows a slot the user made).
function renderTables(tables, m) {
  placeRows(document.getElementById("tables"), tables.map(tableRow));
  for (const key of tableRows.keys()) if (!tables.some((t) => t.schema + "." + t.name === key)) tableRows.delete(key);
  const empty = document.getElementById("tables-empty");
  empty.hidden = tables.length > 0;
  setText(empty.querySelector("td"), m && m.mode === "follow_only" ? "no copy: a follow_only migration follows its slot from where it is"
      : "no tables yet: they are listed when the copy starts");
}

// The phases in order, each with how long it took; the ongoing one's time keeps counting. The phase a run
// failed or was stopped in is marked so.
function renderPhases(phases, m) {
  const list = document.getElementById("phases"), live = running(m);
  const signature = JSON.stringify(phases) + m.status;
  if (signature !== migration.shownPhases) {
    migration.shownPhases = signature;
    list.replaceChildren(...phases.map((p, i) => {
      const last = i === phases.length - 1, terminal = last && TERMINAL_PHASES.includes(p.phase);
      const state = terminal ? "terminal" : last && ["failed", "stopped"].includes(m.status) ? m.status
          : p.endedAt ? "ended" : live ? "current" : "cut-off";
      return el("li", {class: "phase phase-" + state, "data-phase": p.phase, "data-state": state},
          el("b", {class: "name"}, phaseLabel(p.phase)), " ",
          el("span", {class: "duration"}), " ",
          el("span", {class: "meta"}, (terminal ? "at " : "from ") + new Date(p.startedAt).toLocaleTimeString()));
    }));
  }
  const now = Date.now();
  [...list.children].forEach((item, i) => {
    const p = phases[i];
    const state = item.dataset.state;
    const took = ((p.endedAt ? Date.parse(p.endedAt) : now) - Date.parse(p.startedAt)) / 1000;
    setText(item.querySelector(".duration"), state === "terminal" ? "" : state === "cut-off" ? "cut off after " + seconds(took) : seconds(took));
  });
  document.getElementById("phases-empty").hidden = phases.length > 0;
}

function renderThroughput(m, phases) {
  const copy = phases.find((p) => p.phase === "copy");
  let words = "";
  if (copyRates(m)) {
    words = "copying at " + count(Math.round(m.rowsPerSecond)) + " rows/s, " + megabytesPerSecond(m.bytesPerSecond) + " MB/s";
  } else if (copy && copy.endedAt) {
    const took = (Date.parse(copy.endedAt) - Date.parse(copy.startedAt)) / 1000;
    if (took > 0) {
      words = "the copy phase moved " + count(m.rowsCopied) + " rows, " + bytes(m.bytesCopied) + " in " + seconds(took) + ": "
          + count(Math.round(m.rowsCopied / took)) + " rows/s, " + megabytesPerSecond(m.bytesCopied / took) + " MB/s on average";
    }
  }
  text("selected-throughput", words);
}

// --- the follow ---

// A sample of each following migration's lag per status message; a migration that no longer follows loses its samples.
function sampleLag(list) {
  const now = Date.now(), sampled = new Map();
  for (const m of list.filter((m) => m.follow)) {
    const samples = migration.lag.get(m.id) || [];
    if (m.follow.lagBytes >= 0) samples.push([now, m.follow.lagBytes, m.follow.lagSeconds]); // -1: not measured yet
    while (samples.length && now - samples[0][0] > LAG_SPAN_MS) samples.shift();
    sampled.set(m.id, samples);
  }
  migration.lag = sampled;
}

// What the destination applied and how far behind the source it is; what keeps it from going on, as a warning.
function renderFollow(m) {
  const f = m.follow;
  document.getElementById("follow").hidden = !f;
  if (!f) return;
  const measured = f.lagBytes >= 0;
  text("follow-lsn", f.appliedLsn === "0/0" ? "none yet" : f.appliedLsn);
  // not measured: at first, or while something keeps the follow from going on (the warning says what)
  const unmeasured = f.trouble ? "unknown" : "measuring";
  text("follow-lag-bytes", measured ? bytes(f.lagBytes) : unmeasured);
  text("follow-lag-seconds", measured ? seconds(f.lagSeconds) : unmeasured);
  text("follow-transactions", count(f.transactions));
  text("follow-changes", count(f.changes));
  const trouble = document.getElementById("follow-trouble");
  trouble.hidden = !f.trouble;
  setText(trouble, f.trouble ? "⚠ " + f.trouble : "");
  renderSchemaNotes();
  const samples = migration.lag.get(m.id) || [], now = Date.now();
  line(document.getElementById("lag-bytes-chart"), samples.length > 0,
      [{color: "#3182ce", points: samples.map(([t, lagBytes]) => [t, lagBytes])}], now,
      {span: LAG_SPAN_MS, least: 1024, label: (v) => bytes(Math.round(v))});
  line(document.getElementById("lag-seconds-chart"), samples.length > 0,
      [{color: "#dd6b20", points: samples.map(([t, , lagSeconds]) => [t, lagSeconds])}], now,
      {span: LAG_SPAN_MS, label: (v, max) => v.toFixed(max < 10 ? 1 : 0) + " s"});
}

// The schema changes the follow went on past (from the run's log): the destination needs them before the switchover.
function renderSchemaNotes() {
  // this run's (the log holds earlier runs' too), each once (a stream that resumed reads one again)
  const d = migration.detail, since = d && d.id === migration.selected && d.started_at ? Date.parse(d.started_at) : 0;
  const statements = [...new Set(migration.logs.filter((e) => e.fields && e.fields.event === "schema_change_not_followed"
      && Date.parse(e.time) >= since).map((e) => e.fields.statement))];
  const signature = JSON.stringify(statements);
  const box = document.getElementById("follow-schema-notes");
  box.hidden = statements.length === 0;
  if (box._v === signature) return;
  box._v = signature;
  document.getElementById("follow-schema-statements").replaceChildren(...statements.map((s) => el("li", {}, el("code", {}, s))));
}

// --- start, stop, delete ---

// Whether stop and delete leave a following migration's slot and publication on the source (unchecked: dropped).
function keepSlot(m) {
  return follows(m) && document.getElementById("keep-slot").checked;
}

function slotWords(m, keep) {
  if (!follows(m)) return "";
  return keep ? " Its replication slot and publication on the source, if any, stay there: the source keeps WAL for the slot"
      + " until the migration is started again (once its clone had completed, it follows on from the slot) or deleted."
      : " Its replication slot and publication on the source, if any, are dropped.";
}

async function startMigration() {
  const m = selectedMigration();
  if (!m) return;
  const again = m.status !== "created";
  // this mode switches over by itself: starting it is asking for that, so it is said as the Switch over button says it
  const switches = m.mode === "clone_follow_switchover" ? "Once it has caught up it switches over by itself, with the service's"
      + " timeout: the source's database becomes read-only and its client sessions are ended (so are the destination's), and"
      + " the source stays read-only afterwards" + (fallbackOf(m) ? ", the destination's changes replicating back to it" : "") + "." : "";
  const answer = await act(migrationPath("/start"), {}, again ? "Start " + m.id + " again? "
      + (follows(m) ? "If its clone had completed and its slot is still on the source, it follows on from there. " : "")
      + "If its last run failed or was stopped while copying" + (follows(m) ? " (stopped keeping the slot)" : "") + ", it resumes on"
      + " that run's snapshot, " + KEPT_SNAPSHOT + ". Otherwise it starts over: what an earlier run made in the destination is dropped"
      + " first." + (switches ? " " + switches : "") : switches ? "Start " + m.id + "? " + switches : null, "start");
  if (!answer) return;
  migration.logs = [];
  clearCompare();
  loadLogs();
}

// A run stops at its next step (a step waiting for a lock waits for it first): until then the page says it was asked.
async function stopMigration() {
  const m = selectedMigration();
  if (!m) return;
  const keep = keepSlot(m);
  const answer = await act(migrationPath("/stop"), {keepSlot: keep}, "Stop " + m.id + "?"
      + (follows(m) ? slotWords(m, keep) : " Started again, it resumes on this run's snapshot where the copy was, " + KEPT_SNAPSHOT
          + "; later, or before the copy began, it starts over."), "stop");
  if (!answer || m.id !== migration.selected) return;
  document.getElementById("keep-slot").checked = false;
  const note = document.getElementById("selected-note");
  setText(note, "stop requested: the run ends at its next step");
  note.hidden = !running(selectedMigration());
}

function fallbackOf(m) {
  const d = migration.detail;
  return !!(d && d.id === m.id && d.fallback);
}

// The service answers at once; the status (switchover, then completed, or streaming again) and the log say how it goes.
async function switchOver() {
  const m = selectedMigration();
  if (!m) return;
  const timeout = document.getElementById("switchover-timeout").value.trim();
  if (timeout !== "" && !(/^\d+$/.test(timeout) && Number(timeout) >= 1 && Number(timeout) <= 3600)) {
    showError("the switchover's timeout is a whole number of seconds from 1 to 3600 (or empty for the service's), not " + timeout);
    return;
  }
  const answer = await act(migrationPath("/switchover"), {timeoutSec: timeout === "" ? null : Number(timeout)}, "Switch " + m.id
      + " over to its destination? Once the lag is small, the source's database becomes read-only and its client sessions are"
      + " ended (so are the destination's, which is held read-only until the switchover ends); when the destination has every"
      + " change and its sequences are set, it takes the writes. The source stays"
      + " read-only afterwards" + (fallbackOf(m) ? ", and the destination's changes replicate back to it (fallback)" : "")
      + ". If the switchover fails or runs out of time (" + (timeout === "" ? "the service's timeout" : timeout + " s")
      + "), the source gets its writes back and the follow goes on.", "switchover");
  if (answer) loadLogs();
}

async function deleteMigration() {
  const m = selectedMigration();
  if (!m) return;
  const force = running(m), keep = keepSlot(m);
  await act(migrationPath("/delete"), {force, keepSlot: keep}, (force ? m.id + " is running: stop it and delete it?" : "Delete " + m.id + "?")
      + " The destination keeps what was copied." + slotWords(m, keep), "delete");
}

// --- compare ---

function clearCompare() {
  document.getElementById("compare-summary").hidden = true;
  document.getElementById("compare-result").hidden = true;
  document.getElementById("compare-tables").replaceChildren();
}

async function compare() {
  const id = migration.selected;
  if (!id) return;
  const summary = document.getElementById("compare-summary"), button = document.getElementById("compare");
  clearCompare();
  summary.hidden = false;
  summary.removeAttribute("data-equal");
  setAttr(summary, "class", "meta");
  setText(summary, "comparing…");
  button.disabled = true;
  const r = await act(migrationPath("/compare"), {}, null, "compare");
  button.disabled = false;
  if (id !== migration.selected) return;
  if (!r) { summary.hidden = true; return; }
  setAttr(summary, "data-equal", r.equal);
  setAttr(summary, "class", r.equal ? "notice" : "error");
  setText(summary, r.equal
      ? "equal: the " + r.tables_compared + " table(s) hold the same rows on the source and the destination"
      : "not equal: " + r.tables_differing + " of " + r.tables_compared + " table(s) differ" + (r.note ? "; " + r.note : ""));
  document.getElementById("compare-tables").replaceChildren(...r.tables.map((t) => el("tr",
      {class: t.equal ? "" : "differs", "data-table": t.schema + "." + t.name, "data-equal": t.equal},
      el("td", {}, t.schema + "." + t.name), el("td", {class: "source-rows"}, t.source_rows == null ? "missing" : count(t.source_rows)),
      el("td", {class: "dest-rows"}, t.dest_rows == null ? "missing" : count(t.dest_rows)),
      el("td", {title: "source " + (t.source_hash || "–") + "\ndestination " + (t.dest_hash || "–")},
          el("span", {class: "badge " + (t.equal ? "up" : "down")}, t.equal ? "equal" : "differs")),
      el("td", {class: "difference"}, t.difference || ""))));
  document.getElementById("compare-result").hidden = false;
}

// --- the log ---

// The service keeps a migration's last log lines, of every run, across its restarts.
const loadLogs = throttled(async () => {
  const id = migration.selected;
  if (!id) return;
  const answer = await read(migrationPath("/logs"), "log");
  if (!answer || id !== migration.selected) return;
  migration.logs = answer;
  // a switchover refused at once can come and go between two status messages: its log lines (the failure is logged after
  // it is recorded) bring the record, whose events say how it went
  const switchoverLines = answer.filter((e) => e.fields && e.fields.component === "switchover").length;
  if (switchoverLines !== migration.switchoverLines) {
    migration.switchoverLines = switchoverLines;
    loadDetail();
  }
  renderLogs();
  renderSchemaNotes();
}, 1000);

function renderLogs() {
  const signature = JSON.stringify(migration.logs);
  if (signature === migration.shownLogs) return;
  migration.shownLogs = signature;
  const box = document.getElementById("logs");
  // the newest lines in view: at first (a box still hidden has no size), and while the reader has not scrolled up
  const atEnd = box.hidden || box.clientHeight === 0 || box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(...migration.logs.map((e) => el("div", {class: "log-entry level-" + e.level, "data-level": e.level},
      el("span", {class: "meta"}, new Date(e.time).toLocaleTimeString()), " ", el("b", {class: "level"}, e.level), " ",
      el("span", {class: "message"}, e.message),
      e.fields ? el("span", {class: "meta fields"}, " " + Object.entries(e.fields).map(([k, v]) => k + "=" + v).join(" ")) : "")));
  box.hidden = migration.logs.length === 0;
  document.getElementById("logs-empty").hidden = migration.logs.length > 0;
  if (atEnd) requestAnimationFrame(() => { box.scrollTop = box.scrollHeight; });
}

// --- the migration form ---

function fillSelect(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => el("option", {value}, label)));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

function fillNodes(clusterSelect, nodeSelect) {
  const chosen = document.getElementById(clusterSelect).value;
  const nodes = document.getElementById(nodeSelect);
  const cluster = migration.clusters.find((c) => c.id === chosen);
  fillSelect(nodes, chosen === EMBEDDED ? [[EMBEDDED, "a database named after the migration"]]
      : cluster ? cluster.nodes.map((n) => [n.id, nodeLabel(n)]) : []);
  nodes.disabled = chosen === EMBEDDED;
}

function fillPickers() {
  const clusters = migration.clusters.map((c) => [c.id, clusterLabel(c)]);
  fillSelect(document.getElementById("source-cluster"), clusters);
  fillSelect(document.getElementById("dest-cluster"), [[EMBEDDED, "embedded: " + serviceName + "'s own PostgreSQL"], ...clusters]);
  fillNodes("source-cluster", "source-node");
  fillNodes("dest-cluster", "dest-node");
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-").replace(/^[^a-z0-9]+|-+$/g, "").substring(0, 63);
}

async function createMigration(event) {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const dest = value("dest-cluster");
  const body = {id: value("migration-id"), name: value("migration-name"), sourceClusterId: value("source-cluster"),
    sourceNodeId: value("source-node"), destClusterId: dest, destNodeId: dest === EMBEDDED ? null : value("dest-node"),
    mode: value("migration-mode"), fallback: document.getElementById("migration-fallback").checked,
    copyWorkers: value("copy-workers") === "" ? null : Number(value("copy-workers"))};
  if (!body.sourceClusterId) { showError("add a cluster first: it is the migration's source"); return; }
  const button = document.getElementById("create-migration");
  button.disabled = true;
  const answer = await act("migrations", body, null, "create migration");
  button.disabled = false;
  if (!answer) return;
  document.getElementById("migration-name").value = "";
  document.getElementById("migration-id").value = "";
  document.getElementById("migration-fallback").checked = false;
  migration.idEdited = false;
  selectMigration(answer.id);
}

// --- clusters ---

// The cluster list, read at once after a change made here; at most once a second when live updates ask.
async function readClusters() {
  const answer = await read("clusters", "clusters");
  if (!answer) return;
  migration.clusters = answer;
  migration.clustersLoaded = true;
  renderClusters();
  fillPickers();
  renderRoute();
}

const loadClusters = throttled(readClusters, 1000);

function renderClusters() {
  const rows = [];
  for (const c of migration.clusters) {
    c.nodes.forEach((n, i) => {
      const test = el("button", {type: "button", class: "small test-node"}, "Test");
      test.onclick = () => testNode(c, n);
      const databases = el("button", {type: "button", class: "small introspect-node"}, "Databases");
      databases.onclick = () => introspect(c, n);
      const remove = el("button", {type: "button", class: "small danger delete-cluster"}, "Delete cluster");
      remove.onclick = () => deleteCluster(c);
      rows.push(el("tr", {"data-cluster": c.id, "data-cluster-name": c.name, "data-node": n.id},
          el("td", {class: "cluster", title: c.id}, i === 0 ? clusterLabel(c) : ""), el("td", {class: "node", title: n.id}, n.name || n.id),
          el("td", {}, n.host + ":" + n.port), el("td", {}, n.dbname || "postgres"), el("td", {}, n.user || "postgres"),
          el("td", {}, test, " ", databases, i === 0 ? " " : "", i === 0 ? remove : "")));
    });
  }
  document.getElementById("clusters").replaceChildren(...rows);
  document.getElementById("clusters-empty").hidden = migration.clusters.length > 0;
}

async function createCluster(event) {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const body = {name: value("cluster-name"), nodeName: value("node-name"), host: value("node-host"), port: Number(value("node-port")),
    user: value("node-user"), password: document.getElementById("node-password").value, dbname: value("node-dbname")};
  const button = document.getElementById("create-cluster");
  button.disabled = true;
  const answer = await act("clusters", body, null, "add cluster");
  button.disabled = false;
  if (!answer) return;
  document.getElementById("cluster-form").reset();
  await readClusters();
  document.getElementById("source-cluster").value = answer.id;
  fillNodes("source-cluster", "source-node");
}

async function deleteCluster(c) {
  const answer = await act(clusterPath(c.id, "/delete"), {}, "Delete cluster " + c.name + " and its nodes from the registry?"
      + " The servers themselves are not touched.", "delete cluster");
  if (answer) await readClusters();
}

async function testNode(c, n) {
  const panel = document.getElementById("node-test");
  panel.hidden = false;
  panel.removeAttribute("data-reachable");
  text("node-test-name", c.name + " · " + nodeLabel(n));
  text("node-test-summary", "connecting…");
  text("node-test-readiness-summary", "");
  document.getElementById("node-test-readiness").replaceChildren();
  const r = await read(clusterPath(c.id, "/test-connection?node=" + encodeURIComponent(n.id)), "test of " + c.name);
  if (!r) { panel.hidden = true; return; }
  const latency = (r.latency_ns / 1e6).toFixed(1) + " ms";
  const privileges = Object.entries(r.privileges || {}).filter(([, yes]) => yes).map(([name]) => name);
  setAttr(panel, "data-reachable", r.reachable);
  text("node-test-summary", r.reachable
      ? "reachable, connected in " + latency + " · " + shortVersion(r.version) + " · " + (r.is_replica ? "a standby" : "a primary")
        + " · the user may " + (privileges.length ? privileges.join(", ") : "only connect")
      : "not reachable after " + latency + ": " + (r.error || "unknown error"));
  const readiness = r.migration_readiness;
  const summary = document.getElementById("node-test-readiness-summary");
  setAttr(summary, "data-ready", readiness ? readiness.ready : "");
  setAttr(summary, "class", readiness ? (readiness.ready ? "notice" : "error") : "");
  const warnings = readiness ? readiness.checks.filter((k) => !k.ok).length : 0;
  setText(summary, !readiness ? "" : readiness.ready ? "ready to be a migration's source"
        + (warnings ? ", with " + warnings + (warnings === 1 ? " warning" : " warnings") + " below" : "")
      : "not ready to be a migration's source: " + readiness.checks.filter((k) => !k.ok).length + " of " + readiness.checks.length
        + " checks fail");
  document.getElementById("node-test-readiness").replaceChildren(...(readiness ? readiness.checks : []).map((k) =>
      el("li", {class: k.ok ? "ok" : "failed", "data-check": k.name, "data-ok": k.ok},
          el("span", {class: "mark"}, k.ok ? "✓" : "✗"), " ", el("b", {}, READINESS[k.name] || k.name), ": ", k.detail)));
}

async function introspect(c, n) {
  const panel = document.getElementById("introspection");
  panel.hidden = false;
  text("introspection-name", c.name + " · " + nodeLabel(n));
  text("introspection-server", "reading…");
  document.getElementById("introspection-databases").replaceChildren();
  const r = await read(clusterPath(c.id, "/introspect?node=" + encodeURIComponent(n.id)), "databases of " + c.name);
  if (!r) { panel.hidden = true; return; }
  text("introspection-server", shortVersion(r.version) + " · " + (r.is_replica ? "a standby" : "a primary") + " · up " + r.uptime
      + " (since " + r.started_at + ") · " + r.cluster_size + " in all · max_connections " + r.max_connections);
  document.getElementById("introspection-databases").replaceChildren(...(r.databases || []).map((d) => {
    const schemas = d.schemas || [];
    return el("tr", {"data-database": d.name}, el("td", {class: "name"}, d.name),
        el("td", {class: "size", title: count(d.size_bytes) + " bytes"}, d.size), el("td", {}, d.owner),
        el("td", {class: "table-count"}, schemas.reduce((sum, s) => sum + (s.table_count || 0), 0)),
        el("td", {}, schemas.map((s) => s.name + " (" + s.total_size + ")").join(", ")));
  }));
}

function wireMigrationPage() {
  document.getElementById("migration-form").onsubmit = createMigration;
  document.getElementById("cluster-form").onsubmit = createCluster;
  document.getElementById("source-cluster").onchange = () => fillNodes("source-cluster", "source-node");
  document.getElementById("dest-cluster").onchange = () => fillNodes("dest-cluster", "dest-node");
  document.getElementById("migration-name").oninput = (e) => {
    if (!migration.idEdited) document.getElementById("migration-id").value = slug(e.target.value);
  };
  document.getElementById("migration-id").oninput = (e) => { migration.idEdited = e.target.value !== ""; };
  document.getElementById("migration-start").onclick = startMigration;
  document.getElementById("migration-stop").onclick = stopMigration;
  document.getElementById("migration-switchover").onclick = switchOver;
  document.getElementById("migration-delete").onclick = deleteMigration;
  document.getElementById("compare").onclick = compare;
  document.getElementById("logs-refresh").onclick = loadLogs;
  // a link to another migration of this page (#migration=<id>) selects it
  window.addEventListener("hashchange", () => {
    const wanted = new URLSearchParams(location.hash.substring(1)).get("migration");
    if (wanted && migration.list.some((m) => m.id === wanted)) selectMigration(wanted);
  });
  renderLogs();
  fillPickers();
  loadClusters();
  setInterval(() => { if (!document.hidden && running(selectedMigration())) renderSelected(); }, 1000);
}

servicePages.migration = {wire: wireMigrationPage, show: atNextFrame(renderMigrationPage)};
