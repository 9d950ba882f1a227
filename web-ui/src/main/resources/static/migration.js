// pgcorral web-ui, the migration page: migrations with their progress from the live status; the selected
// migration's phases, tables, throughput and follow (position, lag and its chart); the cluster
// registry and the form that creates a migration are in migration-clusters.js, the buttons, compare and the log in migration-actions.js.
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
  const kept = (detail.live_lag_history || []).map((p) => [Date.parse(p.at), p.bytes, p.seconds ?? -1]); // no seconds: not known
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
  // seconds -1: behind, with no commit time known yet to count from
  text("follow-lag-seconds", measured && f.lagSeconds >= 0 ? seconds(f.lagSeconds) : unmeasured);
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
  const timed = samples.filter(([, , lagSeconds]) => lagSeconds >= 0);
  line(document.getElementById("lag-seconds-chart"), timed.length > 0,
      [{color: "#dd6b20", points: timed.map(([t, , lagSeconds]) => [t, lagSeconds])}], now,
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
