package dev.pgcorral.common.logical.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Values as a real PostgreSQL writes them under the replication stream's settings: their Java values, their JSON
 * forms, and the round trip JSON → {@link PgValues#toSqlLiteral} → {@code ?::type}, which must give back a value
 * not distinct from the original (and of the same text, which also catches scale, sign of zero and offsets).
 */
class PgValuesTest {

    @TempDir
    static Path base;

    static PgServer pg;

    @BeforeAll
    static void start() throws Exception {
        pg = new PgServer(base);
        pg.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy 😀')");
        pg.execute("CREATE DOMAIN positive AS int CHECK (VALUE > 0)");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void defaultZone() {
        pg.timeZone(java.util.TimeZone.getDefault().getID());
    }

    // ---- integers -------------------------------------------------------------------------------------

    @Test
    void integersAreBoxedBySizeAndExactJsonNumbers() {
        assertThat(value("int2", "-32768")).isEqualTo((short) -32768);
        assertThat(value("int2", "32767")).isEqualTo((short) 32767);
        assertThat(value("int4", "-2147483648")).isEqualTo(Integer.MIN_VALUE);
        assertThat(value("int8", "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(value("int8", "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(value("oid", "4294967295")).isEqualTo(4294967295L);
        assertThat(value("int4", "NULL")).isNull();
        assertThat(json("int8", "9223372036854775807")).isEqualTo("9223372036854775807");
        assertThat(json("int2", "-1")).isEqualTo("-1");
        assertThat(json("int4", "NULL")).isEqualTo("null");
        assertThat(PgValues.toJson(PgTypes.INT4, null)).isEqualTo(NullNode.getInstance());
    }

    // ---- numeric ----------------------------------------------------------------------------------------

    @Test
    void numericIsAnExactBigDecimalOfAnySize() {
        assertThat(value("numeric", "10::numeric ^ 1000")).isEqualTo(new BigDecimal(BigDecimal.TEN.pow(1000)
                .toString() + ".0000000000000000"));
        assertThat(value("numeric", "1e-1000")).isEqualTo(BigDecimal.ONE.scaleByPowerOfTen(-1000));
        assertThat(value("numeric", "0.000000000000000000000000000001"))
                .isEqualTo(new BigDecimal("1E-30"));
        assertThat(value("numeric", "'1.50'")).isEqualTo(new BigDecimal("1.50"));
        assertThat(value("numeric", "'-0'")).isEqualTo(new BigDecimal("0"));
        assertThat(value("numeric", "'123456789012345678901234567890.123456789012345678901234567891'"))
                .isEqualTo(new BigDecimal("123456789012345678901234567890.123456789012345678901234567891"));
        assertThat(json("numeric", "'1.50'")).isEqualTo("1.50");
        assertThat(json("numeric", "1e-1000")).isEqualTo("0." + "0".repeat(999) + "1");
        assertThat(PgValues.toJson(PgTypes.NUMERIC, "0.00100").decimalValue()).isEqualTo(new BigDecimal("0.00100"));
        for (String big : List.of("10::numeric ^ 1000", "1e-1000", "0.000000000000000000000000000001",
                "'1.50'", "'-12.000'", "0", "'-0.5'", "(2::numeric ^ 3000) * -1", "'1e-16383'")) {
            roundTrip("numeric", big);
        }
    }

    @Test
    void numericSpecialsAreDoublesAndJsonStrings() {
        assertThat(value("numeric", "'NaN'")).isEqualTo(Double.NaN);
        assertThat(value("numeric", "'Infinity'")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(value("numeric", "'-Infinity'")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(json("numeric", "'NaN'")).isEqualTo("\"NaN\"");
        assertThat(json("numeric", "'-Infinity'")).isEqualTo("\"-Infinity\"");
        roundTrip("numeric", "'NaN'");
        roundTrip("numeric", "'Infinity'");
        roundTrip("numeric", "'-Infinity'");
    }

    // ---- floats -----------------------------------------------------------------------------------------

    @Test
    void floatsKeepSpecialsNegativeZeroAndEveryBit() {
        assertThat(value("float8", "'NaN'")).isEqualTo(Double.NaN);
        assertThat(value("float8", "'-Infinity'")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) value("float8", "'-0'")).isEqualTo(-0.0d).matches(d -> 1 / d < 0);
        assertThat((Float) value("float4", "'-0'")).matches(f -> 1 / f < 0);
        assertThat(value("float4", "'Infinity'")).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(value("float4", "0.1")).isEqualTo(0.1f);
        assertThat(value("float8", "0.1::float8 + 0.2::float8")).isEqualTo(0.1 + 0.2);
        assertThat(value("float8", "'5e-324'")).isEqualTo(Double.MIN_VALUE);
        assertThat(value("float4", "'1e-45'")).isEqualTo(Float.MIN_VALUE);
        assertThat(json("float8", "'NaN'")).isEqualTo("\"NaN\"");
        assertThat(json("float4", "'-Infinity'")).isEqualTo("\"-Infinity\"");
        assertThat(json("float8", "'-0'")).isEqualTo("\"-0\"");
        assertThat(json("float8", "'1e100'")).isEqualTo("1e+100");
        assertThat(PgValues.toJson(PgTypes.FLOAT8, "1e+100").isDouble()).isTrue();
        assertThat(PgValues.toJson(PgTypes.FLOAT4, "0.1").isFloat()).isTrue();
        for (String type : List.of("float4", "float8")) {
            for (String v : List.of("'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "0", "0.1", "'1e-45'",
                    "'3.4028235e38'", "'-1.17549435e-38'", "123456.7", "'1e-7'")) {
                roundTrip(type, v);
            }
        }
        for (String v : List.of("0.1::float8 + 0.2::float8", "'5e-324'", "'1.7976931348623157e308'", "'1e100'",
                "pi()", "-2.5e-300")) {
            roundTrip("float8", v);
        }
    }

    // ---- bool, strings, bytea, uuid -----------------------------------------------------------------------

    @Test
    void boolsAreBooleans() {
        assertThat(value("bool", "true")).isEqualTo(Boolean.TRUE);
        assertThat(value("bool", "false")).isEqualTo(Boolean.FALSE);
        assertThat(json("bool", "true")).isEqualTo("true");
        roundTrip("bool", "true");
        roundTrip("bool", "false");
        roundTrip("bool", "NULL");
    }

    @Test
    void stringsStayAsTheyAreEmptyIsNotNull() {
        String tricky = "'😀 e\u0301 漢字 \"q\" \\ back, {brace} ''apos'' NULL\ttab\nline'";
        assertThat(value("text", "''")).isEqualTo("");
        assertThat(value("text", "NULL")).isNull();
        assertThat(json("text", "''")).isEqualTo("\"\"");
        assertThat(value("text", tricky)).isEqualTo("😀 e\u0301 漢字 \"q\" \\ back, {brace} 'apos' NULL\ttab\nline");
        assertThat(value("bpchar(6)", "'ab'")).isEqualTo("ab    ");
        assertThat(value("varchar(10)", "'漢字😀'")).isEqualTo("漢字😀");
        assertThat(value("name", "'pg_class'")).isEqualTo("pg_class");
        assertThat(value("\"char\"", "'x'")).isEqualTo("x");
        for (String type : List.of("text", "varchar", "bpchar", "name")) {
            roundTrip(type, tricky);
            roundTrip(type, "''");
            roundTrip(type, "NULL");
        }
        roundTrip("bpchar(6)", "'ab'");
        roundTrip("\"char\"", "'x'");
        roundTrip("\"char\"", "''");
        roundTrip("\"char\"", "'\\351'::\"char\"");
    }

    @Test
    void byteaIsBytesAndHexInputTextInJson() {
        assertThat((byte[]) value("bytea", "'\\x00ff0000'::bytea")).containsExactly(0, -1, 0, 0);
        assertThat((byte[]) value("bytea", "''::bytea")).isEmpty();
        assertThat((byte[]) value("bytea", "convert_to('😀', 'UTF8')"))
                .isEqualTo("😀".getBytes(StandardCharsets.UTF_8));
        assertThat(json("bytea", "'\\x00ff'::bytea")).isEqualTo("\"\\\\x00ff\"");
        assertThat(json("bytea", "''::bytea")).isEqualTo("\"\\\\x\"");
        roundTrip("bytea", "'\\x00ff0000'::bytea");
        roundTrip("bytea", "''::bytea");
        roundTrip("bytea", "NULL");
    }

    @Test
    void uuidIsAUuid() {
        String u = "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'";
        assertThat(value("uuid", u)).isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThat(json("uuid", u)).isEqualTo("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
        roundTrip("uuid", u);
        roundTrip("uuid", "'00000000-0000-0000-0000-000000000000'");
    }

    // ---- dates and times --------------------------------------------------------------------------------

    @Test
    void datesCoverInfinityBcAndFiveDigitYears() {
        assertThat(value("date", "'infinity'")).isEqualTo(LocalDate.MAX);
        assertThat(value("date", "'-infinity'")).isEqualTo(LocalDate.MIN);
        assertThat(value("date", "'0001-01-01 BC'")).isEqualTo(LocalDate.of(0, 1, 1));
        assertThat(value("date", "'0044-03-15 BC'")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(value("date", "'4713-01-01 BC'")).isEqualTo(LocalDate.of(-4712, 1, 1));
        assertThat(value("date", "'10000-01-01'")).isEqualTo(LocalDate.of(10000, 1, 1));
        assertThat(value("date", "'5874897-12-31'")).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(value("date", "'2024-02-29'")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(json("date", "'0044-03-15 BC'")).isEqualTo("\"0044-03-15 BC\"");
        for (String v : List.of("'infinity'", "'-infinity'", "'0001-01-01 BC'", "'0044-03-15 BC'", "'10000-01-01'",
                "'5874897-12-31'", "'2024-02-29'", "'4713-01-01 BC'")) {
            roundTrip("date", v);
        }
    }

    @Test
    void timesKeep24HoursAsLocalTimeMaxAndOddOffsets() {
        assertThat(value("time", "'24:00:00'")).isEqualTo(LocalTime.MAX);
        assertThat(value("time", "'00:00:00'")).isEqualTo(LocalTime.MIDNIGHT);
        assertThat(value("time", "'12:34:56.789012'")).isEqualTo(LocalTime.of(12, 34, 56, 789_012_000));
        assertThat(value("time", "'12:34:56.5'")).isEqualTo(LocalTime.of(12, 34, 56, 500_000_000));
        assertThat(value("timetz", "'12:00:00+05:45'"))
                .isEqualTo(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 45)));
        assertThat(value("timetz", "'23:59:59.999999-03'"))
                .isEqualTo(OffsetTime.of(23, 59, 59, 999_999_000, ZoneOffset.ofHours(-3)));
        assertThat(value("timetz", "'12:00:00-00:19:32'"))
                .isEqualTo(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofTotalSeconds(-(19 * 60 + 32))));
        assertThat(value("timetz", "'24:00:00+14'")).isEqualTo(OffsetTime.of(LocalTime.MAX, ZoneOffset.ofHours(14)));
        assertThat(json("time", "'24:00:00'")).isEqualTo("\"24:00:00\"");
        assertThat(json("timetz", "'12:00:00+05:45'")).isEqualTo("\"12:00:00+05:45\"");
        for (String v : List.of("'24:00:00'", "'00:00:00'", "'12:34:56.789012'", "'23:59:59.999999'")) {
            roundTrip("time", v);
        }
        for (String v : List.of("'12:00:00+05:45'", "'23:59:59.999999-03'", "'12:00:00-00:19:32'", "'24:00:00+14'",
                "'00:00:00-15:59'", "'10:00:00+03:30'")) {
            roundTrip("timetz", v);
        }
    }

    @Test
    void timestampsCoverInfinityBcAndFiveDigitYears() {
        assertThat(value("timestamp", "'infinity'")).isEqualTo(LocalDateTime.MAX);
        assertThat(value("timestamp", "'-infinity'")).isEqualTo(LocalDateTime.MIN);
        assertThat(value("timestamp", "'0044-03-15 12:30:00.25 BC'"))
                .isEqualTo(LocalDateTime.of(-43, 3, 15, 12, 30, 0, 250_000_000));
        assertThat(value("timestamp", "'10000-01-01 00:00:00.000001'"))
                .isEqualTo(LocalDateTime.of(10000, 1, 1, 0, 0, 0, 1000));
        assertThat(value("timestamp", "'294276-12-31 23:59:59.999999'"))
                .isEqualTo(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000));
        assertThat(json("timestamp", "'0044-03-15 12:30:00 BC'")).isEqualTo("\"0044-03-15 12:30:00 BC\"");
        for (String v : List.of("'infinity'", "'-infinity'", "'0044-03-15 12:30:00.25 BC'",
                "'10000-01-01 00:00:00.000001'", "'294276-12-31 23:59:59.999999'", "'4713-01-01 00:00:00 BC'",
                "'2024-01-31 12:00:00'")) {
            roundTrip("timestamp", v);
        }
    }

    @Test
    void timestamptzIsTheInstantAtUtcWhateverTheSessionZone() {
        pg.timeZone("Asia/Kathmandu");
        assertThat(pg.text("'2024-01-31 17:45:00.5+05:45'::timestamptz")).endsWith("+05:45");
        assertThat(value("timestamptz", "'2024-01-31 17:45:00.5+05:45'"))
                .isEqualTo(OffsetDateTime.of(2024, 1, 31, 12, 0, 0, 500_000_000, ZoneOffset.UTC));
        assertThat(json("timestamptz", "'2024-01-31 17:45:00.5+05:45'")).isEqualTo("\"2024-01-31 12:00:00.5+00\"");

        pg.timeZone("America/St_Johns");
        assertThat(pg.text("'2024-01-31 12:00:00+00'::timestamptz")).endsWith("-03:30");
        assertThat(value("timestamptz", "'2024-01-31 12:00:00+00'"))
                .isEqualTo(OffsetDateTime.of(2024, 1, 31, 12, 0, 0, 0, ZoneOffset.UTC));
        assertThat(json("timestamptz", "'2024-01-01 01:00:00+00'")).isEqualTo("\"2024-01-01 01:00:00+00\"");

        pg.timeZone("Europe/Amsterdam");
        assertThat(pg.text("'1900-06-01 12:00:00'::timestamptz")).isEqualTo("1900-06-01 12:00:00+00:19:32");
        assertThat(value("timestamptz", "'1900-06-01 12:00:00'"))
                .isEqualTo(OffsetDateTime.of(1900, 6, 1, 11, 40, 28, 0, ZoneOffset.UTC));
        assertThat(json("timestamptz", "'1900-06-01 12:00:00'")).isEqualTo("\"1900-06-01 11:40:28+00\"");
        // the offset crosses midnight into the previous day, and the year into BC
        assertThat(json("timestamptz", "'0001-01-01 00:10:00 AD'")).isEqualTo("\"0001-12-31 23:50:28+00 BC\"");
        assertThat(value("timestamptz", "'0001-01-01 00:10:00 AD'"))
                .isEqualTo(OffsetDateTime.of(0, 12, 31, 23, 50, 28, 0, ZoneOffset.UTC));

        assertThat(value("timestamptz", "'infinity'")).isEqualTo(OffsetDateTime.MAX);
        assertThat(value("timestamptz", "'-infinity'")).isEqualTo(OffsetDateTime.MIN);
        assertThat(json("timestamptz", "'-infinity'")).isEqualTo("\"-infinity\"");

        List<String> values = List.of("'2024-01-31 17:45:00.5+05:45'", "'1900-06-01 12:00:00'",
                "'0044-03-15 12:00:00 BC'", "'0001-01-01 00:10:00 AD'", "'10000-01-01 00:00:00.000001+00'",
                "'294276-12-31 23:59:59.999999+00'", "'4713-01-01 12:00:00+00 BC'", "'infinity'", "'-infinity'",
                "'2024-03-31 02:30:00+00'", "'2024-05-05 05:05:05.123456+00'");
        for (String zone : List.of("Asia/Kathmandu", "America/St_Johns", "Europe/Amsterdam", "UTC",
                "Pacific/Kiritimati")) {
            pg.timeZone(zone);
            for (String v : values) {
                roundTrip("timestamptz", v);
                // the same instant gives the same JSON in every session zone
                String inZone = pg.text(v + "::timestamptz");
                pg.timeZone("UTC");
                String inUtc = pg.text("'" + inZone + "'::timestamptz");
                pg.timeZone(zone);
                assertThat(PgServer.streamed(PgTypes.TIMESTAMPTZ, inZone)).as(zone + " " + inZone)
                        .isEqualTo("\"" + inUtc + "\"");
            }
        }
    }

    @Test
    void intervalsKeepTheirThreeSignedParts() {
        assertThat(value("interval", "'-1 year -2 months 3 days -4 hours -5 minutes -6.5 seconds'"))
                .isEqualTo(new PgInterval(-14, 3, -(4 * 3600 + 5 * 60) * 1_000_000L - 6_500_000L));
        assertThat(value("interval", "'-0.5 seconds'")).isEqualTo(new PgInterval(0, 0, -500_000));
        assertThat(value("interval", "'0'")).isEqualTo(new PgInterval(0, 0, 0));
        assertThat(value("interval", "'1 mon -1 day'")).isEqualTo(new PgInterval(1, -1, 0));
        assertThat(value("interval", "'-178956970 years -8 months'")).isEqualTo(new PgInterval(Integer.MIN_VALUE, 0, 0));
        assertThat(value("interval", "'2562047788 hours 54.775807 seconds'"))
                .isEqualTo(new PgInterval(0, 0, Long.MAX_VALUE));
        assertThat(value("interval", "'0.000001 seconds'")).isEqualTo(new PgInterval(0, 0, 1));
        for (String v : List.of("'-1 year -2 months 3 days -4 hours -5 minutes -6.5 seconds'", "'-0.5 seconds'",
                "'0'", "'1 mon -1 day'", "'-178956970 years -8 months'", "'2562047788 hours 54.775807 seconds'",
                "'0.000001 seconds'", "'1 day 24 hours'", "'-1 minute 30 seconds'", "'30 days'", "'1 month'",
                "'1.5 years'", "'12:00:00.120000'")) {
            String text = pg.text(v + "::interval");
            assertThat(((PgInterval) PgValues.toJava(PgTypes.INTERVAL, text)).toIso()).isEqualTo(text);
            roundTrip("interval", v);
        }
        assertThat(json("interval", "'-0.5 seconds'")).isEqualTo("\"PT-0.5S\"");
    }

    // ---- json and jsonb -----------------------------------------------------------------------------------

    @Test
    void jsonIsEmbeddedAsAValueNotAString() {
        String doc = "'{\"b\": 1, \"a\": [1, 2.50, \"😀 漢字\", null, true], \"n\": 0.1000000000000000000001,"
                + " \"big\": 1e400, \"s\": \"x\\\"y\\\\z\\u0000\"}'";
        JsonNode jsonb = (JsonNode) value("jsonb", doc.replace("\\u0000", ""));
        JsonNode json = (JsonNode) value("json", doc);
        assertThat(jsonb.properties()).extracting(e -> e.getKey()).containsExactly("a", "b", "n", "s", "big");
        assertThat(json.properties()).extracting(e -> e.getKey()).containsExactly("b", "a", "n", "big", "s");
        assertThat(json.get("n").decimalValue()).isEqualTo(new BigDecimal("0.1000000000000000000001"));
        assertThat(json.get("a").get(1).decimalValue()).isEqualTo(new BigDecimal("2.50"));
        assertThat(json.get("a").get(2).stringValue()).isEqualTo("😀 漢字");
        assertThat(json.get("s").stringValue()).isEqualTo("x\"y\\z\u0000");
        assertThat(PgValues.toJson(PgTypes.JSON, pg.text(doc + "::json"))).isEqualTo(json);
        // the streaming form copies PostgreSQL's text: json keeps its whitespace and order there
        assertThat(json("json", doc)).isEqualTo(pg.text(doc + "::json"));
        assertThat(json("jsonb", "'\"text\"'")).isEqualTo("\"text\"");
        assertThat(PgValues.toJson(PgTypes.JSONB, "\"text\"").isString()).isTrue();
        roundTrip("json", doc.replace("\\u0000", ""));
        // jsonb cannot hold \u0000, so that json is compared as text here
        assertThat(PgValues.toSqlLiteral(PgTypes.JSON, json)).contains("\"s\":\"x\\\"y\\\\z\\u0000\"");
        String literal = PgValues.toSqlLiteral(PgTypes.JSON, json);
        assertThat(pg.string("SELECT ?::json::text", literal)).isEqualTo(literal);
        roundTrip("jsonb", doc.replace("\\u0000", ""));
        for (String v : List.of("'\"text\"'", "'1e400'", "'-0.0'", "'[]'", "'{}'", "'[[[\"deep\"]]]'", "'true'",
                "'{\"dup\": 1, \"dup\": 2}'", "'12345678901234567890123456789012345678901234567890'")) {
            roundTrip("json", v);
            roundTrip("jsonb", v);
        }
    }

    @Test
    void aJsonNullIsNotSqlNullInJavaButTheJsonFormCannotTellThemApart() {
        assertThat(value("jsonb", "'null'")).isEqualTo(NullNode.getInstance());
        assertThat(value("jsonb", "NULL")).isNull();
        assertThat(PgValues.toJson(PgTypes.JSONB, "null")).isEqualTo(PgValues.toJson(PgTypes.JSONB, null));
        assertThat(PgValues.toSqlLiteral(PgTypes.JSONB, NullNode.getInstance())).isNull();
    }

    // ---- arrays -------------------------------------------------------------------------------------------

    @Test
    void arraysBecomeNestedListsAndJsonArrays() {
        assertThat(value("int4[]", "'{}'")).isEqualTo(List.of());
        assertThat(value("int4[]", "'{{1,2},{3,NULL}}'"))
                .isEqualTo(List.of(List.of(1, 2), Arrays.asList(3, null)));
        assertThat(value("int8[]", "'{{{1}},{{2}}}'")).isEqualTo(List.of(List.of(List.of(1L)), List.of(List.of(2L))));
        String texts = "ARRAY['NULL', NULL, '', 'a,b', '{x}', ' spaced ', 'q\"uote', 'back\\slash', '😀 e\u0301 漢字',"
                + " 'null']";
        assertThat(value("text[]", texts)).isEqualTo(Arrays.asList("NULL", null, "", "a,b", "{x}", " spaced ",
                "q\"uote", "back\\slash", "😀 e\u0301 漢字", "null"));
        assertThat(json("text[]", "ARRAY['NULL', NULL, 'q\"uote']")).isEqualTo("[\"NULL\",null,\"q\\\"uote\"]");
        assertThat(json("int4[]", "'{{1,2},{3,4}}'")).isEqualTo("[[1,2],[3,4]]");
        assertThat(json("int4[]", "'{}'")).isEqualTo("[]");
        assertThat(value("bpchar(3)[]", "'{a,NULL}'")).isEqualTo(Arrays.asList("a  ", null));
        assertThat((List<?>) value("bytea[]", "ARRAY['\\x00'::bytea, ''::bytea]"))
                .satisfiesExactly(b -> assertThat((byte[]) b).containsExactly(0), b -> assertThat((byte[]) b).isEmpty());
        assertThat(value("numeric[]", "'{NaN,1.50,-Infinity}'"))
                .isEqualTo(List.of(Double.NaN, new BigDecimal("1.50"), Double.NEGATIVE_INFINITY));
        assertThat(json("numeric[]", "'{NaN,1.50,-Infinity}'")).isEqualTo("[\"NaN\",1.50,\"-Infinity\"]");
        assertThat(value("date[]", "'{infinity,\"0044-03-15 BC\"}'"))
                .isEqualTo(List.of(LocalDate.MAX, LocalDate.of(-43, 3, 15)));
        assertThat(value("bool[]", "'{t,f,NULL}'")).isEqualTo(Arrays.asList(true, false, null));

        for (String[] v : new String[][] {
                {"int4[]", "'{}'"}, {"int4[]", "'{{1,2},{3,NULL}}'"}, {"int2[]", "'{-32768,32767}'"},
                {"int8[]", "'{{{1}},{{2}}}'"}, {"text[]", texts}, {"varchar[]", texts}, {"bpchar(3)[]", "'{a,NULL}'"},
                {"name[]", "'{pg_class,\"With Space\"}'"}, {"\"char\"[]", "'{a,\"\\\\\",\"\\\"\"}'"},
                {"bytea[]", "ARRAY['\\x00'::bytea, ''::bytea, NULL]"}, {"numeric[]", "'{NaN,1.50,-Infinity,1e-300}'"},
                {"float4[]", "'{-0,NaN,0.1,Infinity}'"}, {"float8[]", "'{-0,NaN,1e+300,-Infinity}'"},
                {"oid[]", "'{0,4294967295}'"}, {"bool[]", "'{t,f,NULL}'"}, {"text[]", "'{{a,b},{\"NULL\",NULL}}'"},
                {"date[]", "'{infinity,-infinity,\"0044-03-15 BC\",10000-01-01}'"},
                {"time[]", "'{24:00:00,12:00:00.5}'"}, {"timetz[]", "'{12:00:00+05:45,24:00:00-00:19:32}'"},
                {"timestamp[]", "'{infinity,\"0044-03-15 12:00:00 BC\",\"10000-01-01 00:00:00\"}'"},
                {"timestamptz[]", "'{infinity,\"1900-06-01 12:00:00+00:19:32\",\"2024-01-01 00:00:00.5-03:30\"}'"},
                {"interval[]", "'{P1Y-2DT-0.5S,PT0S}'"}, {"uuid[]", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'"},
                {"int4[]", "'[0:1]={1,2}'"}, {"text[]", "'[-1:-1][2:3]={{a,b}}'"}, {"text[]", "'{\"\"}'"},
                {"text[]", "ARRAY[]::text[]"}}) {
            roundTrip(v[0], v[1]);
        }
    }

    @Test
    void arraysWithExplicitBoundsStayText() {
        assertThat(value("int4[]", "'[0:1]={1,2}'")).isEqualTo("[0:1]={1,2}");
        assertThat(json("int4[]", "'[0:1]={1,2}'")).isEqualTo("\"[0:1]={1,2}\"");
    }

    @Test
    void jsonArraysEmbedTheirElementsUnlessANestedArrayWouldBeAmbiguous() {
        String objects = "ARRAY['{\"b\": 1, \"a\": \"😀\"}', 'null', NULL, '\"NULL\"', '1.50']::jsonb[]";
        List<?> list = (List<?>) value("jsonb[]", objects);
        assertThat(list).hasSize(5);
        assertThat(list.get(1)).isEqualTo(NullNode.getInstance());
        assertThat(list.get(2)).isNull();
        assertThat(((JsonNode) list.get(3)).stringValue()).isEqualTo("NULL");
        assertThat(json("jsonb[]", "ARRAY['{\"a\": 1}', NULL, '\"NULL\"']::jsonb[]"))
                .isEqualTo("[{\"a\": 1},null,\"NULL\"]");
        assertThat(value("json[]", "ARRAY['[1, 2]', '3']::json[]"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).hasSize(2);
        // a nested JSON array could be a dimension or an element: such arrays stay PostgreSQL text
        assertThat(PgValues.toJson(PgTypes.JSONB_ARRAY, pg.text("ARRAY['[1, 2]', '3']::jsonb[]")).isString()).isTrue();
        assertThat(PgValues.toJson(PgTypes.JSONB_ARRAY, pg.text("'{{1,2},{3,4}}'::jsonb[]")).isString()).isTrue();
        for (String type : List.of("json[]", "jsonb[]")) {
            roundTrip(type, "ARRAY['{\"b\": 1, \"a\": \"😀\"}', NULL, '\"NULL\"', '1.50', '{}']::" + type);
            roundTrip(type, "ARRAY['[1, 2]', '3']::" + type);
            roundTrip(type, "'{{1,2},{3,4}}'::" + type);
            roundTrip(type, "'{}'::" + type);
        }
    }

    // ---- other types --------------------------------------------------------------------------------------

    @Test
    void otherTypesAreTheirText() {
        assertThat(value("mood", "'happy 😀'")).isEqualTo("happy 😀");
        assertThat(value("mood[]", "'{sad,\"happy 😀\",NULL}'")).isEqualTo("{sad,\"happy 😀\",NULL}");
        assertThat(json("mood[]", "'{sad,ok}'")).isEqualTo("\"{sad,ok}\"");
        assertThat(value("inet", "'192.168.0.1/24'")).isEqualTo("192.168.0.1/24");
        assertThat(value("point", "'(1.5,-2)'")).isEqualTo("(1.5,-2)");
        assertThat(value("positive", "7")).isEqualTo("7");
        assertThat(value("money", "12.5")).isEqualTo(pg.text("12.5::money"));
        for (String[] v : new String[][] {{"mood", "'happy 😀'"}, {"mood[]", "'{sad,\"happy 😀\",NULL}'"},
                {"inet", "'192.168.0.1/24'"}, {"point", "'(1.5,-2)'"}, {"positive", "7"}, {"money", "12.5"},
                {"int4range", "'[1,5)'"}, {"xml", "'<a>x</a>'"}, {"box[]", "'{(1,1),(0,0);(2,2),(1,1)}'"},
                {"tsvector", "'a fat cat'"}, {"bit varying", "B'1011'"}, {"inet[]", "'{::1,10.0.0.0/8}'"}}) {
            roundTrip(v[0], v[1]);
        }
    }

    @Test
    void malformedTextIsRefusedWithTheValue() {
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.INT4_ARRAY, "{1,2")).hasMessageContaining("{1,2");
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.BOOL, "yes")).hasMessageContaining("yes");
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.BYTEA, "\\000")).hasMessageContaining("hex");
        assertThatThrownBy(() -> PgValues.toJava(PgTypes.DATE, "31.01.2024")).hasMessageContaining("31.01.2024");
        assertThatThrownBy(() -> PgValues.toJson(PgTypes.NUMERIC, "1,5")).hasMessageContaining("1,5");
        assertThatThrownBy(() -> PgValues.toSqlLiteral(PgTypes.INT4, PgJson.mapper().readTree("{\"a\":1}")))
                .hasMessageContaining("int4");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The Java value of {@code expression::type} as PostgreSQL writes it. */
    private static Object value(String type, String expression) {
        return PgValues.toJava(pg.oid(type), pg.text("(" + expression + ")::" + type));
    }

    /** The streaming JSON form of {@code expression::type}, checked to match the tree form. */
    private static String json(String type, String expression) {
        int oid = pg.oid(type);
        String text = pg.text("(" + expression + ")::" + type);
        return PgServer.streamed(oid, text);
    }

    /**
     * JSON form → toSqlLiteral → {@code ?::type} must be not distinct from the original, by value where the type
     * has equality and by text always (json by its jsonb value: json keeps insignificant whitespace). Both the
     * tree form and the streamed form, read back with {@link PgJson#mapper()}, are checked.
     */
    private static void roundTrip(String type, String expression) {
        int oid = pg.oid(type);
        String original = "(" + expression + ")::" + type;
        String text = pg.text(original);
        JsonNode tree = PgValues.toJson(oid, text);
        JsonNode streamed = PgJson.mapper().readTree(PgServer.streamed(oid, text));
        JsonNode treeReread = PgJson.mapper().readTree(PgJson.mapper().writeValueAsString(tree));
        boolean json = type.startsWith("json");
        String compared = json ? type.replace("json", "jsonb").replace("jsonbb", "jsonb") : type;
        boolean hasEquality = !List.of("point", "xml", "box[]").contains(type) && !json;
        for (JsonNode form : List.of(tree, streamed, treeReread)) {
            String literal = PgValues.toSqlLiteral(oid, form);
            String because = type + " " + expression + " (text " + text + ", JSON " + form + ", literal " + literal + ")";
            if (hasEquality) {
                assertThat(pg.bool("SELECT (?::" + type + ") IS NOT DISTINCT FROM " + original, literal))
                        .as(because).isTrue();
            }
            assertThat(pg.bool("SELECT " + PgServer.output("(?::" + type + ")::" + compared)
                    + " IS NOT DISTINCT FROM " + PgServer.output(original + "::" + compared), literal, literal))
                    .as(because).isTrue();
        }
    }
}
