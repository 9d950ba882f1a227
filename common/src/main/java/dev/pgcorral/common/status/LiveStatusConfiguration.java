package dev.pgcorral.common.status;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;

/**
 * The STOMP endpoint {@code /ws} with an in-memory broker for {@code /topic}, and the broadcaster of
 * the service's status. A service imports this and provides one {@link StatusSource} bean.
 * A browser page may open {@code /ws} only from the service's own origin or a configured one
 * ({@link StatusProperties#allowedOrigins()}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocketMessageBroker
@EnableConfigurationProperties(StatusProperties.class)
public class LiveStatusConfiguration implements WebSocketMessageBrokerConfigurer {

    /**
     * The largest status message sent or relayed, in bytes. A pool of 1,000 databases, each held with
     * a marker of the longest length lock-service accepts (1,000 characters), makes a snapshot of about
     * 1.4 MB of JSON, and about 3.4 MB if those markers are in a non-Latin script (3 bytes a character
     * in UTF-8). 16 MiB leaves room for several times that; the WebSocket defaults (8 KB in a Java
     * client, 512 KB of send buffer on the server) would cut a pool of a few dozen databases off.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final StatusProperties properties;

    public LiveStatusConfiguration(StatusProperties properties) {
        this.properties = properties;
    }

    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
        registry.addEndpoint("/ws").setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
    }

    /**
     * A subscriber may have one snapshot in flight and one waiting: a single snapshot can be as large
     * as {@link #MAX_MESSAGE_BYTES}, so that is what may wait. A client slower than that is dropped and
     * reconnects. (The default, 512 KB, dropped a subscriber whenever a large snapshot met a heartbeat.)
     */
    @Override
    public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
        registration.setSendBufferSizeLimit(MAX_MESSAGE_BYTES);
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
        registry.enableSimpleBroker("/topic");
    }

    /** Only the service publishes: a client's SEND (say, a forged status) is dropped. */
    @Override
    public void configureClientInboundChannel(ChannelRegistration registration) {
        registration.interceptors(new ChannelInterceptor() {
            @Override
            public Message<?> preSend(Message<?> message, MessageChannel channel) {
                return StompCommand.SEND.equals(StompHeaderAccessor.wrap(message).getCommand()) ? null : message;
            }
        });
    }

    @Bean
    StatusBroadcaster statusBroadcaster(SimpMessagingTemplate messaging, StatusSource source) {
        return new StatusBroadcaster(messaging, source);
    }
}
