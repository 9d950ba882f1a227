package dev.pgcorral.lock.pool;

import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.template.TemplateSpec;

/**
 * Knows which template the pool wants: the hash of the template sources (extensions, migrations,
 * init SQL), re-read on an interval. A changed hash asks every server to rebuild its template; a
 * rebuild that fails leaves the previous template in use and is reported as pending with its error.
 */
final class TemplateWatcher {

    private static final Logger log = LoggerFactory.getLogger(TemplateWatcher.class);

    private final TemplateSpec spec;
    private volatile String wanted;
    /** The last failure to read the sources, logged once. */
    private volatile String readProblem;

    TemplateWatcher(TemplateSpec spec) {
        this.spec = spec;
        this.wanted = spec.hash();
    }

    /** The hash of the sources as last read: what a server that starts builds. */
    String wanted() {
        return wanted;
    }

    /** Reads the sources again now; throws when they cannot be read (and keeps the last hash). */
    String reread() {
        String hash = spec.hash();
        if (!hash.equals(wanted)) {
            log.info("template sources changed ({} -> {})", wanted, hash);
            wanted = hash;
        }
        return hash;
    }

    /** One check: re-read the sources, and have every server whose template differs rebuild it. */
    void check(List<ServerSupervisor> servers) {
        try {
            reread();
            readProblem = null;
        } catch (RuntimeException e) {
            String problem = String.valueOf(e.getMessage());
            if (!problem.equals(readProblem)) {
                log.warn("cannot read the template sources (the template stays as it is): {}", problem);
                readProblem = problem;
            }
            return;
        }
        for (ServerSupervisor server : servers) {
            if (!wanted.equals(server.templateHash()) || server.templateError() != null) {
                server.refreshTemplate();
            }
        }
    }

    /** The hash of the template the servers' databases are copies of. */
    String inUse(List<ServerSupervisor> servers) {
        return servers.stream().map(ServerSupervisor::templateHash).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** The wanted template while some server has not built it, with the error of its build if it failed; else null. */
    PoolStatus.PendingTemplate pending(List<ServerSupervisor> servers) {
        String error = servers.stream().map(ServerSupervisor::templateError).filter(Objects::nonNull).findFirst().orElse(null);
        boolean behind = servers.stream().anyMatch(s -> s.templateHash() != null && !wanted.equals(s.templateHash()));
        return behind || error != null ? new PoolStatus.PendingTemplate(wanted, error) : null;
    }
}
