package dev.pgcorral.migration.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts node passwords for storage: AES-256-GCM with a fresh 12-byte nonce each time, stored as
 * {@code enc:v1:} + base64(nonce ‖ ciphertext ‖ 16-byte tag), pgmanager's format. The empty password stays
 * empty. The key comes from {@link ClusterKey}; neither it nor a password is ever logged.
 */
public final class PasswordCipher {

    static final String PREFIX = "enc:v1:";

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** @param key the 32 bytes of an AES-256 key */
    public PasswordCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /** The stored form of {@code password}; {@code ""} for an empty one. */
    public String encrypt(String password) {
        if (password == null || password.isEmpty()) {
            return "";
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(password.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this Java runtime: " + e.getMessage(), e);
        }
    }

    /**
     * The password {@code stored} holds; {@code ""} for an empty one.
     *
     * @throws UndecryptablePassword when it is not in the {@code enc:v1:} form or was encrypted with another key
     */
    public String decrypt(String stored) {
        if (stored == null || stored.isEmpty()) {
            return "";
        }
        if (!stored.startsWith(PREFIX)) {
            throw new UndecryptablePassword("it is not in the enc:v1: form");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new UndecryptablePassword("its enc:v1: value is not base64");
        }
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UndecryptablePassword("its enc:v1: value is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new UndecryptablePassword("it was encrypted with another key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this Java runtime: " + e.getMessage(), e);
        }
    }

    /** A stored password this cipher cannot read; the message says why, never what it holds. */
    public static final class UndecryptablePassword extends RuntimeException {
        UndecryptablePassword(String why) {
            super(why, null, false, false);
        }
    }
}
