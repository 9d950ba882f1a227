package dev.pgcorral.migration.api;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.util.UriComponentsBuilder;

import dev.pgcorral.common.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A query parameter given twice ({@code ?keep_slot=true&keep_slot=false}) is a 400 on every API call: no parameter of
 * this API takes a list, and taking one of the values would be a guess. So is one that a call which changes something
 * does not take ({@code ?keepslot=true}): ignored, the call would do what was not asked (drop a slot asked to be kept).
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
                    Set<String> taken = "GET".equals(request.getMethod()) || !(handler instanceof HandlerMethod method) ? null : taken(method);
                    for (Map.Entry<String, List<String>> parameter : UriComponentsBuilder.newInstance().query(query).build().getQueryParams()
                            .entrySet()) {
                        if (parameter.getValue().size() > 1) {
                            throw ApiException.badRequest(parameter.getKey() + " is given " + parameter.getValue().size()
                                    + " times in the query (" + String.join(", ", parameter.getValue()) + "): give it once");
                        }
                        if (taken != null && !taken.contains(parameter.getKey())) {
                            throw ApiException.badRequest("unknown query parameter " + parameter.getKey() + ": this call takes "
                                    + (taken.isEmpty() ? "none" : String.join(", ", new TreeSet<>(taken))));
                        }
                    }
                }
                return true;
            }
        }).addPathPatterns("/api/**");
    }

    /** The query parameters a handler takes: its {@code @RequestParam}s. */
    private static Set<String> taken(HandlerMethod method) {
        Set<String> names = new HashSet<>();
        for (MethodParameter parameter : method.getMethodParameters()) {
            RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
            if (param != null) {
                names.add(!param.name().isEmpty() ? param.name() : parameter.getParameterName());
            }
        }
        return names;
    }
}
