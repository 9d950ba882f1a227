package dev.pgcorral.common.logical.values;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper for PostgreSQL values: reads and writes numbers exactly. Read stored value JSON back with
 * {@link #mapper()} (or a mapper configured alike), not a default one: a default mapper turns decimals into
 * doubles ({@code 0.1000000000000000000001} and {@code 1e-1000} would change), strips trailing zeros and refuses
 * numbers longer than 1000 characters, which a {@code numeric} (up to 131072 digits before the point and
 * 16383 after) or a {@code json} value may well have.
 */
public final class PgJson {

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(Integer.MAX_VALUE)
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNameLength(Integer.MAX_VALUE)
                            .maxDocumentLength(-1)
                            .maxTokenCount(-1)
                            .maxNestingDepth(100_000)
                            .build())
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(100_000).build())
                    .build())
            .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private PgJson() {
    }

    /** A mapper that keeps every number exact and accepts numbers and strings of any length; thread-safe. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    static JsonNode parse(String text) {
        return MAPPER.readTree(text);
    }

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }
}
