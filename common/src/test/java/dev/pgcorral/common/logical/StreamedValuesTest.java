package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.values.PgValues;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Values as the stream delivers them: the same text the type's output function writes under the
 * settings PgValues is tested with, converted to Java, and back into PostgreSQL unchanged.
 */
class StreamedValuesTest extends OnALogicalSource {

    private static final String COLUMNS = """
            id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric, r real, d double precision, b boolean,
            t text, vc varchar(10), c char(4), by bytea, da date, ti time, tz timetz, ts timestamp, tstz timestamptz,
            iv interval, u uuid, j json, jb jsonb, ai int[], at text[], an numeric[][], m mood, am mood[], ip inet""";

    private static final List<String> ROWS = List.of(
            "(1, -32768, 9223372036854775807, 10::numeric ^ 100 + 0.000000000000000000001, 'NaN', '-Infinity', true, "
                    + "'', '😀 漢字', 'ab', '\\x00ff00'::bytea, 'infinity', '24:00:00', '23:59:59.999999-05:30', "
                    + "'0044-03-15 12:00:00 BC', '-infinity', '-1 year 2 mons -3 days 04:05:06.5', "
                    + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"b\": 1, \"a\": [1.10, null]}', '{\"b\": 1, \"a\": \"é\"}', "
                    + "'{}', '{\"NULL\",NULL,\"a,b\",\"q\\\"uote\"}', '{{1.5,NaN},{-0,3}}', 'happy', '{sad,happy}', '10.0.0.1/8')",
            "(2, NULL, NULL, 'Infinity', '-0', 'Infinity', false, NULL, NULL, NULL, ''::bytea, '0001-01-01 BC', '00:00:00', "
                    + "'00:00:00+14', '10000-01-01 00:00:00', '1900-01-01 00:00:00 Europe/Amsterdam', 'PT0S', NULL, "
                    + "'null', 'null', '{1,NULL,3}', NULL, NULL, NULL, '{}', NULL)");

    @Test
    void everyValueArrivesAsItsOutputTextAndGoesBackUnchanged() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TYPE mood AS ENUM ('sad', 'happy')", "CREATE TABLE v (" + COLUMNS + ")");
        List<Row> streamed = new ArrayList<>();
        try (ChangeStream stream = Streams.open(db, "values")) {
            for (String row : ROWS) {
                sql(db, "INSERT INTO v VALUES " + row);
                streamed.add(((Insert) Streams.nextChanges(stream).get(0)).newRow());
            }
        }
        Relation v = streamed.get(0).relation();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET IntervalStyle = iso_8601");
            st.execute("SET bytea_output = hex");
            st.execute("SET extra_float_digits = 3");
            for (Row row : streamed) {
                for (int i = 0; i < v.columns().size(); i++) {
                    Relation.Column column = v.columns().get(i);
                    String original = "(SELECT " + quote(column.name()) + " FROM v WHERE id = " + row.text(0) + ")";
                    try (ResultSet rs = st.executeQuery("SELECT format('%s', " + original + "), " + original + " IS NULL")) {
                        rs.next();
                        String label = "column " + column.name() + " of row " + row.text(0);
                        if (rs.getBoolean(2)) {
                            assertThat(row.isNull(i)).as(label).isTrue();
                            assertThat(row.toJava(i)).as(label).isNull();
                            continue;
                        }
                        assertThat(row.text(i)).as(label).isEqualTo(rs.getString(1));
                    }
                    if ("null".equals(row.text(i))) {
                        // a json value null, not SQL NULL: JSON writes both as null, so the row's null flags tell them apart
                        assertThat(row.toJava(i)).isInstanceOf(tools.jackson.databind.node.NullNode.class);
                        continue;
                    }
                    String literal = PgValues.toSqlLiteral(column.typeOid(), PgValues.toJson(column.typeOid(), row.text(i)));
                    String type = typeName(c, column);
                    String comparable = type.equals("json") ? "::jsonb" : "";
                    try (PreparedStatement back = c.prepareStatement("SELECT (?::" + type + ")" + comparable
                            + " IS NOT DISTINCT FROM " + original + comparable)) {
                        back.setString(1, literal);
                        try (ResultSet rs = back.executeQuery()) {
                            rs.next();
                            assertThat(rs.getBoolean(1)).as("column %s of row %s back from JSON as %s", column.name(), row.text(0), literal)
                                    .isTrue();
                        }
                    }
                }
            }
        }
        Row first = streamed.get(0);
        assertThat(first.toJava("i2")).isEqualTo((short) -32768);
        assertThat(first.toJava("i8")).isEqualTo(Long.MAX_VALUE);
        assertThat(((BigDecimal) first.toJava("n")).scale()).isEqualTo(21);
        assertThat((Float) first.toJava("r")).isNaN();
        assertThat(first.toJava("d")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(first.toJava("t")).isEqualTo("");
        assertThat(first.isNull(first.relation().indexOf("t"))).isFalse();
        assertThat(first.toJava("c")).isEqualTo("ab  ");
        assertThat((byte[]) first.toJava("by")).containsExactly(0, 0xff, 0);
        assertThat(first.toJava("da")).isEqualTo(LocalDate.MAX);
        assertThat(first.toJava("tstz")).isEqualTo(OffsetDateTime.MIN);
        assertThat(first.toJava("at")).isEqualTo(java.util.Arrays.asList("NULL", null, "a,b", "q\"uote"));
        assertThat(first.toJava("ai")).isEqualTo(List.of());
        assertThat(first.toJava("m")).isEqualTo("happy");
        assertThat(streamed.get(1).toJava("ai")).isEqualTo(java.util.Arrays.asList(1, null, 3));
    }

    private static String quote(String identifier) {
        return dev.pgcorral.common.pg.Identifiers.quote(identifier);
    }

    private static String typeName(Connection c, Relation.Column column) throws Exception {
        try (PreparedStatement st = c.prepareStatement("SELECT format_type(?, ?)")) {
            st.setInt(1, column.typeOid());
            st.setInt(2, column.typeModifier());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
