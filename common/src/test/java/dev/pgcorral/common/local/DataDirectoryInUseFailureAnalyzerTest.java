package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** A service whose data directory another server runs on is told so at startup in a few lines, what to do included. */
class DataDirectoryInUseFailureAnalyzerTest {

    @Test
    void aStartupThatFailsOnADataDirectoryInUseIsExplainedByTheRegisteredAnalyzer() {
        // Spring Boot's own analyzers need a bean factory to be made: left out (logged)
        FailureAnalyzer analyzer = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.logging(LogFactory.getLog(getClass())))
                .stream().filter(DataDirectoryInUseFailureAnalyzer.class::isInstance).findFirst().orElseThrow();
        String said = "the data directory /x is in use by a running PostgreSQL (pid 7)";
        FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("embeddedServer", new DataDirectoryInUseException(said)));
        assertThat(analysis.getDescription()).isEqualTo(said);
        assertThat(analysis.getAction()).contains("pgcorral.migration.embedded.data-dir");
        assertThat(analyzer.analyze(new BeanCreationException("other", new IllegalStateException(said)))).isNull();
    }
}
