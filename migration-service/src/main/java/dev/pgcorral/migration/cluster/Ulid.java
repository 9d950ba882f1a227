package dev.pgcorral.migration.cluster;

import java.security.SecureRandom;

/**
 * Lowercase ULIDs (https://github.com/ulid/spec): 26 characters of Crockford's base32, the first 10 the
 * milliseconds since the epoch (48 bits), the other 16 random (80 bits from {@link SecureRandom}). Ids made in
 * a later millisecond sort after earlier ones; within one millisecond their order is random.
 */
public final class Ulid {

    static final int LENGTH = 26;

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int TIME_CHARS = 10;
    private static final int RANDOM_BYTES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ulid() {
    }

    /** A ULID for now. */
    public static String next() {
        return of(System.currentTimeMillis(), RANDOM);
    }

    /** The ULID of {@code millis} (0 to 2^48 - 1) with randomness from {@code random}. */
    static String of(long millis, SecureRandom random) {
        if (millis < 0 || millis >= 1L << 48) {
            throw new IllegalArgumentException("a ULID holds 48 bits of milliseconds, not " + millis);
        }
        char[] out = new char[LENGTH];
        long time = millis;
        for (int i = TIME_CHARS - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        int bits = 0;
        int buffer = 0;
        int at = TIME_CHARS;
        for (byte b : bytes) {
            buffer = buffer << 8 | b & 0xff;
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[at++] = ALPHABET[buffer >>> bits & 31];
            }
        }
        return new String(out);
    }
}
