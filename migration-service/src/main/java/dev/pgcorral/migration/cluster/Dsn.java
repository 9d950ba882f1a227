package dev.pgcorral.migration.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * A libpq connection string, read by us (never handed to a shell or another program): the URL form
 * {@code postgresql://[user[:password]@][host][:port][/dbname][?key=value&...]} ({@code postgres://} too;
 * user, password, host, database and query parameters percent-decoded; {@code [v6]} hosts; an unencoded
 * {@code @} or {@code :} in the password is taken as part of it, while {@code /}, {@code ?} and {@code #}
 * there must be encoded) or the key=value form {@code host=h port=5432 user=u password='it''s' dbname=d}
 * (values quoted with {@code '...'}, backslash escapes). Known keys: host, hostaddr, port, user, password,
 * dbname, sslmode; others are ignored. Missing parts: host {@code localhost}, port 5432, user {@code postgres},
 * database the user's name (libpq's rule). One TCP host only. Error messages name the part that is wrong and
 * never repeat a value, so never the password.
 *
 * @param sslMode libpq's sslmode ({@code disable} ... {@code verify-full}), null when not given
 */
public record Dsn(ConnectionDetails target, String sslMode) {

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    @Override
    public String toString() {
        return target.redacted();
    }

    /** @throws IllegalArgumentException saying what is wrong, without any value from {@code text} */
    public static Dsn parse(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        Map<String, String> keys;
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            keys = url(s.substring(s.indexOf("://") + 3));
        } else if (s.contains("=")) {
            keys = keywords(s);
        } else {
            throw new IllegalArgumentException("the connection string is neither a postgresql:// URL nor a list of key=value settings");
        }
        return of(keys);
    }

    private static Dsn of(Map<String, String> keys) {
        keys.forEach((key, value) -> {
            if (value.indexOf('\0') >= 0 || key.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a setting of the connection string holds a NUL character");
            }
        });
        String host = keys.getOrDefault("host", "");
        if (host.isEmpty()) {
            host = keys.getOrDefault("hostaddr", "");
        }
        if (host.contains(",")) {
            throw new IllegalArgumentException("the connection string names several hosts; test one host at a time");
        }
        if (host.startsWith("/") || host.startsWith("@")) {
            throw new IllegalArgumentException("the connection string names a Unix-domain socket directory as host; give a TCP host name"
                    + " or address");
        }
        if (!host.isEmpty() && !ClusterSpec.validHost(host)) {
            throw new IllegalArgumentException("the host in the connection string " + ClusterSpec.HOST_RULE);
        }
        String portText = keys.getOrDefault("port", "");
        int port = ConnectionDetails.DEFAULT_PORT;
        if (!portText.isEmpty()) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the port in the connection string must be a number between 1 and 65535");
            }
        }
        String user = keys.getOrDefault("user", "");
        user = user.isEmpty() ? Cluster.DEFAULT_USER : user;
        String database = keys.getOrDefault("dbname", "");
        String sslMode = keys.get("sslmode");
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            throw new IllegalArgumentException("sslmode in the connection string must be one of disable, allow, prefer, require, verify-ca,"
                    + " verify-full");
        }
        return new Dsn(new ConnectionDetails(host.isEmpty() ? "localhost" : host, port, database.isEmpty() ? user : database, user,
                keys.getOrDefault("password", "")), sslMode);
    }

    private static Map<String, String> url(String rest) {
        Map<String, String> keys = new LinkedHashMap<>();
        int end = firstOf(rest, "/?#", 0);
        String authority = rest.substring(0, end);
        String tail = rest.substring(end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            keys.put("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user"));
            if (colon >= 0) {
                keys.put("password", decode(userInfo.substring(colon + 1), "password"));
            }
            authority = authority.substring(at + 1);
        }
        hostAndPort(authority, keys);
        int hash = tail.indexOf('#');
        if (hash >= 0) {
            tail = tail.substring(0, hash);
        }
        int question = tail.indexOf('?');
        String path = question < 0 ? tail : tail.substring(0, question);
        if (path.startsWith("/") && path.length() > 1) {
            keys.put("dbname", decode(path.substring(1), "database name"));
        }
        if (question >= 0) {
            for (String pair : tail.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("a query parameter of the connection string is not key=value");
                }
                String key = decode(pair.substring(0, eq), "query parameter name");
                keys.put(key, decode(pair.substring(eq + 1), "query parameter " + key));
            }
        }
        return keys;
    }

    private static int firstOf(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static void hostAndPort(String hostPort, Map<String, String> keys) {
        if (hostPort.contains(",")) {
            throw new IllegalArgumentException("the connection string names several hosts; test one host at a time");
        }
        String host = hostPort;
        String port = "";
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the IPv6 host of the connection string lacks its closing ]");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("the IPv6 host of the connection string must be followed by :port or nothing");
            }
            port = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            }
        }
        if (!host.isEmpty()) {
            keys.put("host", decode(host, "host"));
        }
        if (!port.isEmpty()) {
            keys.put("port", port);
        }
    }

    /** Percent-decoding as libpq does it: {@code %XX} to a byte, UTF-8; {@code +} stays {@code +}. */
    private static String decode(String value, String part) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(value.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("the " + part + " in the connection string holds a % that is not followed by two"
                            + " hex digits; write % as %25");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                    encoded = value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        String decoded = bytes.toString(StandardCharsets.UTF_8);
        if (decoded.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the " + part + " in the connection string holds %00");
        }
        return decoded;
    }

    private static Map<String, String> keywords(String s) {
        Map<String, String> keys = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return keys;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(start, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=' || key.isEmpty()) {
                throw new IllegalArgumentException(key.isEmpty() ? "the connection string has a value without a key"
                        : "the setting " + key + " in the connection string lacks =value");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("the quoted value of " + key + " in the connection string lacks its closing quote");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    value.append(c);
                }
            }
            keys.put(key, value.toString());
        }
    }
}
