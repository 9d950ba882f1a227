package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.percentile;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Each heartbeat's own delay, from its commit on the source to the commit of the destination transaction that applied
 * it, at a precision the heartbeat lag (sampled every 100 ms) does not have: the source records commit times
 * ({@code track_commit_timestamp}), and a constraint trigger on each destination's {@code bench_heartbeat}, deferred to
 * the commit (migration-service may apply several source transactions in one destination transaction: a row's insert is
 * not yet its commit) and enabled {@code ALWAYS} so that it fires under either way's apply, stamps each row with
 * {@code clock_timestamp()} in a table of its own. One clock, the machine's. The trigger, its function and its table are
 * dropped before the copies are compared.
 */
final class CdcApplyLatency {

    private static final String STAMPS = "bench_heartbeat_applied";
    private static final String FUNCTION = "bench_heartbeat_stamp";

    private CdcApplyLatency() {
    }

    /**
     * Puts the trigger on each way's destination: the heartbeats it applies from then on are stamped. A way where that fails
     * is failed.
     */
    static void install(List<CdcWay> ways) {
        for (CdcWay way : ways) {
            try (Statement st = way.connection().createStatement()) {
                st.execute("CREATE TABLE public." + STAMPS + " (id bigint PRIMARY KEY, applied_at timestamptz NOT NULL)");
                // an apply worker runs with an empty search_path: every name qualified
                st.execute("CREATE FUNCTION public." + FUNCTION + "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
                        + "INSERT INTO public." + STAMPS + " VALUES (NEW.id, clock_timestamp()); RETURN NEW; END$$");
                st.execute("CREATE CONSTRAINT TRIGGER " + FUNCTION + " AFTER INSERT ON public.bench_heartbeat DEFERRABLE INITIALLY DEFERRED"
                        + " FOR EACH ROW EXECUTE FUNCTION public." + FUNCTION + "()");
                st.execute("ALTER TABLE public.bench_heartbeat ENABLE ALWAYS TRIGGER " + FUNCTION);
            } catch (SQLException e) {
                way.fail("putting the apply-latency trigger on its destination: " + e.getMessage());
            }
        }
    }

    /**
     * Per way not failed, p50/p95/p99/max in milliseconds of (committed on the destination − committed on the source) over
     * the heartbeats from {@code fromId} on, and how many there were; then drops what {@link #install} made on every way's
     * destination, failed or not. A heartbeat without a commit time on the source is left out and counted.
     */
    static Map<String, Object> collect(List<CdcWay> ways, ConnectionDetails source, long fromId) throws SQLException {
        Map<Long, Long> committed = new HashMap<>();
        int unknown = 0;
        try (Connection c = source.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT id, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint FROM bench_heartbeat WHERE id >= "
                        + fromId)) {
            while (rs.next()) {
                long at = rs.getLong(2);
                if (rs.wasNull()) {
                    unknown++;
                } else {
                    committed.put(rs.getLong(1), at);
                }
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (CdcWay way : ways) {
            List<Double> delays = new ArrayList<>();
            try (Statement st = way.connection().createStatement()) {
                if (!way.failed()) {
                    try (ResultSet rs = st.executeQuery("SELECT id, (extract(epoch FROM applied_at) * 1000000)::bigint FROM public." + STAMPS
                            + " WHERE id >= " + fromId)) {
                        while (rs.next()) {
                            Long at = committed.get(rs.getLong(1));
                            if (at != null) {
                                delays.add((rs.getLong(2) - at) / 1000.0);
                            }
                        }
                    }
                }
                st.execute("DROP FUNCTION IF EXISTS public." + FUNCTION + "() CASCADE"); // the trigger with it, before its table
                st.execute("DROP TABLE IF EXISTS public." + STAMPS);
            } catch (SQLException e) {
                way.fail("reading or dropping the apply-latency stamps on its destination: " + e.getMessage());
                continue;
            }
            if (way.failed()) {
                continue;
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("heartbeats", delays.size());
            if (!delays.isEmpty()) {
                for (double p : new double[] {50, 95, 99}) {
                    figures.put("p" + (int) p, hundredths(percentile(delays, p)));
                }
                figures.put("max", hundredths(delays.stream().mapToDouble(Double::doubleValue).max().orElseThrow()));
            }
            log("%s: a heartbeat committed on the destination %s ms after its commit on the source (p50), %s ms (p99), over %d",
                    way.name(), figures.get("p50"), figures.get("p99"), delays.size());
            result.put(way.name(), figures);
        }
        if (unknown > 0) {
            result.put("heartbeats_without_commit_time", unknown);
        }
        return result;
    }

    private static double hundredths(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}
