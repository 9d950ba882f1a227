package dev.pgcorral.common.logical.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** What needs no server: malformed input, extremes of the value types, JSON inside a larger document. */
class PgValuesParsingTest {

    @Test
    void malformedArraysAreRefused() {
        for (String bad : List.of("", "{", "{1,2", "{1,}", "{,1}", "{\"a}", "{a}x", "1,2", "{a\"b}", "{\"a\\",
                "{{1}", "{1}}")) {
            assertThatThrownBy(() -> PgValues.toJava(PgTypes.TEXT_ARRAY, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void arrayElementsUnescapeAndOnlyUnquotedNullIsNull() {
        assertThat(PgValues.toJava(PgTypes.TEXT_ARRAY, "{\"a\\\\b\\\"c\",NULL,\"NULL\",null,\"\",{}}"))
                .isEqualTo(Arrays.asList("a\\b\"c", null, "NULL", null, "", List.of()));
    }

    @Test
    void numbersWrittenRawIntoJsonMustBeJsonNumbers() {
        for (String bad : List.of("1,5", "1.", ".5", "01", "--1", "1e5", "1.2.3", "", "-")) {
            assertThatThrownBy(() -> PgValues.toJson(PgTypes.NUMERIC, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (String bad : List.of("1e", "1e+", "0x10", "1E5x")) {
            assertThatThrownBy(() -> PgValues.toJson(PgTypes.FLOAT8, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(PgValues.toJson(PgTypes.FLOAT8, "-1.5e-07").doubleValue()).isEqualTo(-1.5e-7);
        assertThat(PgValues.toJson(PgTypes.NUMERIC, "0").decimalValue()).isZero();
    }

    @Test
    void byteaNeedsAsciiHexDigits() {
        assertThat((byte[]) PgValues.toJava(PgTypes.BYTEA, "\\xDEADbeef")).containsExactly(0xDE, 0xAD, 0xBE, 0xEF);
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.BYTEA, "\\x\u0663\u0663")).hasMessageContaining("hex");
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.BYTEA, "\\x0")).hasMessageContaining("hex");
    }

    @Test
    void intervalExtremesAndInfinity() {
        for (PgInterval i : List.of(new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE - 1),
                new PgInterval(Integer.MIN_VALUE, -1, Long.MIN_VALUE + 1), new PgInterval(0, 0, -1),
                new PgInterval(-1, 1, 59_999_999), PgInterval.INFINITY, PgInterval.MINUS_INFINITY)) {
            assertThat(PgInterval.parseIso(i.toIso())).as(i.toIso()).isEqualTo(i);
        }
        assertThat(PgInterval.INFINITY.toIso()).isEqualTo("infinity");
        assertThat(PgInterval.parseIso("P1W")).isEqualTo(new PgInterval(0, 7, 0));
        for (String bad : List.of("P", "PT", "P1", "P1.5Y", "PT1D", "P1H", "P99999999999Y", "PT1.1234567S", "1Y",
                "P1YT1H2")) {
            assertThatThrownBy(() -> PgInterval.parseIso(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writeJsonWritesOneValueWhereverTheGeneratorIs() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = PgJson.mapper().createGenerator(out)) {
            g.writeStartObject();
            g.writeName("doc");
            PgValues.writeJson(g, PgTypes.JSONB, "{\"a\": [1, 2]}");
            g.writeName("docs");
            PgValues.writeJson(g, PgTypes.JSONB_ARRAY, "{\"{\\\"a\\\": 1}\",NULL}");
            g.writeName("n");
            PgValues.writeJson(g, PgTypes.NUMERIC, "-0.50");
            g.writeName("null");
            PgValues.writeJson(g, PgTypes.TEXT, null);
            g.writeEndObject();
        }
        assertThat(out.toString())
                .isEqualTo("{\"doc\":{\"a\": [1, 2]},\"docs\":[{\"a\": 1},null],\"n\":-0.50,\"null\":null}");
        JsonNode back = PgJson.mapper().readTree(out.toString());
        assertThat(back.get("n").decimalValue().scale()).isEqualTo(2);
    }

    @Test
    void toSqlLiteralQuotesEveryArrayElement() {
        JsonNode texts = PgJson.mapper().readTree("[[\"NULL\", null], [\"a\\\"b\\\\\", \"\"]]");
        assertThat(PgValues.toSqlLiteral(PgTypes.TEXT_ARRAY, texts)).isEqualTo("{{\"NULL\",NULL},{\"a\\\"b\\\\\",\"\"}}");
        JsonNode docs = PgJson.mapper().readTree("[[1, 2], {\"a\": \"x\"}, null]");
        assertThat(PgValues.toSqlLiteral(PgTypes.JSONB_ARRAY, docs)).isEqualTo("{\"[1,2]\",\"{\\\"a\\\":\\\"x\\\"}\",NULL}");
        assertThat(PgValues.toSqlLiteral(PgTypes.INT4_ARRAY, PgJson.mapper().readTree("\"[0:1]={1,2}\"")))
                .isEqualTo("[0:1]={1,2}");
        assertThat(PgValues.toSqlLiteral(PgTypes.BOOL, PgJson.mapper().readTree("true"))).isEqualTo("t");
        assertThat(PgValues.toSqlLiteral(PgTypes.NUMERIC, PgJson.mapper().readTree("1E+3"))).isEqualTo("1000");
        assertThat(PgValues.toSqlLiteral(PgTypes.TEXT, null)).isNull();
    }

    @Test
    void typeNamesAndArrayElements() {
        assertThat(PgTypes.arrayElement(PgTypes.TIMESTAMPTZ_ARRAY)).isEqualTo(PgTypes.TIMESTAMPTZ);
        assertThat(PgTypes.arrayElement(PgTypes.INT4)).isZero();
        assertThat(PgTypes.name(PgTypes.JSONB_ARRAY)).isEqualTo("jsonb[]");
        assertThat(PgTypes.name(-1)).isEqualTo("oid 4294967295");
    }
}
