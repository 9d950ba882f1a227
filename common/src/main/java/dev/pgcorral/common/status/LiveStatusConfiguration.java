package dev.pgcorral.common.status;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * The STOMP endpoint {@code /ws} with an in-memory broker for {@code /topic}, and the broadcaster of
 * the service's status. A service imports this and provides one {@link StatusSource} bean.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocketMessageBroker
public class LiveStatusConfiguration implements WebSocketMessageBrokerConfigurer {

    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
        registry.addEndpoint("/ws").setAllowedOriginPatterns("*");
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
        registry.enableSimpleBroker("/topic");
    }

    @Bean
    StatusBroadcaster statusBroadcaster(SimpMessagingTemplate messaging, StatusSource source) {
        return new StatusBroadcaster(messaging, source);
    }
}
