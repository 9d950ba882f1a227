package dev.pgcorral.migration.cluster;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgcorral.migration.MigrationProperties;

/**
 * The cluster registry's beans. The key that encrypts node passwords is read (or generated) here, at start:
 * a key file that group or others may read stops the start with a message saying what to do.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterConfiguration {

    @Bean
    Clusters clusters(MigrationProperties properties, JdbcClient jdbc, DataSource dataSource, ObjectProvider<ClusterUsage> usages) {
        PasswordCipher cipher = new PasswordCipher(ClusterKey.resolve(properties.secretKey(), properties.keyFile()));
        return new Clusters(new ClusterStore(jdbc), cipher, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                usages::orderedStream);
    }

    @Bean
    ClusterProbes clusterProbes(Clusters clusters) {
        return new ClusterProbes(clusters, new ConnectionTester(), new Introspector());
    }
}
