package dev.pgcorral.common.logical.values;

/** bytea in its hex text form ({@code bytea_output=hex}): {@code \x} and two hex digits a byte. */
final class PgBytea {

    private PgBytea() {
    }

    static byte[] decode(String text) {
        checkedHex(text);
        byte[] bytes = new byte[(text.length() - 2) / 2];
        for (int i = 0, j = 2; i < bytes.length; i++, j += 2) {
            int high = hex(text.charAt(j));
            int low = hex(text.charAt(j + 1));
            if (high < 0 || low < 0) {
                throw notHex(text);
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
    }

    /** ASCII hex digits only (Character.digit would take other scripts' digits too); -1 for others. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The text if it has the hex form's prefix and an even length; the digits are checked by decoding. */
    static String checkedHex(String text) {
        if (text.length() < 2 || text.charAt(0) != '\\' || text.charAt(1) != 'x' || (text.length() & 1) != 0) {
            throw notHex(text);
        }
        return text;
    }

    private static IllegalArgumentException notHex(String text) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "…" : text;
        return new IllegalArgumentException("not bytea in hex form (bytea_output=hex): " + shown);
    }
}
