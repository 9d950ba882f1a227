package dev.pgcorral.migration.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MigrationApiTest extends MigrationTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void clonesThroughPgmanagersApiAndAnswersBadInputWithoutChangingState() throws Exception {
        ConnectionDetails source = database("api_src");
        sql(source, "CREATE TABLE items (id serial PRIMARY KEY, name text, price numeric)",
                "INSERT INTO items (name, price) SELECT 'item ' || g, g / 3.0 FROM generate_series(1, 5000) g",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes SELECT g, repeat('n', g) FROM generate_series(1, 300) g");
        ConnectionDetails dest = database("api_dst");
        String src = cluster("source", source);
        String dst = cluster("destination", dest);
        String srcNode = call("GET", "/api/v1/clusters/" + src, null).body().path("nodes").get(0).path("id").asString();
        String dstNode = call("GET", "/api/v1/clusters/" + dst, null).body().path("nodes").get(0).path("id").asString();
        String body = "{\"id\":\"Orders-Move\",\"name\":\"orders\",\"source_cluster_id\":\"" + src + "\",\"dest_cluster_id\":\"" + dst
                + "\",\"source_node_id\":\"" + srcNode + "\",\"dest_node_id\":\"" + dstNode + "\",\"mode\":\"clone_only\",\"copy_workers\":2}";

        MigrationCalls.Reply created = call("POST", "/api/v1/migrations", body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        assertThat(created.location()).isEqualTo("/api/v1/migrations/Orders-Move");
        assertThat(created.body().path("status").asString()).isEqualTo("created");
        assertThat(created.body().path("phase").asString()).isEmpty();
        assertThat(created.body().path("slot_name").asString()).isEqualTo("pgmanager_orders_move");
        assertThat(created.body().has("error_message")).isFalse();
        assertThat(created.body().has("started_at")).isFalse();

        // bad input: clear 4xx, nothing created or changed
        assertThat(call("POST", "/api/v1/migrations", body).status()).isEqualTo(409);
        MigrationCalls.Reply invalid = call("POST", "/api/v1/migrations", "{\"id\":\"x\",\"mode\":\"fast\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().path("detail").asString()).startsWith("validation: ").contains("migration name is required")
                .contains("invalid mode \"fast\" (not a mode: one of clone_only, clone_and_follow, clone_follow_switchover, follow_only)");
        assertThat(invalid.body().path("errors")).extracting(e -> e.path("message").asString())
                .as("each problem on its own, as a cluster's").contains("migration name is required");
        assertThat(call("POST", "/api/v1/migrations", "{\"id\":\"x\"}").body().path("detail").asString())
                .contains("invalid mode \"\" (mode is required: one of ");
        MigrationCalls.Reply unknownCluster = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "u").replace(src, "cl_nope"));
        assertThat(unknownCluster.status()).isEqualTo(400);
        assertThat(unknownCluster.body().path("detail").asString()).contains("source").contains("cl_nope");
        MigrationCalls.Reply twoProblems = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "u").replace(src, "cl_nope")
                .replace("\"copy_workers\":2", "\"copy_workers\":65"));
        assertThat(twoProblems.body().path("detail").asString()).as("every problem in one answer, joined as pgmanager does")
                .startsWith("validation: ").contains("copy_workers must be at most 64").contains("\nsource: ").contains("cl_nope");
        assertThat(call("POST", "/api/v1/migrations", "").status()).isEqualTo(400);
        MigrationCalls.Reply slash = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "a/b"));
        assertThat(slash.status()).isEqualTo(400);
        assertThat(slash.body().path("detail").asString()).contains("migration id must not contain '/'");
        for (String pathBreaking : List.of(".", "..", "x;y")) { // a path reads them otherwise ('..' a folder, ';' a parameter)
            MigrationCalls.Reply refused = call("POST", "/api/v1/migrations", body.replace("Orders-Move", pathBreaking));
            assertThat(refused.status()).as(pathBreaking).isEqualTo(400);
            assertThat(refused.body().path("detail").asString()).contains("nor be '.' or '..'");
        }
        assertThat(call("POST", "/api/v1/migrations", body.replace("{\"id\":\"Orders-Move\",", "{\"id\":\"d1\",\"id\":\"d2\",")).status())
                .as("a key given twice").isEqualTo(400);
        MigrationCalls.Reply workers = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "w").replace("\"copy_workers\":2",
                "\"copy_workers\":100000"));
        assertThat(workers.status()).isEqualTo(400);
        assertThat(workers.body().path("detail").asString()).contains("copy_workers must be at most 64");
        MigrationCalls.Reply written = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "w").replace("\"copy_workers\":2",
                "\"copy_workers\":2e0"));
        assertThat(written.body().path("detail").asString())
                .startsWith("copy_workers must be a whole number written without a fraction or an exponent");
        for (String past : List.of("99999999999999999999", "1e30")) {
            MigrationCalls.Reply huge = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "w").replace("\"copy_workers\":2",
                    "\"copy_workers\":" + past));
            assertThat(huge.body().path("detail").asString()).as("in words, not the JSON reader's")
                    .startsWith("copy_workers is out of range: it must be a whole number from -9223372036854775808 to 9223372036854775807");
        }
        MigrationCalls.Reply pastInt = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "w").replace("\"copy_workers\":2",
                "\"copy_workers\":3000000000"));
        assertThat(pastInt.body().path("detail").asString()).as("its own limit, not a Java type's").contains("copy_workers must be at most 64");
        MigrationCalls.Reply empty = call("POST", "/api/v1/migrations", "");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body().path("detail").asString()).isEqualTo("invalid request body: EOF (the body is empty: it must be a JSON object)");
        assertThat(call("POST", "/api/v1/migrations", "null").body().path("detail").asString()).as("an object without fields, as pgmanager reads it")
                .startsWith("validation: migration id is required");
        // a value of another type than its field's is refused, as pgmanager's decoder does, not read as a guess
        assertThat(call("POST", "/api/v1/migrations", body.replace("\"id\":\"Orders-Move\"", "\"id\":12")).status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/migrations", body.replace("Orders-Move", "f").replace("\"copy_workers\":2",
                "\"copy_workers\":1.5")).status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/migrations", body.replace("Orders-Move", "f").replace("\"copy_workers\":2",
                "\"copy_workers\":\"2\"")).status()).isEqualTo(400);
        MigrationCalls.Reply alike = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "orders_move"));
        assertThat(alike.status()).isEqualTo(409);
        assertThat(alike.body().path("detail").asString()).contains("too like that of migration \"Orders-Move\"");
        MigrationCalls.Reply embeddedNode = call("POST", "/api/v1/migrations", body.replace("Orders-Move", "e")
                .replace("\"dest_cluster_id\":\"" + dst + "\"", "\"dest_cluster_id\":\"embedded\"").replace(dstNode, "other"));
        assertThat(embeddedNode.status()).isEqualTo(400);
        assertThat(embeddedNode.body().path("detail").asString()).contains("the embedded destination has one node");
        // curl -d sends form data's content type: the body is read as JSON all the same, as pgmanager does
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/migrations"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"f\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(form.body()).contains("migration name is required");
        assertThat(call("GET", "/api/v1/migrations/nope", null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/migrations/nope/start", null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/migrations/Orders-Move/stop", null).status()).isEqualTo(409);
        MigrationCalls.Reply twice = call("DELETE", "/api/v1/migrations/Orders-Move?force=true&keep_slot=1&keep_slot=false", null);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().path("detail").asString()).isEqualTo("keep_slot is given 2 times in the query (1, false): give it once");
        // a misspelt option, ignored, would drop the slot it asked to keep
        MigrationCalls.Reply misspelt = call("POST", "/api/v1/migrations/Orders-Move/stop?keepslot=true", null);
        assertThat(misspelt.status()).isEqualTo(400);
        assertThat(misspelt.body().path("detail").asString()).isEqualTo("unknown query parameter keepslot: this call takes keep_slot");
        MigrationCalls.Reply misspeltInBody = call("POST", "/api/v1/migrations/Orders-Move/stop", "{\"keepSlot\": true}");
        assertThat(misspeltInBody.status()).isEqualTo(400);
        assertThat(misspeltInBody.body().path("detail").asString()).isEqualTo("unknown key keepSlot in the body: this call takes keep_slot");
        assertThat(call("DELETE", "/api/v1/migrations/Orders-Move?force=true&keepslot=true", null).body().path("detail").asString())
                .isEqualTo("unknown query parameter keepslot: this call takes force, keep_slot");
        assertThat(call("GET", "/api/v1/migrations/Orders-Move?unused=1", null).status()).as("a read changes nothing").isEqualTo(200);
        // a followed migration's slot is its own: another migration may not name it
        String followed = body.replace("Orders-Move", "follows").replace("clone_only", "clone_and_follow");
        assertThat(call("POST", "/api/v1/migrations", followed.replace("\"copy_workers\":2", "\"copy_workers\":2,\"slot_name\":\"shared\""))
                .status()).isEqualTo(201);
        MigrationCalls.Reply sameSlot = call("POST", "/api/v1/migrations", followed.replace("follows", "follows_too")
                .replace("\"copy_workers\":2", "\"copy_workers\":2,\"slot_name\":\"shared\""));
        assertThat(sameSlot.status()).isEqualTo(409);
        assertThat(sameSlot.body().path("detail").asString()).contains("slot_name \"shared\" is the slot of migration \"follows\"");
        assertThat(call("DELETE", "/api/v1/migrations/follows", null).status()).isEqualTo(204);
        // a node a migration uses stays: a replacement of its cluster without it is refused, and one that keeps it goes through
        String destination = "{\"name\":\"destination\",\"nodes\":[{\"id\":\"%s\",\"host\":\"" + dest.host() + "\",\"port\":"
                + dest.port() + ",\"user\":\"" + dest.user() + "\",\"dbname\":\"" + dest.database() + "\"}]}";
        MigrationCalls.Reply removes = call("PUT", "/api/v1/clusters/" + dst, destination.formatted("nd_other"));
        assertThat(removes.status()).isEqualTo(409);
        assertThat(removes.body().path("detail").asString()).contains("migration \"Orders-Move\" uses a node this replacement removes");
        assertThat(call("GET", "/api/v1/clusters/" + dst, null).body().path("nodes").get(0).path("id").asString()).isEqualTo(dstNode);
        assertThat(call("PUT", "/api/v1/clusters/" + dst, destination.formatted(dstNode)).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/migrations", null).body()).extracting(m -> m.path("id").asString())
                .contains("Orders-Move").doesNotContain("x", "f", "u", "a/b", "w", "orders_move", "e", ".", "..", "x;y", "d1", "d2",
                        "follows_too");

        JsonNode notRun = call("POST", "/api/v1/migrations/Orders-Move/compare", null).body();
        assertThat(notRun.path("equal").asBoolean()).isFalse();
        assertThat(notRun.path("note").asString()).contains("the migration has not run yet");

        MigrationCalls.Reply started = call("POST", "/api/v1/migrations/Orders-Move/start", null);
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.body().path("ok").asBoolean()).isTrue();
        JsonNode done = awaitStatus("Orders-Move", "completed");
        assertThat(done.path("phase").asString()).isEqualTo("done");
        assertThat(done.path("tables_total").asInt()).isEqualTo(2);
        assertThat(done.path("tables_copied").asInt()).isEqualTo(2);
        assertThat(done.path("rows_copied").asLong()).isEqualTo(5300);
        assertThat(done.path("bytes_copied").asLong()).isPositive();
        assertThat(done.path("tables").get(0).path("name").asString()).isEqualTo("items");
        assertThat(done.path("tables").get(0).path("percent").asDouble()).isEqualTo(100.0);
        assertThat(done.path("phases")).extracting(p -> p.path("phase").asString())
                .containsExactly("connecting", "schema", "copy", "indexes", "finishing", "done");
        assertThat(rows(dest, "SELECT count(*), sum(price) FROM items")).isEqualTo(rows(source, "SELECT count(*), sum(price) FROM items"));
        assertThat(rows(dest, "SELECT nextval('items_id_seq')")).containsExactly("5001");

        // right after the clone, compare reads the source through the clone's snapshot: writes since do not count
        sql(source, "INSERT INTO items (name) VALUES ('after the clone')");
        JsonNode same = call("POST", "/api/v1/migrations/Orders-Move/compare", null).body();
        assertThat(same.path("equal").asBoolean()).isTrue();
        assertThat(same.path("source_snapshot").asString()).isEqualTo("the clone's snapshot of the source");
        assertThat(same.path("tables_compared").asInt()).isEqualTo(2);
        // the same rows where the destination's columns stand in another order: still equal (columns are matched by name)
        sql(dest, "CREATE TABLE notes_reordered AS SELECT body, id FROM notes", "DROP TABLE notes",
                "ALTER TABLE notes_reordered RENAME TO notes", "ALTER TABLE notes ADD PRIMARY KEY (id)");
        assertThat(call("POST", "/api/v1/migrations/Orders-Move/compare", null).body().path("equal").asBoolean()).isTrue();
        // a clone_only migration leaves no slot or publication on the source
        assertThat(count(source, "SELECT count(*) FROM pg_replication_slots")).isZero();
        assertThat(count(source, "SELECT count(*) FROM pg_publication")).isZero();
        // pgmanager's WebSocket: the progress snapshot on connect
        java.util.concurrent.CompletableFuture<String> frame = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/ws"),
                new java.net.http.WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frame.complete(text.toString());
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        JsonNode snapshot = JSON.readTree(frame.get(10, java.util.concurrent.TimeUnit.SECONDS));
        socket.abort();
        assertThat(snapshot.path("phase").asString()).isEqualTo("done");
        assertThat(snapshot.path("tables_total").asInt()).isEqualTo(2);
        assertThat(snapshot.path("total_rows").asLong()).isEqualTo(5300);
        MigrationCalls.Reply notAnUpgrade = call("GET", "/api/v1/ws", null);
        assertThat(notAnUpgrade.status()).isEqualTo(400);
        assertThat(notAnUpgrade.contentType()).startsWith("application/problem+json");
        assertThat(notAnUpgrade.body().path("detail").asString()).startsWith("no Upgrade: websocket header: it is a WebSocket");
        String oldVersion; // by hand: the JDK's client does not send Upgrade or Connection headers of its own
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(("GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            oldVersion = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(oldVersion).startsWith("HTTP/1.1 426").containsIgnoringCase("Content-Type: application/problem+json")
                .contains("this WebSocket version is not spoken here");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("pgcorral_migration_migrations ", "pgcorral_migration_copy_bytes ");
        sql(dest, "DELETE FROM items WHERE id = 7", "UPDATE notes SET body = 'changed' WHERE id = 3");
        JsonNode differ = call("POST", "/api/v1/migrations/Orders-Move/compare", null).body();
        assertThat(differ.path("equal").asBoolean()).isFalse();
        assertThat(differ.path("tables_differing").asInt()).isEqualTo(2);
        assertThat(differ.path("tables")).extracting(t -> t.path("name").asString() + ": " + t.path("difference").asString())
                .containsExactlyInAnyOrder("items: 1 fewer row(s) on the destination", "notes: same row count, different content");

        // the last run's log outlives the run
        assertThat(call("GET", "/api/v1/migrations/Orders-Move/logs", null).body()).extracting(l -> l.path("message").asString())
                .contains("phase done");

        // in use: the cluster cannot be deleted
        MigrationCalls.Reply inUse = call("DELETE", "/api/v1/clusters/" + src, null);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.body().path("detail").asString()).contains("Orders-Move");

        // started again: the destination holds what the first run made, so it starts over, dropping that; but not a table
        // made there since (notes, made again above), which it names, and leaves
        sql(source, "INSERT INTO items (name) VALUES ('later')");
        assertThat(call("POST", "/api/v1/migrations/Orders-Move/start", null).status()).isEqualTo(200);
        awaitStatus("Orders-Move", "failed");
        assertThat(call("GET", "/api/v1/migrations/Orders-Move", null).body().path("error_message").asString())
                .contains("holds what this migration did not make (public.notes)");
        assertThat(rows(dest, "SELECT count(*) FROM items")).as("nothing dropped").containsExactly("4999");
        sql(dest, "DROP TABLE notes");
        assertThat(call("POST", "/api/v1/migrations/Orders-Move/start", null).status()).isEqualTo(200);
        awaitStatus("Orders-Move", "completed");
        assertThat(rows(dest, "SELECT count(*) FROM items")).containsExactly("5002");

        // an embedded destination: a database on migration-service's own server, named after the migration
        String local = body.replace("Orders-Move", "Local Copy").replace("\"dest_cluster_id\":\"" + dst + "\"", "\"dest_cluster_id\":\"embedded\"")
                .replace("\"dest_node_id\":\"" + dstNode + "\"", "\"dest_node_id\":\"\"");
        assertThat(call("POST", "/api/v1/migrations", local).status()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/migrations/Local%20Copy/start", null).status()).isEqualTo(200);
        awaitStatus("Local Copy", "completed");
        assertThat(rows(database("local_copy"), "SELECT count(*) FROM items")).containsExactly("5002");

        assertThat(call("DELETE", "/api/v1/migrations/Orders-Move", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/migrations/Orders-Move", null).status()).isEqualTo(404);
        assertThat(call("GET", "/api/v1/migrations", null).body()).extracting(m -> m.path("id").asString())
                .contains("Local Copy").doesNotContain("Orders-Move");
    }

    @Test
    void aSourceThatCannotBeReachedFailsTheRunWithWhatIsWrong() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String src = cluster("gone", new ConnectionDetails("127.0.0.1", closed, "app", "app", "secret-pw"));
        assertThat(call("POST", "/api/v1/migrations", "{\"id\":\"unreachable\",\"name\":\"u\",\"source_cluster_id\":\"" + src
                + "\",\"source_node_id\":\"" + call("GET", "/api/v1/clusters/" + src, null).body().path("nodes").get(0).path("id").asString()
                + "\",\"dest_cluster_id\":\"embedded\",\"mode\":\"clone_only\"}").status()).isEqualTo(201);
        call("POST", "/api/v1/migrations/unreachable/start", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", "/api/v1/migrations/unreachable", null).body().path("status")
                .asString().equals("failed"));
        JsonNode failed = call("GET", "/api/v1/migrations/unreachable", null).body();
        assertThat(failed.path("phase").asString()).isEqualTo("error");
        assertThat(failed.path("error_message").asString()).contains("cannot connect to the source").contains(":" + closed)
                .doesNotContain("secret-pw");
        assertThat(call("GET", "/api/v1/migrations/unreachable/logs", null).body()).extracting(l -> l.path("message").asString())
                .as("said once").filteredOn(m -> m.contains("cannot connect to the source")).hasSize(1);
    }

    @Test
    void aStopEndsARunWaitingOnTheSourceAtOnce() throws Exception {
        ConnectionDetails source = database("stop_src");
        sql(source, "CREATE TABLE busy (id int PRIMARY KEY)", "INSERT INTO busy SELECT generate_series(1, 100)");
        String src = cluster("stop source", source);
        String srcNode = call("GET", "/api/v1/clusters/" + src, null).body().path("nodes").get(0).path("id").asString();
        assertThat(call("POST", "/api/v1/migrations", "{\"id\":\"stopped\",\"name\":\"s\",\"source_cluster_id\":\"" + src
                + "\",\"source_node_id\":\"" + srcNode + "\",\"dest_cluster_id\":\"embedded\",\"mode\":\"clone_only\"}").status())
                .isEqualTo(201);
        try (java.sql.Connection lock = source.connect(); java.sql.Statement st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE"); // the clone waits for it
            call("POST", "/api/v1/migrations/stopped/start", null);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(source,
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'stop_src'") > 0);
            assertThat(call("POST", "/api/v1/migrations/stopped/stop", null).status()).isEqualTo(200);
            JsonNode stopped = awaitStatus("stopped", "stopped"); // while the lock is still held
            assertThat(stopped.path("phase").asString()).isEqualTo("stopped");
            lock.rollback();
        }
        // its aborted session notices once it may go on, and ends
        await().atMost(Duration.ofSeconds(30)).until(() -> count(source,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'stop_src'") == 0);
        // stopped while it listed the tables (pg_table_size waits for the lock): no snapshot was kept, a new start begins afresh
        call("POST", "/api/v1/migrations/stopped/start", null);
        awaitStatus("stopped", "completed");
        assertThat(call("GET", "/api/v1/migrations/stopped/logs", null).body()).extracting(l -> l.path("message").asString())
                .noneSatisfy(m -> assertThat(m).startsWith("resuming"));
        assertThat(rows(database("stopped"), "SELECT count(*) FROM busy")).containsExactly("100");
    }

    private JsonNode awaitStatus(String id, String status) {
        return calls().awaitStatus(id, status, Duration.ofSeconds(60));
    }

    private String cluster(String name, ConnectionDetails db) throws Exception {
        return calls().cluster(name, db);
    }

    private MigrationCalls.Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return calls().call(method, path, body);
    }

    private MigrationCalls calls() {
        return new MigrationCalls(port, null);
    }
}
