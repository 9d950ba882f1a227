package dev.pgcorral.migration.api;

import java.lang.reflect.Type;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.cluster.ClusterSpec;

/**
 * A create or replace (of a cluster or a migration) sent without a body is told so in pgmanager's words, then ours. A body
 * of JSON's {@code null} is not empty: as pgmanager reads it, it is an object without fields, which validation refuses
 * field by field. Calls whose body is optional ({@code stop}, {@code switchover}) are left alone.
 */
@ControllerAdvice(assignableTypes = {ClusterApi.class, MigrationApi.class})
class EmptyBodies extends RequestBodyAdviceAdapter {

    static final String EMPTY = "invalid request body: EOF (the body is empty: it must be a JSON object)";

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return targetType == ClusterSpec.class || targetType == MigrationApi.CreateBody.class;
    }

    @Override
    public Object handleEmptyBody(Object body, HttpInputMessage inputMessage, MethodParameter parameter, Type targetType,
                                  Class<? extends HttpMessageConverter<?>> converterType) {
        throw ApiException.badRequest(EMPTY);
    }
}
