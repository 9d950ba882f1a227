package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.logical.ExportedSnapshot;
import dev.pgcorral.common.logical.Publications;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.UserSchemas;

/**
 * What a followed migration keeps on its source: the publication (the tables whose changes it follows)
 * and the slot (where the source keeps WAL for it). {@link #begin} names the published tables that have no
 * replica identity: PostgreSQL refuses UPDATE and DELETE on them on the source while they are published
 * (INSERT-only tables such as {@code pgbench_history} are fine), which the migration reports so the user can
 * give them a key or {@code REPLICA IDENTITY FULL}. {@link #remove} drops the slot and the publication this migration
 * created (a publication that existed before is left), so the source keeps no WAL for a migration that
 * is gone.
 */
public final class SourceReplication {

    /**
     * Tables (of a publication, or every one when it is NULL) that have no replica identity (NOTHING, or DEFAULT without a
     * primary key), or one the stream cannot carry: a key with a generated column, which logical replication does not send
     * (PostgreSQL 12 and later; {@code %s} takes that condition).
     */
    private static final String WITHOUT_IDENTITY = """
            SELECT format('%%I.%%I', n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND\s""" + UserSchemas.CONDITION.replace("%", "%%") + """
              AND (CAST(? AS text) IS NULL
                   OR EXISTS (SELECT 1 FROM pg_publication_tables p WHERE p.pubname = ? AND p.schemaname = n.nspname AND p.tablename = c.relname))
              AND (c.relreplident = 'n'
                   OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary%1$s))
                   OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident%1$s)))
            ORDER BY 1""";
    private static final String NO_GENERATED_KEY = " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            + " AND a.attnum = ANY (i.indkey) AND a.attgenerated <> '')";

    /**
     * The prefix of the logical message that carries a DDL statement; a migration's own trigger adds {@code /<slot>}, so
     * that two migrations from one database each read their own (a trigger of an earlier version wrote it bare).
     */
    public static final String DDL_PREFIX = "pgcorral.migration.ddl";
    /** The prefix of one that carries a statement the follow goes on past, saying the destination needs it too; as above. */
    public static final String NOTE_PREFIX = "pgcorral.migration.ddl-note";
    /**
     * The DDL that changes what rows look like, which the follow must not run past: tables, their columns, the
     * types and domains they use, schemas renamed or dropped. Not indexes, grants, comments, publications; and not
     * temporary objects, which no other session sees. Captured once done ({@code ddl_command_end}), but drops.
     */
    static final List<String> DDL_TAGS = List.of("CREATE TABLE", "CREATE TABLE AS", "SELECT INTO", "ALTER TABLE",
            "CREATE TYPE", "ALTER TYPE", "CREATE DOMAIN", "ALTER DOMAIN", "ALTER SCHEMA", "CREATE EXTENSION", "ALTER EXTENSION");
    /** The drops among them, captured when the objects go ({@code sql_drop}), which tells whether they were temporary. */
    static final List<String> DROP_TAGS = List.of("DROP TABLE", "DROP TYPE", "DROP DOMAIN", "DROP SCHEMA", "DROP EXTENSION");
    /**
     * What rows do not depend on but an application may: the follow goes on past it, and its log says the destination
     * needs it too ({@link #NOTE_PREFIX}).
     */
    static final List<String> NOTE_TAGS = List.of("CREATE SCHEMA", "CREATE VIEW", "ALTER VIEW", "CREATE MATERIALIZED VIEW", "ALTER MATERIALIZED VIEW",
            "CREATE FUNCTION", "ALTER FUNCTION", "CREATE PROCEDURE", "ALTER PROCEDURE", "CREATE TRIGGER", "ALTER TRIGGER",
            "CREATE SEQUENCE", "ALTER SEQUENCE", "CREATE INDEX", "ALTER INDEX");
    /** The drops among those. */
    static final List<String> NOTE_DROP_TAGS = List.of("DROP VIEW", "DROP MATERIALIZED VIEW", "DROP FUNCTION", "DROP PROCEDURE",
            "DROP TRIGGER", "DROP SEQUENCE", "DROP INDEX");
    /**
     * The capture's body: a DDL statement goes into the WAL unless everything it made, changed or dropped is temporary,
     * belongs to a temporary table (a trigger or a view's rule, "… on pg_temp.t"), or is the capture's own ({@link #SCHEMA}
     * and what it holds: another migration of the same source installing or removing its trigger); a statement nothing is
     * reported for is captured all the same.
     */
    private static final String CAPTURE = """
            BEGIN
              IF tg_event = 'sql_drop' THEN
                IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects())
                   AND NOT EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects()
                                   WHERE NOT is_temporary AND coalesce(object_identity, '') NOT LIKE '%% on pg\\_temp.%%'
                                     AND coalesce(schema_name, '') <> '%1$s' AND NOT (object_type = 'schema' AND object_identity = '%1$s')) THEN
                  RETURN;
                END IF;
              ELSIF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands())
                    AND NOT EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
                                    WHERE (schema_name IS NULL OR (schema_name <> 'pg_temp' AND schema_name NOT LIKE 'pg\\_temp\\_%%'))
                                      AND coalesce(object_identity, '') NOT LIKE '%% on pg\\_temp.%%'
                                      AND coalesce(schema_name, '') <> '%1$s' AND NOT (object_type = 'schema' AND object_identity = '%1$s')) THEN
                RETURN;
              END IF;
              PERFORM pg_logical_emit_message(true, CASE WHEN tg_tag IN (%2$s) THEN '%3$s' ELSE '%4$s' END, current_query());
            END""";
    /** Where the DDL capture lives on the source (its functions; the event triggers run them). */
    public static final String SCHEMA = "pgcorral_migration";
    private static final Logger log = LoggerFactory.getLogger(SourceReplication.class);
    /** Taken in a transaction that installs or removes a DDL trigger, so two migrations' never cross in {@link #SCHEMA}. */
    private static final String LOCK_SCHEMA = "SELECT pg_advisory_xact_lock(hashtext('" + SCHEMA + "'))";

    private final ConnectionDetails source;
    private final String slot;
    private final String publication;

    public SourceReplication(ConnectionDetails source, String slot, String publication) {
        this.source = source;
        this.slot = slot;
        this.publication = publication;
    }

    /**
     * What {@link #begin} made: the slot's snapshot (none for a fallback's slot) and where its stream begins, whether the publication is ours to drop, the published
     * tables without a replica identity (quoted names), and whether DDL statements are captured (a superuser
     * may install the event trigger that writes each into the WAL; without it a schema change shows as a
     * table or column the destination lacks).
     */
    public record Begun(ExportedSnapshot snapshot, dev.pgcorral.common.pg.Lsn consistentPoint, boolean publicationCreated,
                        List<String> withoutIdentity, boolean ddlCaptured) {
    }

    /**
     * Creates the publication (unless one of that name exists that is not ours) and then the slot with its exported
     * snapshot.
     *
     * @param leftoverIsOurs an earlier run of this migration made a slot of this name: drop it first (else such a slot is an error)
     * @param publicationIsOurs an earlier run of this migration made the publication: it is made again (its tables as they are now)
     * @throws IllegalStateException when a slot of that name is in the way
     */
    public Begun begin(boolean leftoverIsOurs, boolean publicationIsOurs) throws SQLException {
        ReplicationSlots slots = new ReplicationSlots(source);
        if (leftoverIsOurs) {
            slots.dropEndingItsUser(slot);
        } else if (slots.find(slot).isPresent()) {
            throw new IllegalStateException("a replication slot named " + slot + " already exists on the source and this migration did "
                    + "not make it: create the migration with another slot_name, or drop that slot (pg_drop_replication_slot) if "
                    + "nothing uses it");
        }
        Publications publications = new Publications(source);
        if (publicationIsOurs) {
            publications.drop(publication);
        }
        boolean existing = publications.exists(publication);
        if (!existing) {
            publications.createForDatabase(publication, Set.of());
        }
        ExportedSnapshot snapshot = null;
        try {
            List<String> withoutIdentity = tablesWithoutIdentity();
            snapshot = slots.createWithSnapshot(slot);
            // after the snapshot: the clone (pg_dump through it) does not see the trigger, so the destination does not get it
            boolean ddl = installDdlTrigger();
            return new Begun(snapshot, snapshot.consistentPoint(), !existing, withoutIdentity, ddl);
        } catch (SQLException | RuntimeException e) {
            if (snapshot != null) { // the slot is made, but nobody records it: dropped here, else it would keep the source's WAL
                snapshot.close();
                dropQuietly(slots);
            }
            if (!existing) {
                publications.drop(publication);
            }
            throw e;
        }
    }

    private void dropQuietly(ReplicationSlots slots) {
        try {
            slots.dropEndingItsUser(slot);
        } catch (RuntimeException e) {
            log.warn("cannot drop the replication slot {} on the source that a failed start made: {}", slot, e.getMessage());
        }
    }

    /**
     * For a fallback: the publication and a slot without a snapshot (the destination already holds the data), and
     * the DDL trigger where allowed. Returns where the slot's stream begins.
     */
    public Begun beginWithoutSnapshot() throws SQLException {
        Publications publications = new Publications(source);
        boolean existing = publications.exists(publication);
        if (!existing) {
            publications.createForDatabase(publication, Set.of());
        }
        ReplicationSlots slots = new ReplicationSlots(source);
        boolean made = false;
        try {
            List<String> withoutIdentity = tablesWithoutIdentity();
            dev.pgcorral.common.pg.Lsn start = slots.create(slot);
            made = true;
            return new Begun(null, start, !existing, withoutIdentity, installDdlTrigger());
        } catch (SQLException | RuntimeException e) {
            if (made) {
                dropQuietly(slots);
            }
            if (!existing) {
                publications.drop(publication);
            }
            throw e;
        }
    }

    public String slot() {
        return slot;
    }

    public String publication() {
        return publication;
    }

    public boolean publicationExists() {
        return new Publications(source).exists(publication);
    }

    public boolean slotExists() {
        return new ReplicationSlots(source).find(slot).isPresent();
    }

    /** Drops the slot, the DDL trigger, and the publication when {@code publicationCreated}; what is gone already is fine. */
    public void remove(boolean publicationCreated) {
        new ReplicationSlots(source).dropEndingItsUser(slot);
        if (publicationCreated) {
            new Publications(source).drop(publication);
        }
        try (Connection c = source.connectReadWrite(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute(LOCK_SCHEMA);
            st.execute("DROP EVENT TRIGGER IF EXISTS " + trigger());
            st.execute("DROP EVENT TRIGGER IF EXISTS " + dropTrigger());
            st.execute("DROP FUNCTION IF EXISTS " + SCHEMA + "." + trigger() + "()");
            st.execute("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    + "WHERE n.nspname = '" + SCHEMA + "') THEN DROP SCHEMA IF EXISTS " + SCHEMA + "; END IF; END$$");
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop the DDL trigger " + trigger() + " on the source: " + e.getMessage(), e);
        }
    }

    /**
     * Where the user is a superuser: an event trigger that writes every DDL statement of the database that changes
     * rows' shape ({@link #DDL_TAGS}, {@link #DROP_TAGS}), on objects that are not temporary, into the WAL as a transactional logical message, so the follow stops at it,
     * naming it. Returns whether it is there.
     */
    private boolean installDdlTrigger() throws SQLException {
        try (Connection c = source.connectReadWrite(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
            c.setAutoCommit(false);
            for (int attempt = 1; ; attempt++) {
                try {
                    st.execute(LOCK_SCHEMA); // one migration's install or removal at a time
                    // not CREATE SCHEMA IF NOT EXISTS: when the schema is there, that reports no object, and the follows of the
                    // source's other migrations would take it for a schema change of the user's
                    st.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = '" + SCHEMA + "') THEN CREATE SCHEMA "
                            + SCHEMA + "; END IF; END$$");
                    break;
                } catch (SQLException e) {
                    c.rollback();
                    // made by another session meanwhile (IF NOT EXISTS is no guard against a concurrent CREATE): it is there now
                    if (attempt > 1 || !("23505".equals(e.getSQLState()) || "42P06".equals(e.getSQLState()))) {
                        throw e;
                    }
                }
            }
            st.execute("CREATE OR REPLACE FUNCTION " + SCHEMA + "." + trigger() + "() RETURNS event_trigger LANGUAGE plpgsql AS $fn$\n"
                    + CAPTURE.formatted(SCHEMA, tags(NOTE_TAGS) + ", " + tags(NOTE_DROP_TAGS), NOTE_PREFIX + "/" + slot, DDL_PREFIX + "/" + slot)
                    + "\n$fn$");
            // an earlier run's, left by a failure before its slot was kept
            st.execute("DROP EVENT TRIGGER IF EXISTS " + trigger());
            st.execute("DROP EVENT TRIGGER IF EXISTS " + dropTrigger());
            st.execute("CREATE EVENT TRIGGER " + trigger() + " ON ddl_command_end WHEN TAG IN (" + tags(DDL_TAGS) + ", " + tags(NOTE_TAGS)
                    + ") EXECUTE FUNCTION " + SCHEMA + "." + trigger() + "()");
            st.execute("CREATE EVENT TRIGGER " + dropTrigger() + " ON sql_drop WHEN TAG IN (" + tags(DROP_TAGS) + ", " + tags(NOTE_DROP_TAGS)
                    + ") EXECUTE FUNCTION " + SCHEMA + "." + trigger() + "()");
            c.commit();
            return true;
        }
    }

    /**
     * Tables of the source that the publication does not carry, so their changes are not followed: a table created after
     * a migration began on a source whose user is not a superuser (its publication lists tables), or one left out of a
     * publication of the user's; what to do is said for both, since which it is cannot be told from here. Null when there
     * are none.
     */
    public static String notFollowed(Connection source, String publication) throws SQLException {
        List<Publications.Table> tables = Publications.unpublished(source, publication, Set.of(SCHEMA));
        if (tables.isEmpty()) {
            return null;
        }
        String names = tables.stream().map(Publications.Table::quoted).collect(Collectors.joining(", "));
        boolean one = tables.size() == 1;
        return "table" + (one ? " " : "s ") + names + (one ? " is" : " are") + " on the source but not in publication " + publication
                + ", so " + (one ? "its" : "their") + " changes are not followed. Where the migration made that publication (it lists "
                + "tables when the source's user is not a superuser), " + (one ? "the table was" : "they were") + " created after the "
                + "migration began: stop the migration and start it again, and it clones again with every table. Where the publication "
                + "is yours (a follow_only migration's, or one named at create), add " + (one ? "it" : "them") + " (ALTER PUBLICATION "
                + publication + " ADD TABLE " + names + "), give the destination " + (one ? "its" : "their") + " rows, then start the "
                + "migration again (a follow_only migration does not clone)";
    }

    private String trigger() {
        return "pgcorral_ddl_" + slot;
    }

    /** The drops' trigger: a prefix of its own, so that a long slot name cut to 63 characters still names two triggers. */
    private String dropTrigger() {
        return "pgcorral_drop_" + slot;
    }

    /** Whether a logical message's {@code prefix} is {@code wanted}'s ({@link #DDL_PREFIX}, {@link #NOTE_PREFIX}) for {@code slot}. */
    public static boolean prefixOf(String prefix, String wanted, String slot) {
        return prefix.equals(wanted + "/" + slot) || prefix.equals(wanted);
    }

    private static String tags(List<String> tags) {
        return String.join(", ", tags.stream().map(t -> "'" + t + "'").toList());
    }

    /** The published tables that have no replica identity: the source refuses UPDATE and DELETE on them. */
    public List<String> tablesWithoutIdentity() throws SQLException {
        try (Connection c = source.connect()) {
            return tablesWithoutIdentity(c, publication);
        }
    }

    /** The tables of {@code publication} without a replica identity, or of the connection's database when it is null. */
    public static List<String> tablesWithoutIdentity(Connection c, String publication) throws SQLException {
        List<String> tables = new ArrayList<>();
        String generated = c.getMetaData().getDatabaseMajorVersion() >= 12 ? NO_GENERATED_KEY : "";
        try (PreparedStatement st = c.prepareStatement(WITHOUT_IDENTITY.formatted(generated))) {
            st.setString(1, publication);
            st.setString(2, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }
}
