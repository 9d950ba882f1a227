package dev.pgcorral.lock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client of pgflock's /lock as its Go client behaves: GET with keep-alive off, require 200 and
 * {@code X-PGFlock-Version: 2}, read up to the first newline, keep the body open; closing is the unlock.
 * Raw sockets, so a test can close the connection at any moment, also before the answer came.
 */
final class PgflockConnection implements AutoCloseable {

    final Socket socket;
    private final InputStream in;
    int status = -1;
    final Map<String, String> headers = new LinkedHashMap<>();

    private PgflockConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Sends the request and returns at once, without waiting for the answer. */
    static PgflockConnection send(int port, String marker, String password) throws IOException {
        return sendQuery(port, "marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8));
    }

    /** Sends {@code GET /lock?<query>} with extra header lines ({@code "Name: value"}) and returns at once. */
    static PgflockConnection sendQuery(int port, String query, String... headerLines) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(120_000);
        StringBuilder request = new StringBuilder("GET /lock?" + query + " HTTP/1.1\r\n"
                + "Host: localhost:" + port + "\r\nUser-Agent: Go-http-client/1.1\r\nConnection: close\r\n"
                + "Accept-Encoding: gzip\r\n");
        for (String header : headerLines) {
            request.append(header).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return new PgflockConnection(socket);
    }

    /** Locks like {@code client.Lock}: returns the connection string, or throws on a non-200 answer. */
    static PgflockConnection lock(int port, String marker, String password) throws IOException {
        PgflockConnection connection = send(port, marker, password);
        connection.readHead();
        return connection;
    }

    /** As {@link #sendQuery}, then reads the answer's status line and headers. */
    static PgflockConnection lockQuery(int port, String query, String... headerLines) throws IOException {
        PgflockConnection connection = sendQuery(port, query, headerLines);
        connection.readHead();
        return connection;
    }

    /** Reads the status line and headers. */
    void readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
    }

    /** The first body line: the connection string of a granted lock, or an error text. */
    String firstLine() throws IOException {
        return readLine();
    }

    /** Reads until the server ends the response; returns what was left. */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
