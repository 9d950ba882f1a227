package dev.pgcorral.migration.migration;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * One switchover at a time from a source database. Two at once would undo each other: one that fails gives the source
 * its writes back, also after the other moved them away for good.
 */
final class OneSwitchoverPerSource {

    /** Source database (host, port, name) → the migration switching over from it. */
    private final Map<String, String> switching = new ConcurrentHashMap<>();

    /** Null when {@code migrationId} may switch over from {@code source} now (it holds it until {@link #release}); else the one that does. */
    String claim(ConnectionDetails source, String migrationId) {
        String holder = switching.putIfAbsent(key(source), migrationId);
        return holder == null || holder.equals(migrationId) ? null : holder;
    }

    void release(ConnectionDetails source, String migrationId) {
        switching.remove(key(source), migrationId);
    }

    private static String key(ConnectionDetails source) {
        return source.host() + ":" + source.port() + "/" + source.database();
    }
}
