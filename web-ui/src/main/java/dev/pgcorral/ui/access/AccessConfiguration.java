package dev.pgcorral.ui.access;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.json.JsonMapper;

/** Who may see web-ui: first the host name is checked, then the login; both before anything else. */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

    @Bean
    FilterRegistrationBean<AllowedHostsFilter> allowedHostsFilter(UiProperties properties, JsonMapper json) {
        FilterRegistrationBean<AllowedHostsFilter> registration = new FilterRegistrationBean<>(new AllowedHostsFilter(properties, json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    FilterRegistrationBean<LoginFilter> loginFilter(JsonMapper json) {
        FilterRegistrationBean<LoginFilter> registration = new FilterRegistrationBean<>(new LoginFilter(json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }
}
