package dev.pgcorral.common.logical.values;

/** bytea in its hex text form ({@code bytea_output=hex}): {@code \x} and two hex digits a byte. */
final class PgBytea {

    private PgBytea() {
    }

    static byte[] decode(String text) {
        checkedHex(text);
        byte[] bytes = new byte[(text.length() - 2) / 2];
        for (int i = 0, j = 2; i < bytes.length; i++, j += 2) {
            int high = Character.digit(text.charAt(j), 16);
            int low = Character.digit(text.charAt(j + 1), 16);
            if (high < 0 || low < 0) {
                throw notHex(text);
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
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
