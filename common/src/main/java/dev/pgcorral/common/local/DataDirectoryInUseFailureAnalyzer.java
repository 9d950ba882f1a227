package dev.pgcorral.common.local;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A service that cannot start because its embedded PostgreSQL's data directory is another running server's says so in
 * a few lines at startup, rather than at the end of a long stack trace.
 */
final class DataDirectoryInUseFailureAnalyzer extends AbstractFailureAnalyzer<DataDirectoryInUseException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DataDirectoryInUseException cause) {
        return new FailureAnalysis(cause.getMessage(), "Set this service's data-dir setting (pgcorral.migration.embedded.data-dir, "
                + "pgcorral.replay.embedded.data-dir or pgcorral.lock.runtime.local.data-dir) to a folder no other server uses.", cause);
    }
}
