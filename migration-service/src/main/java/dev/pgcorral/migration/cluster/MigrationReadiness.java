package dev.pgcorral.migration.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.pg.Identifiers;

/**
 * Whether a server can be the source of a migration (logical replication with pgoutput), and if not what to
 * change: one check each for the version, being a primary, {@code wal_level}, a free replication slot, a free
 * WAL sender, the REPLICATION attribute and the right to create a publication. Read over the connection the
 * caller opened (its user and database are the ones judged); a check whose query fails is not ok and says why.
 *
 * @param ready  every check is ok
 * @param checks in the order above
 */
public record MigrationReadiness(boolean ready, List<Check> checks) {

    /** The oldest PostgreSQL a migration reads from: pgoutput and publications came with 10. */
    static final int MIN_SOURCE_VERSION = 100000;

    /**
     * @param name   {@code version}, {@code primary}, {@code wal_level}, {@code replication_slots}, {@code wal_senders},
     *               {@code replication_privilege} or {@code publication_privilege}
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
        checks.add(publication(role));
        return of(checks);
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

    private static Check publication(Role role) {
        if (role.superuser()) {
            return new Check("publication_privilege", true, "role " + role.name() + " is a superuser: it can create a publication"
                    + " FOR ALL TABLES or for a list of tables");
        }
        if (role.createOnDatabase()) {
            return new Check("publication_privilege", true, "role " + role.name() + " has CREATE on database " + role.database()
                    + ": it can create a publication for a list of tables it owns (FOR ALL TABLES needs a superuser)");
        }
        return new Check("publication_privilege", false, "role " + role.name() + " cannot create a publication: a publication for a"
                + " list of tables needs CREATE on the database (GRANT CREATE ON DATABASE " + Identifiers.quote(role.database()) + " TO "
                + Identifiers.quote(role.name()) + ") and ownership of those tables; FOR ALL TABLES needs a superuser");
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
