package dev.pgcorral.common.status;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
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
