package dev.pgcorral.replay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/** The native API under /api/v1: authentication, sessions, checkpoints, the change log, restores, compare; its problem documents. */
class V1ApiTest extends ApiTestBase {

    private static final String LSN = "[0-9A-F]+/[0-9A-F]+";

    V1ApiTest() {
        super(PASSWORD);
    }

    @Test
    void everyEndpointWantsTheBearerPassword() {
        var without = new ApiClient(port, null).get("/api/v1/sessions");
        assertThat(without.status()).isEqualTo(401);
        assertThat(without.contentType()).startsWith("application/problem+json");
        assertThat(new ApiClient(port, "wrong").post("/api/v1/sessions", "{}").status()).isEqualTo(401);
        assertThat(new ApiClient(port, "wrong").get("/api/v1/sessions/" + UUID.randomUUID() + "/changes").status()).isEqualTo(401);
        assertThat(api.get("/api/v1/sessions").status()).isEqualTo(200);
    }

    @Test
    void sessionsAreCreatedRenamedActivatedAndDeletedWithoutShowingPasswords() {
        var created = api.post("/api/v1/sessions", "{\"name\":\"v1\",\"description\":\"first\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode session = created.json();
        String id = session.get("id").asString();
        assertThat(created.location()).isEqualTo("/api/v1/sessions/" + id);
        assertThat(session.get("name").asString()).isEqualTo("v1");
        assertThat(session.get("database").asString()).isEqualTo(source().database());
        assertThat(session.get("source").asString()).isEqualTo(source().redacted());
        assertThat(session.get("target").asString()).contains(":***@").endsWith("/" + session.get("targetDatabase").asString());
        assertThat(session.get("state").asString()).isEqualTo("CAPTURING");
        assertThat(session.get("ddlCapture").asBoolean()).isTrue();
        assertThat(session.get("active").asBoolean()).isTrue();
        assertThat(session.get("storedLsn").asString()).matches(LSN);
        assertThat(session.get("targetEntries").asLong()).isZero();
        assertThat(session.get("checkpoints").asInt()).isEqualTo(1);
        assertThat(session.get("entries").asLong()).isZero();
        assertThat(created.body()).doesNotContain(":replay@").doesNotContain(":" + source().password() + "@");
        assertThat(api.get("/api/v1/sessions").body()).contains(id).doesNotContain(":" + source().password() + "@");

        JsonNode renamed = api.patch("/api/v1/sessions/" + id, "{\"name\":\"renamed\"}").json();
        assertThat(renamed.get("name").asString()).isEqualTo("renamed");
        assertThat(renamed.get("description").asString()).isEqualTo("first");
        assertThat(api.get("/api/v1/sessions/" + id).json().get("name").asString()).isEqualTo("renamed");
        assertThat(api.patch("/api/v1/sessions/" + id, "{}").status()).isEqualTo(400);
        assertProblem(api.patch("/api/v1/sessions/" + id, "{\"name\":\" \"}"), 400, "name");

        String other = api.post("/api/v1/sessions", "").json().get("id").asString();
        assertThat(api.get("/api/v1/sessions/" + id).json().get("active").asBoolean()).isFalse();
        assertThat(api.post("/api/v1/sessions/" + id + "/activate", "").json().get("active").asBoolean()).isTrue();
        assertThat(api.get("/api/v1/sessions/" + other).json().get("active").asBoolean()).isFalse();

        assertThat(api.delete("/api/v1/sessions/" + other).status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/sessions/" + other), 404, other);
        assertProblem(api.delete("/api/v1/sessions/" + other), 404, other);
        assertProblem(api.get("/api/v1/sessions/not-a-uuid"), 400, "id must be a UUID");
        assertProblem(api.post("/api/v1/sessions/" + UUID.randomUUID() + "/activate", ""), 404, "not found");
        assertProblem(api.post("/api/v1/sessions", "{\"targetDatabase\":\"no way\"}"), 400, "targetDatabase");
        assertProblem(api.post("/api/v1/sessions", "{\"name\":"), 400, "JSON");

        var unreachable = api.post("/api/v1/sessions", "{\"source\":\"postgresql://u:s3cret@127.0.0.1:1/x\"}");
        assertProblem(unreachable, 400, "127.0.0.1:1");
        assertThat(unreachable.body()).doesNotContain("s3cret");
        assertThat(api.get("/api/v1/sessions").json().toString()).doesNotContain("s3cret");
    }

    @Test
    void checkpointsAreSetListedRenamedAndDeleted() {
        sql(source(), "CREATE TABLE v1_cp (id int PRIMARY KEY)");
        String session = createSession("checkpoints");
        String base = "/api/v1/sessions/" + session + "/checkpoints";
        sql(source(), "INSERT INTO v1_cp VALUES (1), (2), (3)");

        var created = api.post(base, "{\"name\":\"three\",\"description\":\"three rows\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode one = created.json();
        String id = one.get("id").asString();
        assertThat(created.location()).isEqualTo(base + "/" + id);
        assertThat(one.get("kind").asString()).isEqualTo("USER");
        assertThat(one.get("captured").asBoolean()).isTrue();
        assertThat(one.get("entryIndex").asLong()).isEqualTo(3);
        assertThat(one.get("lsn").asString()).matches(LSN).isNotEqualTo("0/0");
        assertThat(one.get("commitLsn").asString()).matches(LSN);
        assertThat(one.get("copy").propertyNames()).contains("database", "state", "error");
        assertThat(one.has("sequences")).isFalse();

        List<String> kinds = new ArrayList<>();
        api.get(base).json().forEach(c -> kinds.add(c.get("kind").asString() + ":" + c.get("name").asString()));
        assertThat(kinds).containsExactly("CREATION:Creation", "USER:three");
        JsonNode creation = api.get(base + "/CREATION").json();
        assertThat(creation.get("entryIndex").asLong()).isZero();
        assertThat(creation.get("copy").get("state").asString()).isEqualTo("READY");
        assertThat(api.get(base + "/" + creation.get("id").asString()).json().get("kind").asString()).isEqualTo("CREATION");
        assertProblem(api.get(base + "/MIGRATION"), 404, "MIGRATION");
        var migration = api.post(base + "/migration", "");
        assertThat(migration.status()).isEqualTo(201);
        assertThat(migration.json().get("kind").asString()).isEqualTo("MIGRATION");
        assertThat(migration.json().get("entryIndex").asLong()).isEqualTo(3);
        assertProblem(api.post(base + "/migration", ""), 409, "Migration");
        assertThat(api.get(base + "/migration").json().get("id")).isEqualTo(migration.json().get("id"));

        JsonNode renamed = api.patch(base + "/" + id, "{\"name\":\"trois\"}").json();
        assertThat(renamed.get("name").asString()).isEqualTo("trois");
        assertThat(renamed.get("description").asString()).isEqualTo("three rows");
        assertThat(api.get(base + "/" + id).json().get("name").asString()).isEqualTo("trois");

        assertProblem(api.delete(base + "/CREATION"), 409, "Creation");
        assertThat(api.delete(base + "/" + id).status()).isEqualTo(204);
        assertProblem(api.get(base + "/" + id), 404, id);
        assertProblem(api.post(base, "{\"description\":\"no name\"}"), 400, "name");
        assertProblem(api.get(base + "/zzz"), 400, "cid");
        assertProblem(api.get("/api/v1/sessions/" + UUID.randomUUID() + "/checkpoints"), 404, "not found");
    }

    @Test
    void theChangeLogComesInPagesFilteredAndOrdered() {
        String session = createSession("changes");
        String base = "/api/v1/sessions/" + session + "/changes";
        sql(source(), "CREATE TABLE v1_log (id int PRIMARY KEY, name text)", "INSERT INTO v1_log VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "UPDATE v1_log SET name = 'B' WHERE id = 2", "DELETE FROM v1_log WHERE id = 3");
        api.post("/api/v1/sessions/" + session + "/checkpoints", "{\"name\":\"flushed\"}");

        JsonNode newest = api.get(base).json();
        assertThat(newest.get("total").asLong()).isEqualTo(6);
        assertThat(newest.get("page").asInt()).isZero();
        assertThat(newest.get("size").asInt()).isEqualTo(50);
        assertThat(seqs(newest)).containsExactly(6L, 5L, 4L, 3L, 2L, 1L);
        JsonNode delete = newest.get("items").get(0);
        assertThat(delete.get("operation").asString()).isEqualTo("DELETE");
        assertThat(delete.get("oldData").get("id").asInt()).isEqualTo(3);
        assertThat(delete.get("oldKind").asString()).isEqualTo("KEY");
        JsonNode ddl = newest.get("items").get(5);
        assertThat(ddl.get("operation").asString()).isEqualTo("DDL");
        assertThat(ddl.get("statement").asString()).contains("CREATE TABLE v1_log");

        JsonNode page = api.get(base + "?order=oldest&size=2&page=1").json();
        assertThat(seqs(page)).containsExactly(3L, 4L);
        assertThat(page.get("total").asLong()).isEqualTo(6);
        JsonNode insert = page.get("items").get(0);
        assertThat(insert.get("table").asString()).isEqualTo("v1_log");
        assertThat(insert.get("schema").asString()).isEqualTo("public");
        assertThat(insert.get("columns").toString()).isEqualTo("[{\"name\":\"id\",\"type\":\"integer\",\"key\":true},"
                + "{\"name\":\"name\",\"type\":\"text\",\"key\":false}]");
        assertThat(insert.get("data").get("id").isIntegralNumber()).isTrue();
        assertThat(insert.get("commitLsn").asString()).matches(LSN);
        assertThat(Instant.parse(insert.get("commitTime").asString())).isBefore(Instant.now());

        assertThat(api.get(base + "?operation=insert").json().get("total").asLong()).isEqualTo(3);
        assertThat(api.get(base + "?table=public.v1_log").json().get("total").asLong()).isEqualTo(5);
        assertThat(api.get(base + "?table=v1_log&operation=UPDATE").json().get("items").get(0).get("data").get("name").asString())
                .isEqualTo("B");
        assertThat(api.get(base + "?xid=" + insert.get("xid").asLong()).json().get("total").asLong()).isEqualTo(3);
        assertThat(seqs(api.get(base + "?order=oldest&toLsn=" + insert.get("commitLsn").asString()).json()))
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(seqs(api.get(base + "?order=oldest&fromLsn=" + delete.get("commitLsn").asString()).json())).containsExactly(6L);

        assertProblem(api.get(base + "?page=-1"), 400, "page");
        assertProblem(api.get(base + "?size=0"), 400, "size");
        assertProblem(api.get(base + "?size=1001"), 400, "size");
        assertProblem(api.get(base + "?fromLsn=zz"), 400, "fromLsn");
        assertProblem(api.get(base + "?toLsn=1/"), 400, "toLsn");
        assertProblem(api.get(base + "?operation=MERGE"), 400, "operation");
        assertProblem(api.get(base + "?order=sideways"), 400, "order");
        assertProblem(api.get(base + "?xid=abc"), 400, "xid");
        assertProblem(api.get("/api/v1/sessions/" + UUID.randomUUID() + "/changes"), 404, "not found");
    }

    @Test
    void restoresGoToACheckpointOrAPositionAndReportTheirProgress() {
        sql(source(), "CREATE TABLE v1_travel (id int PRIMARY KEY, name text)", "INSERT INTO v1_travel VALUES (1, 'base')");
        JsonNode session = api.post("/api/v1/sessions", "{\"name\":\"travel\"}").json();
        String id = session.get("id").asString();
        ConnectionDetails targetDb = target().withDatabase(session.get("targetDatabase").asString());
        String base = "/api/v1/sessions/" + id;
        sql(source(), "INSERT INTO v1_travel VALUES (2, 'one')");
        JsonNode one = api.post(base + "/checkpoints", "{\"name\":\"one\"}").json();
        sql(source(), "UPDATE v1_travel SET name = 'two' WHERE id = 1", "INSERT INTO v1_travel VALUES (3, 'two')");
        JsonNode two = api.post(base + "/checkpoints", "{\"name\":\"two\"}").json();

        var started = api.post(base + "/restores", "{\"checkpointId\":\"" + two.get("id").asString() + "\"}");
        assertThat(started.status()).isEqualTo(202);
        String restore = started.json().get("id").asString();
        assertThat(started.location()).isEqualTo(base + "/restores/" + restore);
        assertThat(started.json().get("toEntries").asLong()).isEqualTo(3);
        assertThat(started.json().get("checkpointId").asString()).isEqualTo(two.get("id").asString());
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            done.set(api.get(started.location()).json());
            return !done.get().get("state").asString().equals("RUNNING");
        });
        JsonNode finished = done.get();
        assertThat(finished.get("state").asString()).as(finished.toString()).isEqualTo("DONE");
        assertThat(finished.get("error").isNull()).isTrue();
        assertThat(finished.get("startPoint").asString()).isNotBlank();
        assertThat(finished.get("entriesApplied").asLong()).isEqualTo(finished.get("entriesTotal").asLong()).isBetween(0L, 3L);
        assertThat(Instant.parse(finished.get("finishedAt").asString())).isAfterOrEqualTo(Instant.parse(finished.get("startedAt").asString()));
        assertThat(finished.get("durationMs").asLong()).isNotNegative();
        assertThat(finished.get("connectionsEnded").asInt()).isNotNegative();
        assertThat(rows(targetDb, "SELECT id, name FROM v1_travel ORDER BY id")).containsExactly("1|two", "2|one", "3|two");

        var byLsn = api.post(base + "/restores?wait=true", "{\"lsn\":\"" + one.get("commitLsn").asString() + "\"}");
        assertThat(byLsn.status()).isEqualTo(200);
        assertThat(byLsn.json().get("state").asString()).isEqualTo("DONE");
        assertThat(byLsn.json().get("toEntries").asLong()).isEqualTo(one.get("entryIndex").asLong()).isEqualTo(1);
        assertThat(byLsn.json().get("checkpointId").isNull()).isTrue();
        assertThat(rows(targetDb, "SELECT id, name FROM v1_travel ORDER BY id")).containsExactly("1|base", "2|one");
        assertThat(api.get(base).json().get("targetEntries").asLong()).isEqualTo(1);
        assertThat(api.post(base + "/restores?wait=true", "{\"checkpointId\":\"CREATION\"}").json().get("toEntries").asLong()).isZero();
        assertThat(rows(targetDb, "SELECT id, name FROM v1_travel ORDER BY id")).containsExactly("1|base");

        List<String> listed = new ArrayList<>();
        api.get(base + "/restores").json().forEach(r -> listed.add(r.get("id").asString()));
        assertThat(listed).hasSize(3).endsWith(restore);
        assertProblem(api.post(base + "/restores", "{}"), 400, "checkpointId or lsn");
        assertProblem(api.post(base + "/restores", "{\"checkpointId\":\"CREATION\",\"lsn\":\"0/0\"}"), 400, "checkpointId or lsn");
        assertProblem(api.post(base + "/restores", "{\"lsn\":\"later\"}"), 400, "lsn");
        assertProblem(api.post(base + "/restores", "{\"checkpointId\":\"" + UUID.randomUUID() + "\"}"), 404, "not found");
        assertProblem(api.get(base + "/restores/" + UUID.randomUUID()), 404, "not found");
        assertProblem(api.get(base + "/restores/nope"), 400, "rid");
    }

    @Test
    void compareFindsTheTargetEqualToACheckpointsCopyAfterRestoringToIt() {
        // a column named like the compare's row alias once was: rows must be hashed whole, not that column
        sql(source(), "CREATE TABLE v1_cmp (id int PRIMARY KEY, x text)", "INSERT INTO v1_cmp VALUES (1, 'base')");
        JsonNode session = api.post("/api/v1/sessions", "{\"name\":\"compare\"}").json();
        String base = "/api/v1/sessions/" + session.get("id").asString();
        sql(source(), "INSERT INTO v1_cmp VALUES (2, 'one')");
        String one = api.post(base + "/checkpoints", "{\"name\":\"one\"}").json().get("id").asString();
        sql(source(), "UPDATE v1_cmp SET id = id + 10"); // x unchanged: only a whole-row hash sees it
        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.store().find(UUID.fromString(one)).orElseThrow().copyReady());

        assertThat(compare(base, one).get("equal").asBoolean()).as("the target is still at Creation").isFalse();
        assertThat(api.post(base + "/restores?wait=true", "{\"checkpointId\":\"" + one + "\"}").json().get("state").asString()).isEqualTo("DONE");
        JsonNode equal = compare(base, one);
        assertThat(equal.get("equal").asBoolean()).as(equal.toString()).isTrue();
        assertThat(equal.get("left").asString()).contains("target");
        assertThat(equal.get("right").asString()).contains("one");
        JsonNode table = null;
        for (JsonNode t : equal.get("tables")) {
            table = t.get("table").asString().equals("v1_cmp") ? t : table;
        }
        assertThat(table).isNotNull();
        assertThat(table.get("rowsLeft").asLong()).isEqualTo(2).isEqualTo(table.get("rowsRight").asLong());
        assertThat(table.get("hashLeft").asString()).isEqualTo(table.get("hashRight").asString());
        assertThat(compare(base, "source").get("equal").asBoolean()).as("the source has changed since").isFalse();
        assertThat(compare(base, "CREATION").get("equal").asBoolean()).isFalse();

        UUID sessionId = UUID.fromString(session.get("id").asString());
        restorer.exclusively(sessionId, () -> {
            String unbuilt = api.post(base + "/checkpoints", "{\"name\":\"unbuilt\"}").json().get("id").asString();
            assertProblem(api.post(base + "/compare", "{\"against\":\"" + unbuilt + "\"}"), 409, "no ready copy");
        });
        assertProblem(api.post(base + "/compare", "{}"), 400, "against");
        assertProblem(api.post(base + "/compare", "{\"against\":\"" + UUID.randomUUID() + "\"}"), 404, "not found");
        assertProblem(api.post(base + "/compare", "{\"against\":\"elsewhere\"}"), 400, "against");
    }

    @Test
    void backupsAreTakenAtACheckpointListedRestoredIntoTheTargetAndDeleted() {
        sql(source(), "CREATE TABLE v1_bak (id int PRIMARY KEY)", "INSERT INTO v1_bak VALUES (1)");
        String base = "/api/v1/sessions/" + createSession("backups");
        sql(source(), "INSERT INTO v1_bak VALUES (2)");
        String two = api.post(base + "/checkpoints", "{\"name\":\"two\"}").json().get("id").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.store().find(UUID.fromString(two)).orElseThrow().copyReady());

        var taken = api.post(base + "/backups", "{\"checkpointId\":\"" + two + "\"}");
        assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        String backup = taken.json().get("id").asString();
        assertThat(taken.location()).isEqualTo(base + "/backups/" + backup);
        assertThat(taken.json().get("sizeBytes").asLong()).isPositive();
        assertThat(taken.json().get("checkpoint").asString()).isEqualTo("two");
        assertThat(api.get(base + "/backups").json().get(0).get("id").asString()).isEqualTo(backup);

        assertThat(rows(target(), "SELECT id FROM v1_bak ORDER BY id")).containsExactly("1");
        var restored = api.post(base + "/backups/" + backup + "/restore", "");
        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(restored.json().get("targetEntries").asLong()).isEqualTo(1);
        assertThat(rows(target(), "SELECT id FROM v1_bak ORDER BY id")).containsExactly("1", "2");

        assertProblem(api.post(base + "/backups", "{}"), 400, "checkpointId");
        assertProblem(api.post(base + "/backups", "{\"checkpointId\":\"" + UUID.randomUUID() + "\"}"), 404, "not found");
        assertProblem(api.get(base + "/backups/" + UUID.randomUUID()), 404, "not found");
        assertProblem(api.get(base + "/backups/nope"), 400, "bid must be a UUID");
        assertThat(api.delete(base + "/backups/" + backup).status()).isEqualTo(204);
        assertProblem(api.get(base + "/backups/" + backup), 404, "not found");
    }

    private JsonNode compare(String base, String against) {
        var response = api.post(base + "/compare", "{\"against\":\"" + against + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private String createSession(String name) {
        var response = api.post("/api/v1/sessions", "{\"name\":\"" + name + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    private static List<Long> seqs(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.get("items").forEach(i -> seqs.add(i.get("seq").asLong()));
        return seqs;
    }

    private static void assertProblem(ApiClient.Response response, int status, String detailPart) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.detail()).contains(detailPart);
    }
}
