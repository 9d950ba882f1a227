package dev.pgcorral.common.logical;

/** What an UPDATE or DELETE of a table sends of the old row ({@code pg_class.relreplident}). */
public enum ReplicaIdentity {
    /** The primary key's columns (nothing when there is no primary key). */
    DEFAULT,
    /** Nothing: UPDATE and DELETE cannot be matched to a row elsewhere. */
    NOTHING,
    /** Every column of the old row. */
    FULL,
    /** The columns of the chosen unique index. */
    INDEX;

    static ReplicaIdentity of(byte setting) {
        return switch (setting) {
            case 'd' -> DEFAULT;
            case 'n' -> NOTHING;
            case 'f' -> FULL;
            case 'i' -> INDEX;
            default -> throw new IllegalArgumentException("unknown replica identity '" + (char) setting + "'");
        };
    }
}
