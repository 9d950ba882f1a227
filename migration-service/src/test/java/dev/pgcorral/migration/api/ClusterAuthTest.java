package dev.pgcorral.migration.api;

import static dev.pgcorral.migration.api.ClusterApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;

import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.cluster.HttpCalls;

/** Listening on every interface (as in the compose deployment), every /api/ call needs the Bearer password. */
@TestPropertySource(properties = "server.address=0.0.0.0")
class ClusterAuthTest extends MigrationTestBase {

    @Value("${server.address}")
    String address;

    @Test
    void withoutTheBearerPasswordEveryApiCallIs401() {
        assertThat(address).isEqualTo("0.0.0.0");
        HttpCalls anonymous = new HttpCalls(port, null);
        var list = anonymous.get("/api/v1/clusters");
        assertProblem(list, 401, "Missing Authorization: Bearer <password> header");
        assertProblem(anonymous.post("/api/v1/clusters/test-connection", "{\"dsn\":\"postgresql://u@10.1.2.3/x\"}"), 401, "Authorization");
        assertProblem(anonymous.post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}"), 401, "Authorization");
        assertThat(anonymous.statusWithHost("/api/v1/clusters", "localhost:" + port)).isEqualTo(401);
        assertProblem(new HttpCalls(port, "wrong").get("/api/v1/clusters"), 401, "Wrong password");

        HttpCalls authorized = new HttpCalls(port, PASSWORD);
        assertThat(authorized.get("/api/v1/clusters").status()).isEqualTo(200);
        var created = authorized.post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(authorized.delete("/api/v1/clusters/" + created.json().get("id").asString()).status()).isEqualTo(204);
        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
    }
}
