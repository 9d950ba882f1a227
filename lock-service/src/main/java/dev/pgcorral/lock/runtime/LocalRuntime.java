package dev.pgcorral.lock.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.lock.LockProperties;

/** PostgreSQL servers as local processes, on tmpfs unless a data directory is configured. */
public final class LocalRuntime implements PostgresRuntime, AutoCloseable {

    private final LockProperties properties;
    /** This run's throwaway folder, removed at close; null when data is kept. */
    private Path runFolder;

    public LocalRuntime(LockProperties properties) {
        this.properties = properties;
    }

    @Override
    public String type() {
        return "local";
    }

    @Override
    public List<PostgresInstance> create(int count) {
        LockProperties.Local local = properties.runtime().local();
        PostgresBinaries binaries = PostgresBinaries.locate(local.binDir());
        ServerAccount account = ServerAccount.resolve(local.runAs());
        boolean keep = local.dataDir() != null;
        Path base = keep ? local.dataDir() : DataDirectories.forRun("lock", null);
        runFolder = keep ? null : base;
        Map<String, String> settings = properties.runtime().serverSettings();
        String advertised = local.advertisedHost() == null || local.advertisedHost().isBlank()
                ? local.listenHost() : local.advertisedHost();
        List<PostgresInstance> instances = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            int port = properties.startingPort() == 0 ? 0 : properties.startingPort() + i - 1;
            LocalPostgres server = new LocalPostgres(new LocalPostgres.Options(binaries, base.resolve("instance-" + i),
                    keep, port, local.listenHost(), properties.user(), properties.password(), settings, account, null));
            instances.add(new LocalInstance(i, server, advertised, properties));
        }
        return instances;
    }

    /** After the pool has stopped its servers: the throwaway folder goes too. */
    @Override
    public void close() {
        if (runFolder != null) {
            DataDirectories.release(runFolder);
        }
    }

    private record LocalInstance(int index, LocalPostgres server, String advertisedHost, LockProperties properties)
            implements PostgresInstance {

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public int majorVersion() {
            return server.binaries().majorVersion();
        }

        @Override
        public String version() {
            return server.binaries().version();
        }

        @Override
        public ConnectionDetails adminDetails(String database) {
            return server.connectionDetails(database);
        }

        @Override
        public ConnectionDetails clientDetails(String database) {
            return new ConnectionDetails(advertisedHost, server.port(), database, properties.user(), properties.password());
        }

        @Override
        public void start() {
            server.start();
        }

        @Override
        public void stop() {
            server.stop();
        }

        @Override
        public boolean isAlive() {
            return server.isRunning();
        }

        @Override
        public void onUnexpectedExit(Runnable listener) {
            server.onUnexpectedExit(listener);
        }

        @Override
        public String logs(int lines) {
            return server.logTail(lines);
        }
    }
}
