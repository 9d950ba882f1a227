package dev.pgcorral.migration.cluster;

import java.util.List;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgcorral.migration.MigrationProperties;

/**
 * The cluster registry's beans. The key that encrypts node passwords is read (or generated) here, at start:
 * a key file that group or others may read stops the start with a message saying what to do, and stored passwords
 * the key cannot decrypt are reported once the service has started.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ClusterConfiguration.class);

    @Bean
    Clusters clusters(MigrationProperties properties, JdbcClient jdbc, DataSource dataSource, ObjectProvider<ClusterUsage> usages) {
        PasswordCipher cipher = new PasswordCipher(ClusterKey.resolve(properties.secretKey(), properties.keyFile()));
        return new Clusters(new ClusterStore(jdbc), cipher, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                usages::orderedStream);
    }

    /** After the state schema is migrated: says at start, not at first use, when stored passwords need another key. */
    @Bean
    ApplicationRunner checkStoredPasswords(Clusters clusters) {
        return args -> {
            List<String> unreadable = clusters.undecryptableNodes();
            if (!unreadable.isEmpty()) {
                log.warn("the stored passwords of {} node(s) ({}) cannot be decrypted with the current key: set"
                        + " pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY) or pgcorral.migration.key-file back to the key they were"
                        + " stored with, or send their passwords again with PUT /api/v1/clusters/{id}", unreadable.size(),
                        String.join(", ", unreadable.subList(0, Math.min(10, unreadable.size()))));
            }
        };
    }

    @Bean
    ClusterProbes clusterProbes(Clusters clusters) {
        return new ClusterProbes(clusters, new ConnectionTester(), new Introspector());
    }
}
