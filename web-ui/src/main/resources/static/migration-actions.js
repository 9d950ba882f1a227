// pgcorral web-ui, the migration page: what the selected migration's buttons do (start, stop, switch over, delete,
// compare) and its log. Built on ui.js and migration.js (loaded first).
"use strict";

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

