package dev.pgcorral.lock.pool;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a state change must tell others (complete a holder's future, say), collected under the
 * ledger's monitor and run after it is released, so no callback ever runs while the monitor is held.
 */
final class Effects {

    private static final Logger log = LoggerFactory.getLogger(Effects.class);

    private final List<Runnable> pending = new ArrayList<>();

    void add(Runnable effect) {
        pending.add(effect);
    }

    void run() {
        for (Runnable effect : pending) {
            try {
                effect.run();
            } catch (RuntimeException e) {
                log.warn("a lease callback failed: {}", e.toString());
            }
        }
        pending.clear();
    }
}
