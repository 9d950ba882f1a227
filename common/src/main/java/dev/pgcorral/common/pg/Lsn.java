package dev.pgcorral.common.pg;

/**
 * A position in PostgreSQL's write-ahead log (a {@code pg_lsn}): an unsigned 64-bit byte offset,
 * written {@code X/Y} with both halves in hexadecimal ({@code 16/B374D848}). Ordered as unsigned
 * numbers; {@link #INVALID} ({@code 0/0}) comes before every real position.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn INVALID = new Lsn(0);

    /**
     * Parses PostgreSQL's text form.
     *
     * @throws IllegalArgumentException naming the text when it is not {@code X/Y} with 1 to 8 hex digits each
     */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a WAL position must not be empty");
        }
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        if (slash < 1 || slash > 8 || trimmed.length() - slash - 1 < 1 || trimmed.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("'" + text + "' is not a WAL position; expected X/Y in hexadecimal, e.g. 16/B374D848");
        }
        for (int i = 0; i < trimmed.length(); i++) {
            if (i != slash && Character.digit(trimmed.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("'" + text + "' is not a WAL position; expected X/Y in hexadecimal, e.g. 16/B374D848");
            }
        }
        long high = Long.parseLong(trimmed, 0, slash, 16);
        long low = Long.parseLong(trimmed, slash + 1, trimmed.length(), 16);
        return new Lsn(high << 32 | low);
    }

    public boolean isValid() {
        return value != 0;
    }

    /** Bytes of WAL from {@code earlier} to this position; negative when {@code earlier} is after it. */
    public long bytesSince(Lsn earlier) {
        return value - earlier.value;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** PostgreSQL's text form, {@code X/Y}, upper-case hex without leading zeros. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
