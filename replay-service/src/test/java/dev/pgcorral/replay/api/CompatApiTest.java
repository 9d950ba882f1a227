package dev.pgcorral.replay.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.pgcorral.replay.travel.Restore;
import tools.jackson.databind.JsonNode;

/** postgres-test-replay's JSON API: its shapes and status codes, and what it does for real (positions, typed values, replay). */
class CompatApiTest extends ApiTestBase {

    CompatApiTest() {
        super(null);
    }

    @Test
    void healthAndConfigAnswerWithoutCredentialsAndShowNoPassword() {
        var health = api.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json()).isEqualTo(ApiClient.JSON.readTree("{\"status\":\"ok\"}"));

        var config = api.get("/api/config");
        assertThat(config.status()).isEqualTo(200);
        JsonNode json = config.json();
        assertThat(json.propertyNames()).containsExactly("input_dsn", "output_dsn", "server", "storage");
        assertThat(json.get("input_dsn").asString()).isEqualTo(source().redacted()).contains(":***@").endsWith("/" + source().database());
        assertThat(json.get("output_dsn").asString()).isEqualTo(target().redacted()).endsWith("/" + target().database());
        assertThat(json.get("server").get("port").asInt()).isEqualTo(port);
        assertThat(json.get("server").has("ui_path")).isTrue();
        assertThat(json.get("storage").propertyNames()).containsExactly("wal_log_path", "backup_path", "session_path", "checkpoint_path");
        assertThat(config.body()).doesNotContain(":replay@").doesNotContain(":" + target().password() + "@");

