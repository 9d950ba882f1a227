// pgcorral web-ui, the migration page: the cluster registry (add, test, introspect, delete) and the form that creates a
// migration. Built on ui.js and migration.js (loaded first).
"use strict";

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

