package dev.pgcorral.replay.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;

import dev.pgcorral.replay.ReplayTestBase;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.Restorer;

/** replay-service called over HTTP by {@link #api}; every session is deleted after each test. */
abstract class ApiTestBase extends ReplayTestBase {

    @Autowired
    protected Sessions sessions;
    @Autowired
    protected Checkpoints checkpoints;
    @Autowired
    protected Restorer restorer;

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

    /** Each capturing session holds a metadata connection, and the pool has room for a few only. */
    @AfterEach
    void deleteSessions() {
        sessions.all().forEach(s -> sessions.delete(s.id()));
    }
}
