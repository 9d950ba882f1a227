package dev.pgcorral.ui.actions;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * An action's body is read as written, or refused (400, a problem document that names the field) before the service is called: a key
 * the action does not take ({@code timeout_sec}, {@code keepslot}) is not dropped, a whole number with a fraction
 * ({@code 1.5}) is not rounded, a string is not read as a number or a boolean ({@code "60"}, {@code "true"}), nor a number
 * or a boolean as a string. web-ui reads no other JSON into objects: the services' answers are read as trees, which
 * none of this touches.
 */
@Configuration(proxyBeanMethods = false)
public class ActionJson {

    @Bean
    JsonMapperBuilderCustomizer strictActionBodies() {
        return builder -> builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT).disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }
}
