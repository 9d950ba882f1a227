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
        return new FailureAnalysis(cause.getMessage(), "Stop the process that runs that server (say another instance of this "
                + "service), or give this one a data directory of its own in its configuration.", cause);
    }
}
