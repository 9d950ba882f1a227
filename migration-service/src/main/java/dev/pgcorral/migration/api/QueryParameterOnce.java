package dev.pgcorral.migration.api;

import java.util.List;
import java.util.Map;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.util.UriComponentsBuilder;

import dev.pgcorral.common.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A query parameter given twice ({@code ?keep_slot=true&keep_slot=false}) is a 400 on every API call: no parameter of
 * this API takes a list, and taking one of the values would be a guess.
 */
@Configuration(proxyBeanMethods = false)
class QueryParameterOnce implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                String query = request.getQueryString();
                if (query != null) {
                    for (Map.Entry<String, List<String>> parameter : UriComponentsBuilder.newInstance().query(query).build().getQueryParams()
                            .entrySet()) {
                        if (parameter.getValue().size() > 1) {
                            throw ApiException.badRequest(parameter.getKey() + " is given " + parameter.getValue().size()
                                    + " times in the query (" + String.join(", ", parameter.getValue()) + "): give it once");
                        }
                    }
                }
                return true;
            }
        }).addPathPatterns("/api/**");
    }
}
