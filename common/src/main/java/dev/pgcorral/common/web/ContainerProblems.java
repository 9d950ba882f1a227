package dev.pgcorral.common.web;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * For a service whose servlet container serves only APIs: every error it answers is a problem
 * document, also those Spring MVC never sees. Tomcat's own error report (bad path encoding, a request
 * head too large) through {@link ProblemReportValve}; the container's error page through
 * {@link ProblemErrorController}; Actuator's empty error responses through {@link EmptyErrorBodies}.
 * Spring MVC's errors are {@link ProblemHandling}'s.
 */
@Configuration(proxyBeanMethods = false)
@Import({ProblemHandling.class, ProblemErrorController.class})
public class ContainerProblems {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReportValve() {
        return ProblemReportValve.onTheHost();
    }

    @Bean
    FilterRegistrationBean<EmptyErrorBodies> emptyActuatorErrorBodies() {
        FilterRegistrationBean<EmptyErrorBodies> registration = new FilterRegistrationBean<>(new EmptyErrorBodies());
        registration.addUrlPatterns("/actuator/*");
        return registration;
    }
}
