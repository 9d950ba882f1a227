package dev.pgcorral.replay.session;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

import dev.pgcorral.common.logical.Publications;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * What a session creates on its source, and removes again: the publication, the slot (made by the
 * caller, for its snapshot), and, where the source's user is a superuser, the event trigger that writes
 * each DDL statement into the WAL as a transactional logical message.
 */
public final class SourceSetup {

    /** Schema of the DDL trigger functions; pg_dump leaves it out of base copies. */
    public static final String SCHEMA = "pgcorral_replay";
    /** Event triggers of every session are named with this prefix; base copies leave them out. */
    public static final String TRIGGER_PREFIX = "pgcorral_replay_ddl_";
    /** The suffix of a DDL message's prefix. */
    public static final String DDL = ".ddl";
    /** The suffix of a checkpoint message's prefix. */
    public static final String CHECKPOINT = ".checkpoint";

    /** What DDL capture could be set up: whether it is on, and if not, why, in words. */
    public record DdlCapture(boolean on, String note) {
    }

    private SourceSetup() {
    }

    /** Installs DDL capture when the user may (superuser), and the publication. */
    public static DdlCapture prepare(Session session) {
        DdlCapture ddl = installDdlTrigger(session);
        if (!new Publications(session.source()).createForDatabase(session.publication(), Set.of(SCHEMA))) {
            ddl = new DdlCapture(ddl.on(), join(ddl.note(), "the publication lists the tables that existed when the session "
                    + "was created (FOR ALL TABLES needs a superuser), so tables created later are not captured"));
        }
        return ddl;
    }

    /** Drops what {@link #prepare} and the slot made; what is already gone is fine. */
    public static void remove(Session session) {
        ConnectionDetails source = session.source();
        new ReplicationSlots(source).dropEndingItsUser(session.slot());
        new Publications(source).drop(session.publication());
        if (session.ddlCapture()) {
            try (Connection c = source.connect(); Statement st = c.createStatement()) {
                st.execute("DROP EVENT TRIGGER IF EXISTS " + Identifiers.quote(TRIGGER_PREFIX + session.shortId()));
                st.execute("DROP FUNCTION IF EXISTS " + SCHEMA + "." + Identifiers.quote("ddl_" + session.shortId()) + "()");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                        + "WHERE n.nspname = '" + SCHEMA + "'")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        st.execute("DROP SCHEMA IF EXISTS " + SCHEMA);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot remove the DDL event trigger of session " + session.id() + " from "
                        + source + ": " + e.getMessage(), e);
            }
        }
    }

    private static DdlCapture installDdlTrigger(Session session) {
        try (Connection c = session.source().connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return new DdlCapture(false, "DDL is not captured: event triggers need a superuser on the source, and "
                            + session.source().user() + " is not one; INSERT, UPDATE, DELETE and TRUNCATE are");
                }
            }
            String id = session.shortId();
            String function = SCHEMA + "." + Identifiers.quote("ddl_" + id);
            String guc = "pgcorral_replay.last_" + id;
            c.setAutoCommit(false);
            st.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            // n numbers the events of one query string in a transaction: capture picks the n-th DDL statement of the string
            st.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS event_trigger LANGUAGE plpgsql AS $fn$\n"
                    + "DECLARE\n"
                    + "  h text := md5(current_query());\n"
                    + "  prev text := current_setting('" + guc + "', true);\n"
                    + "  n int := 1;\n"
                    + "BEGIN\n"
                    + "  IF split_part(prev, ':', 1) = h THEN n := split_part(prev, ':', 2)::int + 1; END IF;\n"
                    + "  PERFORM set_config('" + guc + "', h || ':' || n, true);\n"
                    + "  PERFORM pg_logical_emit_message(true, '" + session.messagePrefix() + DDL + "', json_build_object("
                    + "'sql', current_query(), 'search_path', current_setting('search_path'), 'tag', tg_tag, 'n', n)::text);\n"
                    + "END\n$fn$");
            st.execute("CREATE EVENT TRIGGER " + Identifiers.quote(TRIGGER_PREFIX + id) + " ON ddl_command_end EXECUTE FUNCTION "
                    + function + "()");
            c.commit();
            return new DdlCapture(true, null);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot install DDL capture on " + session.source() + ": " + e.getMessage(), e);
        }
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }
}
