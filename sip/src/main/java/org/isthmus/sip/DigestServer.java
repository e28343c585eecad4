package org.isthmus.sip;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server half of digest authentication (RFC 3261 §22.1, §22.4; RFC 2617 §3.2.1, §3.2.2): issues
 * nonces and checks credentials against {@link SipAuth#users()}.
 *
 * <p>A nonce is self-validating, so no table of issued nonces is needed: its issue time, 8 random bytes
 * and an HMAC-SHA-256 over both with a key made when the edge starts. It is stale (RFC 2617 §3.2.1
 * {@code stale=true}) once older than the lifetime. Replay protection: for qop {@code auth} the nonce count
 * must grow with each use of a nonce (§3.2.2 "nc"); a nonce used without qop is good once. The table of
 * counts is bounded; a nonce that falls out of it is refused as a replay and the client is challenged anew.
 */
final class DigestServer {

    /** Nonces whose last count is remembered; past this, the oldest are forgotten (and so refused). */
    private static final int NONCE_MEMORY = 16384;

    private static final int MAC_BYTES = 16;

    private final SipAuth auth;
    private final Clock clock;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> counts = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > NONCE_MEMORY;
        }
    };

    DigestServer(SipAuth auth, Clock clock) {
        this.auth = auth;
        this.clock = clock;
        byte[] k = new byte[32];
        random.nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    /** The credentials the client sent, as read from an Authorization header. */
    record Answer(String username, String realm, String nonce, String uri, String response, String algorithm,
                  Optional<String> qop, String nc, String cnonce) {
    }

    /** What checking an {@link Answer} found. */
    sealed interface Verdict {
        /** The credentials are right: {@code user} is authenticated in the realm. */
        record Ok(String user) implements Verdict {
        }

        /** The response was right for a nonce that has expired: challenge again with stale=true. */
        record Stale() implements Verdict {
        }

        /** Wrong, unknown, replayed or malformed: {@code why} is for the log. */
        record Failed(String why) implements Verdict {
        }
    }

    /** A fresh nonce. */
    String nonce() {
        ByteBuffer b = ByteBuffer.allocate(16 + MAC_BYTES);
        b.putLong(clock.millis());
        byte[] salt = new byte[8];
        random.nextBytes(salt);
        b.put(salt);
        b.put(mac(b.array(), 16), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** Checks credentials for {@code method} in {@code realm}. */
    Verdict verify(Answer a, String method, String realm) {
        if (!a.realm().equalsIgnoreCase(realm)) {
            return new Verdict.Failed("realm " + a.realm() + " is not " + realm);
        }
        Optional<Digest.Algorithm> algorithm = Digest.Algorithm.of(a.algorithm());
        if (algorithm.isEmpty()) {
            return new Verdict.Failed("unsupported algorithm " + a.algorithm());
        }
        if (a.qop().isPresent() && !a.qop().get().equalsIgnoreCase("auth")) {
            return new Verdict.Failed("unsupported qop " + a.qop().get());
        }
        Optional<Long> issued = issued(a.nonce());
        if (issued.isEmpty()) {
            return new Verdict.Failed("nonce not issued here");
        }
        Optional<String> ha1 = auth.user(a.username(), realm).flatMap(c -> c.ha1(algorithm.get().token));
        if (ha1.isEmpty()) {
            return new Verdict.Failed("no " + algorithm.get().token + " credential for user " + a.username());
        }
        String expected = Digest.response(algorithm.get(), ha1.get(), method, a.uri(), a.nonce(), a.qop(), a.nc(),
                a.cnonce());
        if (!Digest.same(expected, a.response())) {
            return new Verdict.Failed("wrong response for user " + a.username());
        }
        if (clock.millis() - issued.get() > auth.nonceLifetime().toMillis()) {
            return new Verdict.Stale();
        }
        long nc;
        if (a.qop().isPresent()) {
            try {
                nc = Long.parseLong(a.nc(), 16);
            } catch (NumberFormatException e) {
                return new Verdict.Failed("malformed nc");
            }
        } else {
            nc = 1;
        }
        synchronized (counts) {
            Long last = counts.get(a.nonce());
            if (last != null && nc <= last) {
                return new Verdict.Failed("replayed nonce count " + a.nc() + " for user " + a.username());
            }
            counts.put(a.nonce(), nc);
        }
        return new Verdict.Ok(a.username());
    }

    /** The issue time of a nonce minted here with its MAC intact. */
    private Optional<Long> issued(String nonce) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != 16 + MAC_BYTES) {
            return Optional.empty();
        }
        byte[] mac = mac(raw, 16);
        byte[] given = new byte[MAC_BYTES];
        System.arraycopy(raw, 16, given, 0, MAC_BYTES);
        byte[] want = new byte[MAC_BYTES];
        System.arraycopy(mac, 0, want, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(given, want)) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(raw).getLong());
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(data, 0, length);
            return m.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
