package org.isthmus.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest computation of RFC 2617 §3.2.2 as RFC 3261 §22.4 uses it, with the SHA-256 algorithm of
 * RFC 8760 §2 (same construction, other hash). Only qop {@code auth} and no qop are supported;
 * {@code auth-int} and the {@code -sess} variants are not offered and not answered.
 */
final class Digest {

    private Digest() {
    }

    /** A digest algorithm: its token in the headers, its JDK name. */
    enum Algorithm {
        MD5("MD5", "MD5"),
        SHA_256("SHA-256", "SHA-256");

        final String token;
        private final String jdkName;

        Algorithm(String token, String jdkName) {
            this.token = token;
            this.jdkName = jdkName;
        }

        /** The algorithm named by a header's token (no token means MD5, RFC 2617 §3.2.1). */
        static Optional<Algorithm> of(String token) {
            if (token == null || token.isEmpty()) {
                return Optional.of(MD5);
            }
            String t = token.toUpperCase(Locale.ROOT);
            if (t.equals("MD5")) {
                return Optional.of(MD5);
            }
            if (t.equals("SHA-256")) {
                return Optional.of(SHA_256);
            }
            return Optional.empty();
        }

        /** Lower-case hex of the hash of the UTF-8 bytes of {@code text}. */
        String hash(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(jdkName)
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no " + jdkName, e);
            }
        }
    }

    /**
     * The request-digest (RFC 2617 §3.2.2.1): with qop {@code auth},
     * {@code KD(HA1, nonce:nc:cnonce:qop:HA2)}; without qop, {@code KD(HA1, nonce:HA2)};
     * HA2 = {@code H(method:digest-uri)}.
     */
    static String response(Algorithm algorithm, String ha1, String method, String uri, String nonce,
                           Optional<String> qop, String nc, String cnonce) {
        String ha2 = algorithm.hash(method + ":" + uri);
        if (qop.isPresent()) {
            return algorithm.hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop.get() + ":" + ha2);
        }
        return algorithm.hash(ha1 + ":" + nonce + ":" + ha2);
    }

    /** True if two hex digests are equal, in time independent of where they differ. */
    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                b.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
