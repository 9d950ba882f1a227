package dev.pgcorral.migration.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import dev.pgcorral.migration.migration.Migrations;

/**
 * Registers pgmanager's {@code /api/v1/ws}. Unlike pgmanager, a browser may open it only from the service's own
 * origin (a page elsewhere must not read a local service's progress); clients that are not browsers send no
 * origin and are served. Authentication is that of every {@code /api/} path.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class SnapshotSocketConfiguration implements WebSocketConfigurer {

    private final SnapshotSocket socket;

    SnapshotSocketConfiguration(Migrations migrations) {
        this.socket = new SnapshotSocket(migrations);
    }

    @Bean(destroyMethod = "close")
    SnapshotSocket snapshotSocket() {
        return socket;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(socket, "/api/v1/ws").setHandshakeHandler(new ProblemHandshakeHandler());
    }
}
