package dev.pgcorral.migration.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.UserSchemas;
import dev.pgcorral.migration.follow.Origins;
import dev.pgcorral.migration.follow.ReplicaIdentityAdvice;
import dev.pgcorral.migration.follow.SourceReplication;
import dev.pgcorral.migration.follow.WriteStopRights;

/**
 * Whether a server can be the source of a migration (logical replication with pgoutput), and if not what to
 * change: one check each for the version, being a primary, {@code wal_level}, a free replication slot, a free
 * WAL sender, the REPLICATION attribute and the right to create a publication; then two that do not decide
 * {@code ready}: {@code switchover}, whether a switchover could stop the writes there, and {@code replica_identity},
 * whether every table has one (once published, one without refuses UPDATE and DELETE on the source). Read over the connection the caller opened
 * (its user and database are the ones judged); a check whose query fails is not ok and says why.
 *
 * @param ready  every check is ok
 * @param checks in the order above
 */
public record MigrationReadiness(boolean ready, List<Check> checks) {

    /** The oldest PostgreSQL a migration reads from: pgoutput and publications came with 10. */
    static final int MIN_SOURCE_VERSION = 100000;
    /** {@code replica_identity} names this many tables at most. */
    private static final int TABLES_NAMED = 10;

    /**
     * @param name   {@code version}, {@code primary}, {@code wal_level}, {@code replication_slots}, {@code wal_senders},
     *               {@code replication_privilege}, {@code publication_privilege}, {@code switchover} or
     *               {@code replica_identity}
     * @param detail what was found and, when not ok, what to do
     */
    public record Check(String name, boolean ok, String detail) {
    }

    /** The checks, over {@code connection}. */
    static MigrationReadiness check(Connection connection) {
        List<Check> checks = new ArrayList<>();
        checks.add(version(connection));
        checks.add(primary(connection));
        checks.add(walLevel(connection));
        checks.add(slots(connection));
        checks.add(senders(connection));
        Role role;
        try {
            role = role(connection);
        } catch (SQLException e) {
            checks.add(failed("replication_privilege", e));
            checks.add(failed("publication_privilege", e));
            return of(checks);
        }
        checks.add(replication(role));
        checks.add(publication(connection, role));
        boolean ready = checks.stream().allMatch(Check::ok);
        checks.add(switchover(connection, role));
        checks.add(replicaIdentity(connection, role));
        return new MigrationReadiness(ready, List.copyOf(checks));
    }

    private static Check replicaIdentity(Connection c, Role role) {
        try {
            List<String> tables = SourceReplication.tablesWithoutIdentity(c, null);
            if (tables.isEmpty()) {
                return new Check("replica_identity", true, "every table in database " + role.database() + " has a replica identity"
                        + " (a primary key, an index chosen, or FULL): the follow carries its UPDATEs and DELETEs");
            }
            String named = String.join(", ", tables.subList(0, Math.min(TABLES_NAMED, tables.size())))
                    + (tables.size() > TABLES_NAMED ? " and " + (tables.size() - TABLES_NAMED) + " more" : "");
            return new Check("replica_identity", false, tables.size() + (tables.size() == 1 ? " table has" : " tables have")
                    + " no replica identity the follow can use (" + ReplicaIdentityAdvice.CAUSES + "): " + named + ". Their UPDATEs and"
                    + " DELETEs cannot be followed (once a migration publishes them, the source refuses UPDATE and DELETE on those without"
                    + " any identity; INSERT works): for each, " + ReplicaIdentityAdvice.FIX + ", before the migration starts");
        } catch (SQLException e) {
            return failed("replica_identity", e);
        }
    }

    /**
     * Whether the server's database can be a migration's destination for this user: {@code create_privilege} (the clone
     * makes schemas and tables) and {@code origin_functions} (the follow records its progress with a replication origin)
     * decide {@code ready}; {@code replica_role} and {@code temporary} say what a user without them gets (triggers and
     * foreign keys firing again; a round trip more per destination transaction).
     */
    static MigrationReadiness destination(Connection connection) {
        List<Check> checks = new ArrayList<>();
        Role role;
        try {
            role = role(connection);
        } catch (SQLException e) {
            return of(List.of(failed("create_privilege", e)));
        }
        checks.add(role.superuser() || role.createOnDatabase()
                ? new Check("create_privilege", true, "role " + role.name() + " may create schemas in database " + role.database())
                : new Check("create_privilege", false, "role " + role.name() + " may not create schemas in database " + role.database()
                  + ", which the clone does: GRANT CREATE ON DATABASE " + Identifiers.quote(role.database()) + " TO "
                  + Identifiers.quote(role.name()) + " (or make it the database's owner)"));
        checks.add(originFunctions(connection, role));
        boolean ready = checks.stream().allMatch(Check::ok);
        checks.add(role.superuser()
                ? new Check("replica_role", true, "role " + role.name() + " is a superuser: the follow sets session_replication_role ="
                  + " replica, so the destination's triggers and foreign keys do not fire again")
                : new Check("replica_role", false, "role " + role.name() + " may not set session_replication_role: the destination's"
                  + " triggers and foreign-key checks fire again as changes are applied (disable triggers that write elsewhere while"
                  + " it follows)"));
        checks.add(temporary(connection, role));
        return new MigrationReadiness(ready, List.copyOf(checks));
    }

