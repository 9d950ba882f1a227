package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What Prometheus scrapes: the timers' quantiles as the README lists them, and a description for every series, Spring's and Tomcat's too. */
class MetricsTest extends PoolTestBase {

    @Test
    void timersShowTheirQuantilesAndEveryMetricIsDescribed() throws Exception {
        try (PgflockConnection lock = PgflockConnection.lock(port, "metrics", PASSWORD)) {
            lock.firstLine();
        }
        awaitPoolFull();
        String scrape = client.get("/actuator/prometheus").body();
        for (String timer : List.of("pgcorral_lock_wait_seconds", "pgcorral_lock_reset_seconds")) {
            for (String quantile : List.of("0.5", "0.95", "0.99")) {
                assertThat(scrape).contains(timer + "{quantile=\"" + quantile + "\"}");
            }
            assertThat(scrape).contains(timer + "_count", timer + "_sum", timer + "_max");
        }
        assertThat(scrape).contains("pgcorral_lock_databases{state=\"free\"}", "pgcorral_lock_waiting",
                "pgcorral_lock_grants_total", "pgcorral_lock_ends_total{reason=\"client_gone\"}", "pgcorral_lock_reset_failures_total");
        List<String> families = scrape.lines().filter(l -> l.startsWith("# TYPE "))
                .map(l -> l.split(" ")[2]).toList();
        assertThat(families).isNotEmpty();
        for (String family : families) {
            assertThat(scrape.lines().filter(l -> l.startsWith("# HELP " + family + " ")))
                    .as("description of %s", family).singleElement().satisfies(help ->
                            assertThat(help.substring(("# HELP " + family + " ").length()).strip()).isNotEmpty());
        }
    }
}
