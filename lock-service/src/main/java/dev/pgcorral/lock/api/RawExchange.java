package dev.pgcorral.lock.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request read straight off a socket, and its response. Only what lock-service's front
 * port needs: a request head, a body with Content-Length or chunked encoding, a response that either
 * has a length or streams until the connection closes. Every response closes the connection.
 */
final class RawExchange {

    static final int MAX_HEAD = 32 * 1024;
    static final int MAX_BODY = 1024 * 1024;
    /** The whole head must arrive within this, not just each byte (slow senders would hold a thread). */
    static final long HEAD_DEADLINE_NANOS = 30_000_000_000L;

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final String method;
    final String target;
    final String path;
    final String version;
    final Map<String, String> query;
    /** Header names lower-cased; in order of arrival. */
    final List<Map.Entry<String, String>> headers;

    private RawExchange(Socket socket, InputStream in, OutputStream out, String method, String target, String version,
                        List<Map.Entry<String, String>> headers) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.method = method;
        this.target = target;
        this.version = version;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        this.query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        this.headers = headers;
    }

    /** Reads a request head; null when the peer closed before sending one. */
    static RawExchange read(Socket socket, InputStream in, OutputStream out) throws IOException, BadRequest {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int state = 0;
        long deadline = System.nanoTime() + HEAD_DEADLINE_NANOS;
        while (true) {
            int b = in.read();
            if (System.nanoTime() > deadline) {
                throw new BadRequest(408, "Request head not received in time");
            }
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new BadRequest(400, "Incomplete request");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new BadRequest(431, "Request header fields too large");
            }
            state = switch (state) {
                case 0 -> b == '\r' ? 1 : b == '\n' ? 2 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 2 -> b == '\r' ? 3 : b == '\n' ? 4 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "Malformed request line");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "Malformed header line");
            }
            headers.add(Map.entry(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip()));
        }
        return new RawExchange(socket, in, out, requestLine[0], requestLine[1], requestLine[2], headers);
    }

    String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equals(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    String param(String name) {
        return query.get(name);
    }

    /** The request body as UTF-8 text (empty when there is none). */
    String body() throws IOException, BadRequest {
        if ("100-continue".equalsIgnoreCase(header("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        String encoding = header("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunked();
        }
        String length = header("content-length");
        if (length == null) {
            return "";
        }
        int n;
        try {
            n = Integer.parseInt(length.strip());
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "Invalid Content-Length");
        }
        if (n < 0 || n > MAX_BODY) {
            throw new BadRequest(413, "Request body too large");
        }
        byte[] body = in.readNBytes(n);
        if (body.length < n) {
            throw new BadRequest(400, "Incomplete request body");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private String readChunked() throws IOException, BadRequest {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "Malformed chunked body");
            }
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers are ignored
                }
                return body.toString(StandardCharsets.UTF_8);
            }
            if (size < 0 || body.size() + size > MAX_BODY) {
                throw new BadRequest(413, "Request body too large");
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException, BadRequest {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new BadRequest(400, "Incomplete request body");
            }
            if (b != '\r') {
                line.append((char) b);
            }
            if (line.length() > 1024) {
                throw new BadRequest(400, "Malformed chunked body");
            }
        }
        return line.toString();
    }

    /** A complete response with a body, then the connection is closed by the caller. */
    void respond(int status, String contentType, String body) throws IOException {
        write(out, status, contentType, body);
    }

    /** A complete response on any stream; every response closes the connection. */
    static void write(OutputStream out, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    void text(int status, String message) throws IOException {
        respond(status, "text/plain; charset=utf-8", message + "\n");
    }

    /** Status line and headers of a response whose body lasts until the connection closes. */
    void startStream(int status, Map<String, String> extraHeaders) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Cache-Control: no-store\r\n"
                + "Connection: close\r\n");
        extraHeaders.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                params.putIfAbsent(name, value);
            }
        }
        return params;
    }

    /** A request that cannot be understood; answered with {@code status} and the message. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
