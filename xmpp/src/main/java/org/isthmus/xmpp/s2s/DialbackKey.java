package org.isthmus.xmpp.s2s;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.isthmus.xmpp.XmppException;

/**
 * Dialback keys (XEP-0220 §2.1.1 and XEP-0185 §3):
 * {@code HMAC-SHA256(hex(SHA-256(secret)), receiving + ' ' + originating + ' ' + streamId)} in
 * lowercase hex. Only the server holding the secret can make or check one, so an authoritative
 * server needs no state per key.
 */
final class DialbackKey {

    private final byte[] hashedSecret;

    DialbackKey(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            // XEP-0185 §3 keys the HMAC with the hex text of the hash, not the raw bytes.
            this.hashedSecret = HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new XmppException("the JDK has no SHA-256", e);
        }
    }

    /** The key for a stream from {@code originating} to {@code receiving} with the receiving server's stream id. */
    String generate(String receiving, String originating, String streamId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hashedSecret, "HmacSHA256"));
            byte[] tag = mac.doFinal((receiving + ' ' + originating + ' ' + streamId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(tag);
        } catch (GeneralSecurityException e) {
            throw new XmppException("the JDK has no HmacSHA256", e);
        }
    }

    /** Whether {@code key} is the one this server made; compared in constant time. */
    boolean verify(String receiving, String originating, String streamId, String key) {
        byte[] expected = generate(receiving, originating, streamId).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, key.strip().getBytes(StandardCharsets.UTF_8));
    }
}
