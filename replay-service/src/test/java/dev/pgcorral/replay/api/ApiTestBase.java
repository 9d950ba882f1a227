package dev.pgcorral.replay.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.pgcorral.replay.ReplayTestBase;

/** replay-service called over HTTP by {@link #api}; every session is deleted after each test. */
abstract class ApiTestBase extends ReplayTestBase {

    protected ApiClient api;

    private final String bearer;

    /** @param bearer the password {@link #api} sends; null sends none */
    ApiTestBase(String bearer) {
        this.bearer = bearer;
    }

    @BeforeEach
    void client() {
        api = new ApiClient(port, bearer);
    }

    /** Each test starts with no session (the active session and the wal-logs depend on it). */
    @AfterEach
    void deleteSessions() {
        sessions.all().forEach(s -> sessions.delete(s.id()));
    }
}
