package dev.pgcorral.migration.api;

import java.io.IOException;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import dev.pgcorral.migration.migration.Migration;
import dev.pgcorral.migration.migration.Migrations;
import tools.jackson.databind.json.JsonMapper;

/**
 * pgmanager's plain WebSocket ({@code /api/v1/ws}, §6 of its API): one text frame with the whole progress
 * snapshot on connect, then one every 500 ms, no envelope; frames from the client are ignored. The snapshot
 * is of the running migration started last, or else of the migration created last. A client whose frames
 * back up for 5 s is dropped.
 */
final class SnapshotSocket extends TextWebSocketHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSocket.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Migrations migrations;
    private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgmanager-ws");
        t.setDaemon(true);
        return t;
    });

    SnapshotSocket(Migrations migrations) {
        this.migrations = migrations;
        ticks.scheduleAtFixedRate(this::tick, 500, 500, TimeUnit.MILLISECONDS);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws IOException {
        WebSocketSession guarded = new ConcurrentWebSocketSessionDecorator(session, 5_000, 16 << 20);
        guarded.sendMessage(new TextMessage(snapshot()));
        sessions.add(guarded);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        sessions.removeIf(s -> s.getId().equals(session.getId()));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        // pgmanager reads and discards what clients send
    }

    private void tick() {
        if (sessions.isEmpty()) {
            return;
        }
        try {
            TextMessage frame = new TextMessage(snapshot());
            for (WebSocketSession s : sessions) {
                try {
                    s.sendMessage(frame);
                } catch (IOException | RuntimeException e) {
                    sessions.remove(s);
                }
            }
        } catch (RuntimeException e) {
            log.debug("cannot take the snapshot: {}", e.getMessage());
        }
    }

    private String snapshot() {
        Migration shown = migrations.list().stream().filter(m -> migrations.live(m.id()).isPresent())
                .max(Comparator.comparing(m -> m.startedAt() == null ? m.createdAt() : m.startedAt()))
                .orElseGet(() -> migrations.list().stream().findFirst().orElse(null));
        Map<String, Object> json = MigrationJson.snapshot(shown, shown == null ? null : migrations.live(shown.id()).orElse(null),
                migrations.store());
        return JSON.writeValueAsString(json);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
