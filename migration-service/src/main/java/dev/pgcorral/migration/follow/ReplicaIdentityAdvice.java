package dev.pgcorral.migration.follow;

/**
 * What a table without a usable replica identity lacks, and how the user gives it one: said the same way by the readiness
 * check, the start's warning and the follow's stop.
 */
public final class ReplicaIdentityAdvice {

    /** Why a table has none the follow can use. */
    public static final String CAUSES = "REPLICA IDENTITY DEFAULT without a primary key, REPLICA IDENTITY NOTHING, or a key with a "
            + "generated column, which logical replication does not send";

    /** What makes one, on the source. */
    public static final String FIX = "give it a primary key of columns that are not generated (or ALTER TABLE … REPLICA IDENTITY USING "
            + "INDEX on a unique index of NOT NULL columns), or run ALTER TABLE … REPLICA IDENTITY FULL (or DEFAULT, where a table "
            + "with a primary key was set to NOTHING)";

    private ReplicaIdentityAdvice() {
    }
}
