package dev.pgcorral.ui.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.springframework.stereotype.Component;

import dev.pgcorral.ui.UiProperties;

/**
 * The password that opens the dashboard ({@link UiProperties#loginPassword()}). Kept only as a digest;
 * a presented password is digested too and the digests are compared in constant time, so neither the
 * content nor the length of the password shows in how long a wrong guess takes. Never logged.
 */
@Component
public class DashboardPassword {

    private final byte[] digest;

    public DashboardPassword(UiProperties properties) {
        this.digest = sha256(properties.loginPassword());
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(sha256(presented), digest);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