    private static Check originFunctions(Connection c, Role role) {
        try {
            List<String> missing = Origins.notAllowed(c);
            return missing.isEmpty()
                    ? new Check("origin_functions", true, "role " + role.name() + " may call the replication origin functions")
                    : new Check("origin_functions", false, "role " + role.name() + " may not call " + String.join(", ", missing)
                      + ", with which the follow records how far it got: GRANT EXECUTE ON FUNCTION … TO " + Identifiers.quote(role.name())
                      + " as a superuser, in database " + role.database() + " itself (functions' rights are per database)");
        } catch (SQLException e) {
            return failed("origin_functions", e);
        }
    }

    private static Check temporary(Connection c, Role role) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT has_database_privilege(current_database(), 'TEMP')")) {
            rs.next();
            return rs.getBoolean(1)
                    ? new Check("temporary", true, "role " + role.name() + " may create temporary objects: the destination checks the"
                      + " apply's row counts itself, and a transaction's COMMIT goes with its changes")
                    : new Check("temporary", false, "role " + role.name() + " may not create temporary objects: the service checks"
                      + " the row counts, at a round trip more per destination transaction");
        } catch (SQLException e) {
            return failed("temporary", e);
        }
    }

    private static MigrationReadiness of(List<Check> checks) {
        return new MigrationReadiness(checks.stream().allMatch(Check::ok), List.copyOf(checks));
    }

    private static Check version(Connection c) {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('server_version')")) {
            rs.next();
            int number = rs.getInt(1);
            String version = "PostgreSQL " + rs.getString(2);
            return number >= MIN_SOURCE_VERSION
                    ? new Check("version", true, version + " can be a source (pgcorral migrates from PostgreSQL 10 and later)")
                    : new Check("version", false, version + " cannot be a source: pgcorral migrates from PostgreSQL 10 and later"
                      + " (logical replication with pgoutput); upgrade the server first");
        } catch (SQLException e) {
            return failed("version", e);
        }
    }

    private static Check primary(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1)
                    ? new Check("primary", false, "the server is a standby (in recovery): the publication and the replication slot of a"
                      + " migration are created on the primary; register and choose the primary node")
                    : new Check("primary", true, "the server is a primary (not in recovery)");
        } catch (SQLException e) {
            return failed("primary", e);
        }
    }

    private static Check walLevel(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_setting('wal_level')")) {
            rs.next();
            String level = rs.getString(1);
            return "logical".equals(level)
                    ? new Check("wal_level", true, "wal_level is logical")
                    : new Check("wal_level", false, "wal_level is " + level + "; logical replication needs logical: run ALTER SYSTEM SET"
                      + " wal_level = logical as a superuser, then restart PostgreSQL");
        } catch (SQLException e) {
            return failed("wal_level", e);
        }
    }

    private static Check slots(Connection c) {
        return capacity(c, "replication_slots", "max_replication_slots", "pg_replication_slots", "replication slots", "free", "in use",
                "drop a slot no longer used (SELECT pg_drop_replication_slot('name'))");
    }

    private static Check senders(Connection c) {
        return capacity(c, "wal_senders", "max_wal_senders", "pg_stat_replication", "WAL senders", "free", "busy",
                "stop a replication client no longer needed");
    }

    /** Whether {@code setting} leaves one of {@code what} free beyond the rows of {@code inUse}; what to do when not. */
    private static Check capacity(Connection c, String name, String setting, String inUse, String what, String freeWord, String takenWord,
                                  String release) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT current_setting('" + setting + "')::int, (SELECT count(*) FROM " + inUse + ")")) {
            rs.next();
            int max = rs.getInt(1);
            long free = max - rs.getLong(2);
            if (free > 0) {
                return new Check(name, true, free + " of " + max + " " + what + " " + freeWord + " (" + setting + "); a migration uses one");
            }
            String single = what.substring(0, what.length() - 1);
            return new Check(name, false, max == 0
                    ? setting + " is 0: a migration needs one " + single + "; run ALTER SYSTEM SET " + setting + " = 10 as a superuser,"
                      + " then restart PostgreSQL"
                    : "all " + max + " " + what + " are " + takenWord + " (" + setting + " = " + max + "): a migration needs one; " + release
                      + " or raise " + setting + " and restart PostgreSQL");
        } catch (SQLException e) {
            return failed(name, e);
        }
    }

    private static Check replication(Role role) {
        if (role.superuser()) {
            return new Check("replication_privilege", true, "role " + role.name() + " is a superuser");
        }
        if (role.replication()) {
            return new Check("replication_privilege", true, "role " + role.name() + " has the REPLICATION attribute");
        }
        return new Check("replication_privilege", false, "role " + role.name() + " lacks the REPLICATION attribute that logical"
                + " replication needs: run ALTER ROLE " + Identifiers.quote(role.name()) + " REPLICATION as a superuser");
    }

    /** Whether a switchover could stop the source's writes: own the database (to make it read-only) and end other roles' sessions. */
    private static Check switchover(Connection c, Role role) {
        if (role.superuser()) {
            return new Check("switchover", true, "role " + role.name() + " is a superuser: a switchover can make database " + role.database()
                    + " read-only and end the sessions that could still write there");
        }
        try {
            WriteStopRights rights = WriteStopRights.of(c);
            if (!rights.ownsDatabase()) {
                return new Check("switchover", false, "role " + role.name() + " does not own database " + role.database() + ": a switchover,"
                        + " which makes it read-only (ALTER DATABASE … SET default_transaction_read_only), is refused (ALTER DATABASE "
                        + Identifiers.quote(role.database()) + " OWNER TO " + Identifiers.quote(role.name()) + " as a superuser)");
            }
            return rights.mayEndOtherRoles()
                    ? new Check("switchover", true, "role " + role.name() + " owns database " + role.database() + " and may end other roles'"
                      + " sessions: a switchover can make it read-only and end the sessions that could still write there (a superuser's"
                      + " session only a superuser may end)")
                    : new Check("switchover", false, "role " + role.name() + " owns database " + role.database() + " but may end only its"
                      + " own roles' sessions: a switchover is refused while a session of another role is connected there (GRANT"
                      + " pg_signal_backend TO " + Identifiers.quote(role.name()) + " as a superuser)");
        } catch (SQLException e) {
            return failed("switchover", e);
        }
    }

    private static Check publication(Connection c, Role role) {
        if (role.superuser()) {
            return new Check("publication_privilege", true, "role " + role.name() + " is a superuser: it can create a publication"
                    + " FOR ALL TABLES or for a list of tables");
        }
        String notOwned;
        try {
            notOwned = notOwned(c);
        } catch (SQLException e) {
            return failed("publication_privilege", e);
        }
        if (notOwned != null) {
            return new Check("publication_privilege", false, "role " + role.name() + " does not own " + notOwned + ", and a publication"
                    + " for a list of tables needs their owner (ALTER TABLE … OWNER TO " + Identifiers.quote(role.name())
                    + " as a superuser); FOR ALL TABLES needs a superuser");
        }
        if (role.createOnDatabase()) {
            return new Check("publication_privilege", true, "role " + role.name() + " has CREATE on database " + role.database()
                    + ": it can create a publication for a list of tables it owns (FOR ALL TABLES needs a superuser)");
        }
        return new Check("publication_privilege", false, "role " + role.name() + " cannot create a publication: a publication for a"
                + " list of tables needs CREATE on the database (GRANT CREATE ON DATABASE " + Identifiers.quote(role.database()) + " TO "
                + Identifiers.quote(role.name()) + ") and ownership of those tables; FOR ALL TABLES needs a superuser");
    }

    /** The tables of the database (outside the system schemas) the user does not own, as text; null when none. */
    private static String notOwned(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), array_to_string((array_agg(format('%I.%I', "
                + "n.nspname, c.relname) ORDER BY n.nspname, c.relname))[1:5], ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND " + UserSchemas.CONDITION
                + " AND NOT pg_has_role(c.relowner, 'USAGE')")) {
            rs.next();
            long count = rs.getLong(1);
            return count == 0 ? null : (count == 1 ? "table " : count + " tables, among them ") + rs.getString(2);
        }
    }

    private static Role role(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user, current_database(), r.rolsuper, "
                + "r.rolreplication, has_database_privilege(current_database(), 'CREATE') FROM pg_roles r WHERE r.rolname = current_user")) {
            if (!rs.next()) {
                throw new SQLException("the current user is not in pg_roles");
            }
            return new Role(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5));
        }
    }

    private static Check failed(String name, SQLException e) {
        return new Check(name, false, "could not be checked: " + e.getMessage());
    }

    private record Role(String name, String database, boolean superuser, boolean replication, boolean createOnDatabase) {
    }
}
