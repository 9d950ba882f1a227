package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The application of the switchover benchmark: a thread that inserts one row per transaction into
 * {@code bench_app} every 5 ms, on the source until it is told that the switchover is done, then on the
 * destination. When an insert is refused (the database read-only, the session ended) it closes its session and
 * tries again on a new one, as an application's pool would; a new session also sees writes given back. It records
 * the ids the source accepted, when it accepted the last one and when the destination accepted the first.
 */
final class SwitchoverWriter {

    static final String TABLE = "bench_app";
    static final Duration INTERVAL = Duration.ofMillis(5);
    private static final String INSERT = "INSERT INTO " + TABLE + " DEFAULT VALUES RETURNING id";

    private final ConnectionDetails source;
    private final List<Long> sourceIds = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile ConnectionDetails destination;
    private volatile boolean running = true;
    private volatile long lastOnSource;
    private volatile long firstOnDestination;
    private volatile long onDestination;
    private volatile long refused;
    private volatile String firstRefusal;
    private volatile String lastDestinationError;

    /** Creates the table on the source, before the first clone copies it. */
    static void create(ConnectionDetails source) throws SQLException {
        PgClients.execute(source, "CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    }

    SwitchoverWriter(ConnectionDetails source) {
        this.source = source;
        this.thread = new Thread(this::write, "bench-switchover-writer");
        thread.setDaemon(true);
    }

    /** Starts writing to the source. */
    void start() {
        thread.start();
    }

    /** From the next insert on, writes go to {@code destination}. */
    void switchTo(ConnectionDetails destination) {
        this.destination = destination;
    }

    /** Waits until the destination accepted an insert; false when it did not within {@code limit}. */
    boolean awaitDestination(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (firstOnDestination == 0 && System.nanoTime() < deadline) {
            Thread.sleep(INTERVAL.toMillis());
        }
        return firstOnDestination != 0;
    }

    /** Stops the thread after its insert under way; an interrupt ends the wait. */
    void stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The ids of the rows the source accepted (their commit returned), in order. */
    List<Long> sourceIds() {
        return List.copyOf(sourceIds);
    }

    /** Milliseconds from the source's last accepted insert to the destination's first; NaN when either is missing. */
    double downtimeMillis() {
        return lastOnSource == 0 || firstOnDestination == 0 ? Double.NaN : (firstOnDestination - lastOnSource) / 1e6;
    }

    /** How many rows the destination accepted. */
    long onDestination() {
        return onDestination;
    }

    /**
     * What it did, for the JSON: the rows each side accepted, the inserts refused (on either side), why the first
     * was refused and why the destination refused its last (null for none).
     */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rows_source", sourceIds.size());
        json.put("rows_destination", onDestination);
        json.put("inserts_refused", refused);
        json.put("first_refusal", firstRefusal);
        json.put("last_destination_refusal", lastDestinationError);
        return json;
    }

    private void write() {
        ConnectionDetails at = source;
        Connection session = null;
        while (running) {
            ConnectionDetails to = destination == null ? source : destination;
            if (to != at) {
                session = close(session);
                at = to;
            }
            try {
                if (session == null) {
                    session = at.connect();
                    try (Statement st = session.createStatement()) {
                        st.execute("SET application_name = 'bench application'"); // not the service's name: the switchover ends it
                    }
                }
                long id;
                try (Statement st = session.createStatement(); ResultSet rs = st.executeQuery(INSERT)) {
                    rs.next();
                    id = rs.getLong(1);
                }
                long now = System.nanoTime();
                if (at == source) {
                    sourceIds.add(id);
                    lastOnSource = now;
                } else {
                    if (firstOnDestination == 0) {
                        firstOnDestination = now;
                    }
                    onDestination++;
                }
            } catch (SQLException e) {
                refused++;
                if (firstRefusal == null) {
                    firstRefusal = e.getMessage();
                }
                if (at != source) {
                    lastDestinationError = e.getMessage();
                }
                session = close(session);
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        close(session);
    }

    private static Connection close(Connection session) {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                log("writer: closing its session: %s", e.getMessage());
            }
        }
        return null;
    }
}
