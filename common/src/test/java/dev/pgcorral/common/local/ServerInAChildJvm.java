package dev.pgcorral.common.local;

import java.nio.file.Path;

/**
 * A JVM that starts a throwaway PostgreSQL server in the data directory named by its argument,
 * prints {@code ready} and waits to be killed: what a test or a service killed with SIGKILL leaves.
 */
public final class ServerInAChildJvm {

    private ServerInAChildJvm() {
    }

    public static void main(String[] args) throws Exception {
        LocalPostgres server = new LocalPostgres(new LocalPostgres.Options(PostgresBinaries.locate(null), Path.of(args[0]),
                false, 0, "127.0.0.1", "tester", "secret", LocalPostgres.THROWAWAY_SETTINGS, ServerAccount.resolve(null), null));
        server.start();
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }
}