        assertThat(api.send(api.request("/health").PUT(HttpRequest.BodyPublishers.noBody())).status()).isEqualTo(405);
        assertThat(api.delete("/api/config").status()).isEqualTo(405);
        assertThat(api.send(api.request("/api/sessions").PUT(HttpRequest.BodyPublishers.ofString("{}"))).status()).isEqualTo(405);
    }

    @Test
    void sessionsAreCreatedListedSwitchedAndDeleted() {
        JsonNode first = createSession("first");
        assertThat(first.propertyNames()).containsExactly("id", "name", "description", "created_at", "updated_at", "database",
                "checkpoints", "active");
        assertThat(first.get("name").asString()).isEqualTo("first");
        assertThat(first.get("description").asString()).isEqualTo("about first");
        assertThat(first.get("database").asString()).isEqualTo(source().database());
        assertThat(first.get("active").asBoolean()).isTrue();
        assertThat(Instant.parse(first.get("created_at").asString())).isBefore(Instant.now());
        assertThat(first.get("checkpoints").isArray()).isTrue();
        assertThat(first.get("checkpoints")).hasSize(1).first().extracting(JsonNode::asString)
                .isEqualTo(api.get("/api/checkpoints/CREATION").json().get("id").asString());
        String firstId = first.get("id").asString();
        String secondId = createSession("second").get("id").asString();

        assertThat(api.get("/api/sessions/" + firstId).json().get("active").asBoolean()).as("a new session becomes the active one").isFalse();
        List<String> listed = new ArrayList<>();
        List<Instant> created = new ArrayList<>();
        for (JsonNode s : api.get("/api/sessions").json()) {
            listed.add(s.get("id").asString());
            created.add(Instant.parse(s.get("created_at").asString()));
        }
        assertThat(listed).contains(firstId, secondId);
        assertThat(listed.indexOf(firstId)).isLessThan(listed.indexOf(secondId));
        assertThat(created).isSorted();

        String firstCreation = first.get("checkpoints").get(0).asString();
        assertThat(api.get("/api/checkpoints/" + firstCreation + "?session_id=" + firstId).status()).isEqualTo(200);
        assertThat(api.get("/api/checkpoints/" + firstCreation + "?session_id=" + secondId).status()).as("another session's").isEqualTo(404);
        var switched = api.post("/api/sessions/switch", "{\"session_id\":\"" + firstId + "\"}");
        assertThat(switched.status()).isEqualTo(200);
        assertThat(switched.body()).isEmpty();
        assertThat(api.get("/api/sessions/" + firstId).json().get("active").asBoolean()).isTrue();
        assertThat(api.get("/api/sessions/" + secondId).json().get("active").asBoolean()).isFalse();
        assertThat(api.post("/api/sessions/switch", "{}").status()).isEqualTo(400);
        assertThat(api.post("/api/sessions/switch", "{\"session_id\":\"" + UUID.randomUUID() + "\"}").status()).isEqualTo(404);

        assertThat(api.delete("/api/sessions/" + secondId).status()).isEqualTo(204);
        var gone = api.get("/api/sessions/" + secondId);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.detail()).isEqualTo("session " + secondId + " not found");
        assertThat(api.delete("/api/sessions/" + secondId).status()).isEqualTo(404);
        assertThat(api.get("/api/sessions/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.post("/api/sessions", "{\"name\":").status()).as("malformed JSON").isEqualTo(400);
        assertThat(api.post("/api/sessions", "[1]").status()).isEqualTo(400);
    }

    @Test
    void aCheckpointRecordsTheRealPositionWhateverTheClientSends() {
        sql(source(), "CREATE TABLE cp_items (id int PRIMARY KEY)");
        String session = createSession("checkpoints").get("id").asString();
        sql(source(), "INSERT INTO cp_items VALUES (1), (2)");

        var created = api.post("/api/checkpoints", "{\"name\":\"two rows\",\"description\":\"d\",\"lsn\":\"0/0\",\"entry_index\":0}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode checkpoint = created.json();
        assertThat(checkpoint.propertyNames()).containsExactly("id", "name", "description", "timestamp", "lsn", "entry_index", "session_id");
        assertThat(checkpoint.get("lsn").asString()).matches("[0-9A-F]+/[0-9A-F]+").isNotEqualTo("0/0");
        assertThat(checkpoint.get("entry_index").asLong()).isEqualTo(2);
        assertThat(checkpoint.get("session_id").asString()).isEqualTo(session);
        String id = checkpoint.get("id").asString();
        assertThat(api.get("/api/sessions/" + session).json().get("checkpoints").toString()).contains(id);

        // curl -d sends JSON as a form; the seed reads it as JSON all the same
        var curl = api.send(api.request("/api/checkpoints").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"by curl\",\"session_id\":\"" + session + "\"}")));
        assertThat(curl.status()).isEqualTo(201);
        assertThat(curl.json().get("name").asString()).isEqualTo("by curl");

        List<String> names = new ArrayList<>();
        api.get("/api/checkpoints?session_id=" + session).json().forEach(c -> names.add(c.get("name").asString()));
        assertThat(names).containsExactly("Creation", "two rows", "by curl");
        assertThat(api.get("/api/checkpoints/" + id).json().get("name").asString()).isEqualTo("two rows");
        JsonNode creation = api.get("/api/checkpoints/CREATION").json();
        assertThat(creation.get("session_id").asString()).isEqualTo(session);
        assertThat(creation.get("entry_index").asLong()).isZero();
        assertThat(api.get("/api/checkpoints/CREATION?session_id=" + session).json().get("id")).isEqualTo(creation.get("id"));
        assertThat(api.get("/api/checkpoints/MIGRATION").status()).isEqualTo(404);

        assertThat(api.delete("/api/checkpoints/CREATION").status()).isEqualTo(409);
        assertThat(api.delete("/api/checkpoints/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/checkpoints/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/api/checkpoints/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/checkpoints/12345").status()).isEqualTo(400);
        assertThat(api.get("/api/checkpoints?session_id=" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.post("/api/checkpoints", "{\"session_id\":\"" + UUID.randomUUID() + "\"}").status()).isEqualTo(404);
        assertThat(api.post("/api/checkpoints", "{\"session_id\":\"x\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/checkpoints", "not json").status()).isEqualTo(400);
    }

    @Test
    void navigateReturnsRealColumnNamesAndTypedValues() {
        sql(source(), "CREATE TABLE nav_items (id int PRIMARY KEY, name text, price numeric, done boolean, note text)");
        createSession("navigate");
        sql(source(), "INSERT INTO nav_items VALUES (1, 'a', 2.50, true, NULL)", "UPDATE nav_items SET name = 'b' WHERE id = 1",
                "DELETE FROM nav_items WHERE id = 1");
        String one = checkpoint("one");
        sql(source(), "ALTER TABLE nav_items ADD COLUMN extra int", "TRUNCATE nav_items");
        String two = checkpoint("two");

        var upToOne = api.post("/api/navigate", "{\"checkpoint_id\":\"" + one + "\"}");
        assertThat(upToOne.status()).isEqualTo(200);
        JsonNode entries = upToOne.json().get("entries");
        assertThat(upToOne.json().get("count").asInt()).isEqualTo(3).isEqualTo(entries.size());
        JsonNode insert = entries.get(0);
        assertThat(insert.get("operation").asString()).isEqualTo("INSERT");
        assertThat(insert.get("schema").asString()).isEqualTo("public");
        assertThat(insert.get("table").asString()).isEqualTo("nav_items");
        assertThat(insert.get("lsn").asString()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(Instant.parse(insert.get("timestamp").asString())).isBefore(Instant.now());
        assertThat(insert.get("id").isString()).isTrue();
        JsonNode data = insert.get("data");
        assertThat(data.propertyNames()).containsExactly("id", "name", "price", "done", "note");
        assertThat(data.get("id").isIntegralNumber()).isTrue();
        assertThat(data.get("id").asInt()).isEqualTo(1);
        assertThat(data.get("name").asString()).isEqualTo("a");
        assertThat(data.get("price").isNumber()).isTrue();
        assertThat(data.get("price").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(data.get("done").isBoolean()).isTrue();
        assertThat(data.get("note").isNull()).isTrue();
        assertThat(insert.has("old_data")).isFalse();
        assertThat(insert.has("sql")).isFalse();
        assertThat(insert.has("checkpoint_id")).isFalse();
        assertThat(entries.get(1).get("data").get("name").asString()).isEqualTo("b");
        JsonNode delete = entries.get(2);
        assertThat(delete.get("operation").asString()).isEqualTo("DELETE");
        assertThat(delete.get("data").isObject()).isTrue();
        assertThat(delete.get("old_data").get("id").asInt()).isEqualTo(1);

        JsonNode between = api.post("/api/navigate", "{\"start_id\":\"" + one + "\",\"end_id\":\"" + two + "\"}").json();
        assertThat(between.get("count").asInt()).isEqualTo(2);
        assertThat(between.get("entries").get(0).get("operation").asString()).isEqualTo("DDL");
        assertThat(between.get("entries").get(0).get("sql").asString()).contains("ALTER TABLE nav_items ADD COLUMN extra int");
        assertThat(between.get("entries").get(1).get("operation").asString()).isEqualTo("TRUNCATE");
        assertThat(between.get("entries").get(1).get("sql").asString()).containsIgnoringCase("TRUNCATE");
        assertThat(api.post("/api/navigate", "{\"checkpoint_id\":\"CREATION\"}").json().get("count").asInt()).isZero();

        var invalid = api.post("/api/navigate", "{\"start_id\":\"" + one + "\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.detail()).isEqualTo("Invalid request: provide checkpoint_id or both start_id and end_id");
        assertThat(api.post("/api/navigate", "{}").status()).isEqualTo(400);
        assertThat(api.post("/api/navigate", "{\"start_id\":\"" + two + "\",\"end_id\":\"" + one + "\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/navigate", "{\"checkpoint_id\":\"" + UUID.randomUUID() + "\"}").status()).isEqualTo(404);
        assertThat(api.post("/api/navigate", "{\"checkpoint_id\":\"nope\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/navigate", "{\"checkpoint_id\":").status()).isEqualTo(400);
    }

    @Test
    void replayMovesTheTargetBackAndForward() {
        sql(source(), "CREATE TABLE replay_items (id int PRIMARY KEY, name text)", "INSERT INTO replay_items VALUES (1, 'base')");
        JsonNode session = createSession("replay");
        String id = session.get("id").asString();
        var targetDb = target().withDatabase(sessionTarget(id));
        sql(source(), "INSERT INTO replay_items VALUES (2, 'one')");
        String one = checkpoint("one");
        sql(source(), "UPDATE replay_items SET name = 'two' WHERE id = 1", "INSERT INTO replay_items VALUES (3, 'two')");
        String two = checkpoint("two");

        JsonNode toOne = replay(id, one, 200);
        assertThat(toOne.propertyNames()).containsExactly("status", "entries_applied");
        assertThat(toOne.get("status").asString()).isEqualTo("success");
        assertThat(toOne.get("entries_applied").asLong()).as("the restore's own count (0 from one's copy, 1 from Creation's)")
                .isEqualTo(lastRestore(id).entriesApplied()).isBetween(0L, 1L);
        assertThat(rows(targetDb, "SELECT id, name FROM replay_items ORDER BY id")).containsExactly("1|base", "2|one");
        assertThat(replay(id, two, 200).get("entries_applied").asLong()).isEqualTo(lastRestore(id).entriesApplied());
        assertThat(lastRestore(id).toSeq()).isEqualTo(3);
        assertThat(rows(targetDb, "SELECT id, name FROM replay_items ORDER BY id")).containsExactly("1|two", "2|one", "3|two");
        replay(id, "CREATION", 200);
        assertThat(rows(targetDb, "SELECT id, name FROM replay_items ORDER BY id")).containsExactly("1|base");
        replay(id, one, 200);
        assertThat(rows(targetDb, "SELECT id, name FROM replay_items ORDER BY id")).containsExactly("1|base", "2|one");

        assertThat(api.post("/api/replay", "{\"session_id\":\"" + UUID.randomUUID() + "\",\"checkpoint_id\":\"" + one + "\"}")
                .status()).isEqualTo(404);
        replay(id, UUID.randomUUID().toString(), 404);
        replay(id, "MIGRATION", 404);
        replay(id, "", 400);
        assertThat(api.post("/api/replay", "{\"session_id\":\"x\",\"checkpoint_id\":\"" + one + "\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/replay", "{").status()).isEqualTo(400);
        assertThat(api.get("/api/replay").status()).isEqualTo(405);
    }

    @Test
    void walLogsAreTheActiveSessionsLastEntriesOldestFirst() {
        JsonNode none = api.get("/api/wal-logs").json();
        assertThat(none.get("entries")).isEmpty();
        assertThat(none.get("total_count").asLong()).isZero();
        assertThat(none.get("returned").asInt()).isZero();

        sql(source(), "CREATE TABLE wal_items (id int PRIMARY KEY)");
        createSession("wal");
        sql(source(), "INSERT INTO wal_items SELECT generate_series(1, 150)");
        checkpoint("after");

        assertLast("", 100, 150);
        assertLast("?limit=2", 2, 150);
        assertLast("?limit=0", 100, 150);
        assertLast("?limit=-3", 100, 150);
        assertLast("?limit=abc", 100, 150);
        assertLast("?limit=500", 150, 150);
    }

    private void assertLast(String query, int returned, int total) {
        var response = api.get("/api/wal-logs" + query);
        assertThat(response.status()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.get("total_count").asLong()).isEqualTo(total);
        assertThat(json.get("returned").asInt()).isEqualTo(returned).isEqualTo(json.get("entries").size());
        List<Long> ids = new ArrayList<>();
        json.get("entries").forEach(e -> ids.add(Long.parseLong(e.get("id").asString())));
        assertThat(ids).isSorted().endsWith((long) total).startsWith((long) total - returned + 1);
        assertThat(json.get("entries").get(returned - 1).get("data").get("id").asInt()).isEqualTo(150);
    }

    private JsonNode createSession(String name) {
        var response = api.post("/api/sessions", "{\"name\":\"" + name + "\",\"description\":\"about " + name + "\",\"database\":null}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    /** A checkpoint in the active session, sent as the seed's page sends it. */
    private String checkpoint(String name) {
        var response = api.post("/api/checkpoints", "{\"name\":\"" + name + "\",\"lsn\":\"0/0\",\"entry_index\":0}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    private JsonNode replay(String session, String checkpoint, int status) {
        var response = api.post("/api/replay", "{\"session_id\":\"" + session + "\",\"checkpoint_id\":\"" + checkpoint + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json();
    }

    private Restore lastRestore(String session) {
        return restorer.store().ofSession(UUID.fromString(session)).get(0);
    }

    /** The session's target database (the seed's shape does not show it; the native API does). */
    private String sessionTarget(String session) {
        return new ApiClient(port, PASSWORD).get("/api/v1/sessions/" + session).json().get("targetDatabase").asString();
    }
}
