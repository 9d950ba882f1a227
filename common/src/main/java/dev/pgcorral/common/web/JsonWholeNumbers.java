package dev.pgcorral.common.web;

/**
 * A JSON number sent where a whole number goes, read as a {@code double} (as {@code 1e30} or {@code 5.0} is): whether
 * it is whole, and whether it fits the field's type, so that a client is told which of the two is wrong.
 */
public final class JsonWholeNumbers {

    /** What a whole number written as {@code 1e4} or {@code 5.0} is told. */
    public static final String WRITTEN_WHOLE = "must be a whole number written without a fraction or an exponent";

    private JsonWholeNumbers() {
    }

    /** Whether {@code value} is finite and has no fraction. */
    public static boolean whole(double value) {
        return !Double.isInfinite(value) && !Double.isNaN(value) && value == Math.rint(value);
    }

    /** The smallest and largest value a whole-number field of {@code type} holds; null for a type without bounds. */
    static long[] bounds(Class<?> type) {
        if (type == long.class || type == Long.class) {
            return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        }
        if (type == int.class || type == Integer.class) {
            return new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        }
        if (type == short.class || type == Short.class) {
            return new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
        }
        if (type == byte.class || type == Byte.class) {
            return new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
        }
        return null;
    }

    /** Whether {@code value} lies within what a field of {@code type} holds (any finite value for a type without bounds). */
    public static boolean fits(Class<?> type, double value) {
        if (Double.isInfinite(value) || Double.isNaN(value)) {
            return false;
        }
        long[] bounds = bounds(type);
        // Long.MAX_VALUE as a double is 2^63, one past it: the top is exclusive there
        return bounds == null || value >= bounds[0] && (bounds[1] == Long.MAX_VALUE ? value < 0x1p63 : value <= bounds[1]);
    }
}
