package org.isthmus.xmpp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The credential of the component handshake (XEP-0114 §3). */
final class ComponentHandshake {

    private ComponentHandshake() {
    }

    /** Lowercase hex SHA-1 of the stream id followed by the shared secret, as UTF-8 (XEP-0114 §3 steps 1-4). */
    static String digest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] hash = sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new XmppException("the JDK has no SHA-1", e);
        }
    }
}
