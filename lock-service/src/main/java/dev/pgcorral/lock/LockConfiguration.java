package dev.pgcorral.lock;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import dev.pgcorral.common.status.StatusBroadcaster;
import dev.pgcorral.common.status.StatusSource;
import dev.pgcorral.common.web.BearerAuthFilter;
import dev.pgcorral.lock.api.ClientConnections;
import dev.pgcorral.lock.api.PgflockProtocol;
import dev.pgcorral.lock.api.front.Front;
import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.runtime.DockerRuntime;
import dev.pgcorral.lock.runtime.LocalRuntime;
import dev.pgcorral.lock.runtime.PostgresRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

/** Wires the pool, its runtime, the front port and live status. */
@Configuration(proxyBeanMethods = false)
class LockConfiguration {

    @Bean
    PostgresRuntime postgresRuntime(LockProperties properties) {
        return "docker".equals(properties.runtime().type()) ? new DockerRuntime(properties) : new LocalRuntime(properties);
    }

    @Bean(destroyMethod = "close")
    Pool pool(LockProperties properties, PostgresRuntime runtime, MeterRegistry registry) {
        Pool pool = new Pool(properties, runtime, registry);
        try {
            pool.start();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return pool;
    }

    @Bean
    MeterDescriptions meterDescriptions() {
        return new MeterDescriptions();
    }

    @Bean
    StatusSource statusSource(Pool pool) {
        return pool::status;
    }

    @Bean
    SmartInitializingSingleton publishPoolChanges(Pool pool, StatusBroadcaster broadcaster) {
        return () -> pool.onChange(broadcaster::changed);
    }

    @Bean
    FilterRegistrationBean<BearerAuthFilter> apiAuthentication(LockProperties properties) {
        FilterRegistrationBean<BearerAuthFilter> registration =
                new FilterRegistrationBean<>(new BearerAuthFilter(properties.password()));
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    @Bean
    PgflockProtocol pgflockProtocol(Pool pool, LockProperties properties, JsonMapper json) {
        return new PgflockProtocol(pool, properties, json);
    }

    @Bean
    ClientConnections clientConnections() {
        return new ClientConnections();
    }

    @Bean(destroyMethod = "close")
    FrontPort frontPort(LockProperties properties, PgflockProtocol pgflock, ClientConnections connections, JsonMapper json) {
        return new FrontPort(properties, pgflock, connections, json);
    }

    /** Opens the public port once the servlet container it passes requests to is listening. */
    static final class FrontPort implements AutoCloseable {
        private final LockProperties properties;
        private final PgflockProtocol pgflock;
        private final ClientConnections connections;
        private final JsonMapper json;
        private volatile Front server;

        FrontPort(LockProperties properties, PgflockProtocol pgflock, ClientConnections connections, JsonMapper json) {
            this.properties = properties;
            this.pgflock = pgflock;
            this.connections = connections;
            this.json = json;
        }

        @EventListener
        public void onWebServer(WebServerInitializedEvent event) {
            if (server != null) {
                return;
            }
            try {
                server = new Front(properties, pgflock, connections, json, event.getWebServer().getPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        /** The port actually listened on (differs from the configured one when that is 0). */
        int port() {
            return server == null ? -1 : server.port();
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
