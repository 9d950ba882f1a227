package dev.pgcorral.common.logical.values;

/**
 * A PostgreSQL {@code interval} as the server keeps it: months, days and microseconds, each with its own sign
 * ({@code 1 month} is not {@code 30 days}, and {@code 1 day} is not {@code 24 hours} across a DST change).
 *
 * @param months       years and months ({@code 1 year} is 12)
 * @param days         days
 * @param microseconds hours, minutes, seconds and fractions
 */
public record PgInterval(int months, int days, long microseconds) {

    /** PostgreSQL 17's {@code infinity} interval: every field at its maximum. */
    public static final PgInterval INFINITY = new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);

    /** PostgreSQL 17's {@code -infinity} interval: every field at its minimum. */
    public static final PgInterval MINUS_INFINITY = new PgInterval(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE);

    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
    private static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;

    /**
     * Reads PostgreSQL's {@code IntervalStyle=iso_8601} output, e.g. {@code P1Y2M3DT4H5M6.5S},
     * {@code P-1Y-2M3DT-4H-5M-6.5S}, {@code PT-0.5S}, {@code PT0S}. Fractions are allowed on seconds only
     * (PostgreSQL never writes others); weeks ({@code W}) are read as seven days. {@code infinity} and
     * {@code -infinity} (PostgreSQL 17 and later) are {@link #INFINITY} and {@link #MINUS_INFINITY}.
     *
     * @throws IllegalArgumentException when the text is not of that form or overflows the three fields
     */
    public static PgInterval parseIso(String s) {
        if (s.equals(PgTemporal.INFINITY)) {
            return INFINITY;
        }
        if (s.equals(PgTemporal.MINUS_INFINITY)) {
            return MINUS_INFINITY;
        }
        int n = s.length();
        if (n < 3 || s.charAt(0) != 'P') {
            throw bad(s);
        }
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean inTime = false;
        int i = 1;
        try {
            while (i < n) {
                if (s.charAt(i) == 'T') {
                    if (inTime) {
                        throw bad(s);
                    }
                    inTime = true;
                    i++;
                    continue;
                }
                boolean negative = s.charAt(i) == '-';
                int start = negative ? i + 1 : i;
                int j = start;
                long whole = 0;
                while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                    whole = Math.addExact(Math.multiplyExact(whole, 10), s.charAt(j) - '0');
                    j++;
                }
                long fraction = 0;
                boolean hasFraction = j < n && s.charAt(j) == '.';
                if (hasFraction) {
                    int fractionStart = ++j;
                    while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                        j++;
                    }
                    if (j - fractionStart > 6) {
                        throw bad(s);
                    }
                    fraction = j > fractionStart ? PgTemporal.number(s, fractionStart, j) : 0;
                    for (int k = j - fractionStart; k < 6; k++) {
                        fraction *= 10;
                    }
                }
                if (j == start || j >= n) {
                    throw bad(s);
                }
                char unit = s.charAt(j);
                if (hasFraction && unit != 'S') {
                    throw bad(s);
                }
                long signed = negative ? -whole : whole;
                switch (inTime ? Character.toLowerCase(unit) : unit) {
                    case 'Y' -> months = Math.addExact(months, Math.multiplyExact(signed, 12));
                    case 'M' -> months = Math.addExact(months, signed);
                    case 'W' -> days = Math.addExact(days, Math.multiplyExact(signed, 7));
                    case 'D' -> days = Math.addExact(days, signed);
                    case 'h' -> micros = Math.addExact(micros, Math.multiplyExact(signed, MICROS_PER_HOUR));
                    case 'm' -> micros = Math.addExact(micros, Math.multiplyExact(signed, MICROS_PER_MINUTE));
                    case 's' -> micros = Math.addExact(micros, Math.addExact(
                            Math.multiplyExact(signed, MICROS_PER_SECOND), negative ? -fraction : fraction));
                    default -> throw bad(s);
                }
                i = j + 1;
            }
            return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("interval out of range: " + s, e);
        }
    }

    /**
     * This interval in ISO 8601 form exactly as PostgreSQL writes it with {@code IntervalStyle=iso_8601}
     * (and reads it in any style): zero parts left out, each part with its own sign, {@code PT0S} for zero,
     * {@code infinity} and {@code -infinity} for {@link #INFINITY} and {@link #MINUS_INFINITY}.
     */
    public String toIso() {
        if (equals(INFINITY)) {
            return PgTemporal.INFINITY;
        }
        if (equals(MINUS_INFINITY)) {
            return PgTemporal.MINUS_INFINITY;
        }
        if (months == 0 && days == 0 && microseconds == 0) {
            return "PT0S";
        }
        StringBuilder b = new StringBuilder(24).append('P');
        int years = months / 12;
        int restMonths = months % 12;
        if (years != 0) {
            b.append(years).append('Y');
        }
        if (restMonths != 0) {
            b.append(restMonths).append('M');
        }
        if (days != 0) {
            b.append(days).append('D');
        }
        if (microseconds != 0) {
            b.append('T');
            long hours = microseconds / MICROS_PER_HOUR;
            long minutes = microseconds / MICROS_PER_MINUTE % 60;
            long secondMicros = microseconds % MICROS_PER_MINUTE;
            if (hours != 0) {
                b.append(hours).append('H');
            }
            if (minutes != 0) {
                b.append(minutes).append('M');
            }
            if (secondMicros != 0) {
                if (secondMicros < 0) {
                    b.append('-');
                    secondMicros = -secondMicros;
                }
                b.append(secondMicros / MICROS_PER_SECOND);
                long fraction = secondMicros % MICROS_PER_SECOND;
                if (fraction != 0) {
                    String digits = Long.toString(MICROS_PER_SECOND + fraction);
                    int len = digits.length();
                    while (digits.charAt(len - 1) == '0') {
                        len--;
                    }
                    b.append('.').append(digits, 1, len);
                }
                b.append('S');
            }
        }
        return b.toString();
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("not an ISO 8601 interval: " + s);
    }
}
