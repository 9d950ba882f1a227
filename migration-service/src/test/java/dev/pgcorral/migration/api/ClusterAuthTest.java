package dev.pgcorral.migration.api;

import static dev.pgcorral.migration.api.ClusterApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;

import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.cluster.HttpCalls;

/** Listening on every interface (as in the compose deployment), every /api/ call and the live status need the Bearer password. */
@TestPropertySource(properties = "server.address=0.0.0.0")
class ClusterAuthTest extends MigrationTestBase {

    @Value("${server.address}")
    String address;

    @Test
    void withoutTheBearerPasswordEveryApiCallIs401() throws IOException {
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
        var health = anonymous.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().propertyNames()).as("its status, no details (paths, servers)").contains("status")
                .doesNotContain("components", "details");
        assertThat(health.body()).doesNotContain("path");

        assertThat(upgrade(null)).as("the live status names migrations and their errors").startsWith("HTTP/1.1 401");
        assertThat(upgrade("wrong")).startsWith("HTTP/1.1 401");
        assertThat(upgrade(PASSWORD)).startsWith("HTTP/1.1 101");
    }

    /** The first line of the answer to a WebSocket upgrade of /ws (the live status), with the Bearer password if not null. */
    private String upgrade(String password) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + (password == null ? "" : "Authorization: Bearer " + password + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
