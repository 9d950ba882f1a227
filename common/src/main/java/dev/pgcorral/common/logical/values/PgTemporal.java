package dev.pgcorral.common.logical.values;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Reads PostgreSQL's date/time output under {@code DateStyle=ISO}: {@code 2024-01-31}, {@code 12:00:00.5},
 * {@code 2024-01-31 12:00:00.5+05:45}, {@code 0044-03-15 BC}, {@code infinity}. Hand-written because it
 * runs for every temporal column value; PostgreSQL's text is regular enough that no formatter is needed.
 * Years are PostgreSQL's (no year 0): {@code 0001 BC} is ISO year 0, {@code 0044 BC} ISO year -43.
 */
final class PgTemporal {

    static final String INFINITY = "infinity";
    static final String MINUS_INFINITY = "-infinity";
    private static final String BC = " BC";

    private PgTemporal() {
    }

    /** {@code infinity} → {@link LocalDate#MAX}, {@code -infinity} → {@link LocalDate#MIN}. */
    static LocalDate date(String s) {
        if (s.equals(INFINITY)) {
            return LocalDate.MAX;
        }
        if (s.equals(MINUS_INFINITY)) {
            return LocalDate.MIN;
        }
        boolean bc = s.endsWith(BC);
        return date(s, 0, bc ? s.length() - BC.length() : s.length(), bc);
    }

    /** {@code 24:00:00}, which PostgreSQL allows, → {@link LocalTime#MAX}: LocalTime has no 24:00. */
    static LocalTime time(String s) {
        return time(s, 0, s.length());
    }

    static OffsetTime timetz(String s) {
        int offsetAt = offsetStart(s, 0);
        return OffsetTime.of(time(s, 0, offsetAt), offset(s, offsetAt, s.length()));
    }

    /** {@code infinity} → {@link LocalDateTime#MAX}, {@code -infinity} → {@link LocalDateTime#MIN}. */
    static LocalDateTime timestamp(String s) {
        if (s.equals(INFINITY)) {
            return LocalDateTime.MAX;
        }
        if (s.equals(MINUS_INFINITY)) {
            return LocalDateTime.MIN;
        }
        boolean bc = s.endsWith(BC);
        return dateTime(s, bc ? s.length() - BC.length() : s.length(), bc);
    }

    /**
     * The instant at offset UTC; {@code infinity} → {@link OffsetDateTime#MAX}, {@code -infinity} →
     * {@link OffsetDateTime#MIN} (those two keep their own extreme offsets).
     */
    static OffsetDateTime timestamptz(String s) {
        if (s.equals(INFINITY)) {
            return OffsetDateTime.MAX;
        }
        if (s.equals(MINUS_INFINITY)) {
            return OffsetDateTime.MIN;
        }
        boolean bc = s.endsWith(BC);
        int offsetAt = offsetStart(s, space(s) + 1);
        ZoneOffset offset = offset(s, offsetAt, bc ? s.length() - BC.length() : s.length());
        OffsetDateTime t = OffsetDateTime.of(dateTime(s, offsetAt, bc), offset);
        return offset.equals(ZoneOffset.UTC) ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
    }

    /**
     * The same instant as PostgreSQL writes it with {@code TimeZone=UTC}: {@code 2024-01-31 12:00:00.5+00},
     * {@code 0044-03-15 06:18:44+00 BC}, {@code infinity}, {@code -infinity}.
     */
    static String timestamptzUtcText(String s) {
        if (s.endsWith("+00") || s.endsWith("+00" + BC) || s.equals(INFINITY) || s.equals(MINUS_INFINITY)) {
            return s;
        }
        return utcText(timestamptz(s));
    }

    static String utcText(OffsetDateTime utc) {
        StringBuilder b = new StringBuilder(32);
        int year = utc.getYear();
        boolean bc = year <= 0;
        int pgYear = bc ? 1 - year : year;
        String digits = Integer.toString(pgYear);
        b.append("0000", 0, Math.max(0, 4 - digits.length())).append(digits).append('-');
        two(b, utc.getMonthValue()).append('-');
        two(b, utc.getDayOfMonth()).append(' ');
        two(b, utc.getHour()).append(':');
        two(b, utc.getMinute()).append(':');
        two(b, utc.getSecond());
        int nanos = utc.getNano();
        if (nanos != 0) {
            String fraction = Integer.toString(1_000_000_000 + nanos).substring(1);
            int len = fraction.length();
            while (fraction.charAt(len - 1) == '0') {
                len--;
            }
            b.append('.').append(fraction, 0, len);
        }
        b.append("+00");
        if (bc) {
            b.append(BC);
        }
        return b.toString();
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    private static LocalDate date(String s, int from, int to, boolean bc) {
        int dash = s.indexOf('-', from + 1);
        if (dash < 0 || to - dash != 6 || s.charAt(dash + 3) != '-') {
            throw bad(s, "date");
        }
        int year = number(s, from, dash);
        return LocalDate.of(bc ? 1 - year : year, number(s, dash + 1, dash + 3), number(s, dash + 4, to));
    }

    private static LocalTime time(String s, int from, int to) {
        if (to - from < 8 || s.charAt(from + 2) != ':' || s.charAt(from + 5) != ':') {
            throw bad(s, "time");
        }
        int hour = number(s, from, from + 2);
        int minute = number(s, from + 3, from + 5);
        int second = number(s, from + 6, from + 8);
        int nanos = 0;
        if (to > from + 8) {
            int digits = to - from - 9;
            if (s.charAt(from + 8) != '.' || digits < 1 || digits > 9) {
                throw bad(s, "time");
            }
            nanos = number(s, from + 9, to);
            for (int k = digits; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
            return LocalTime.MAX;
        }
        return LocalTime.of(hour, minute, second, nanos);
    }

    /** Where the zone offset of a time begins: the first sign after {@code HH:MM:SS}. */
    private static int offsetStart(String s, int timeFrom) {
        for (int i = timeFrom + 8; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw bad(s, "time with time zone");
    }

    /** {@code +05}, {@code -03:30}, {@code +00:19:32}. */
    private static ZoneOffset offset(String s, int from, int to) {
        int len = to - from;
        if (len != 3 && len != 6 && len != 9 || len > 3 && s.charAt(from + 3) != ':'
                || len > 6 && s.charAt(from + 6) != ':') {
            throw bad(s, "zone offset");
        }
        int sign = s.charAt(from) == '-' ? -1 : 1;
        int hours = number(s, from + 1, from + 3);
        int minutes = len > 3 ? number(s, from + 4, from + 6) : 0;
        int seconds = len > 6 ? number(s, from + 7, from + 9) : 0;
        return ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60 + seconds));
    }

    /** {@code YYYY-MM-DD HH:MM:SS[.f]} ending at {@code timeEnd}. */
    private static LocalDateTime dateTime(String s, int timeEnd, boolean bc) {
        int space = space(s);
        return LocalDateTime.of(date(s, 0, space, bc), time(s, space + 1, timeEnd));
    }

    private static int space(String s) {
        int space = s.indexOf(' ');
        if (space < 0) {
            throw bad(s, "timestamp");
        }
        return space;
    }

    /** Non-negative decimal digits in [from, to), at most nine. */
    static int number(String s, int from, int to) {
        if (to <= from || to - from > 9) {
            throw bad(s, "number");
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                throw bad(s, "digit");
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static IllegalArgumentException bad(String s, String what) {
        return new IllegalArgumentException("not a PostgreSQL " + what + " in ISO style: " + s);
    }
}
