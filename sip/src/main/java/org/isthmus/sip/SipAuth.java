package org.isthmus.sip;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Digest authentication (RFC 3261 §22) settings, both ways.
 *
 * @param users         the credentials the edge checks as a server: a REGISTER is challenged (401) when this
 *                      list is non-empty, and a request from a served domain from an untrusted peer may
 *                      authenticate with them instead of being refused (see {@link SipTrust})
 * @param client        the edge's own credentials, per realm, for 401/407 challenges from an outbound proxy
 *                      or peer (§22.2, §22.3)
 * @param nonceLifetime how long a nonce the edge issued stays valid; after that, a request using it is
 *                      challenged again with {@code stale=true} (RFC 2617 §3.2.1)
 */
public record SipAuth(List<DigestCredential> users, List<DigestCredential> client, Duration nonceLifetime) {

    /** Five minutes: long enough for a registration, short enough to limit a captured nonce's use. */
    public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofMinutes(5);

    /** No credentials: nothing is challenged, no challenge is answered. */
    public static final SipAuth NONE = new SipAuth(List.of(), List.of(), DEFAULT_NONCE_LIFETIME);

    public SipAuth {
        users = List.copyOf(users);
        client = List.copyOf(client);
        Objects.requireNonNull(nonceLifetime, "nonceLifetime");
        if (nonceLifetime.isNegative() || nonceLifetime.isZero()) {
            throw new SipException("nonce lifetime must be positive");
        }
    }

    /** Server-side credentials only, with the default nonce lifetime. */
    public static SipAuth users(List<DigestCredential> users) {
        return new SipAuth(users, List.of(), DEFAULT_NONCE_LIFETIME);
    }

    /** A copy with these client credentials. */
    public SipAuth withClient(List<DigestCredential> client) {
        return new SipAuth(users, client, nonceLifetime);
    }

    /** A copy with this nonce lifetime. */
    public SipAuth withNonceLifetime(Duration lifetime) {
        return new SipAuth(users, client, lifetime);
    }

    /** The server-side credential of {@code user} in {@code realm} (realm compared without case). */
    Optional<DigestCredential> user(String user, String realm) {
        return users.stream().filter(c -> c.user().equals(user) && c.realm().equalsIgnoreCase(realm)).findFirst();
    }

    /** True if some server-side credential is in {@code realm}. */
    boolean hasRealm(String realm) {
        String r = realm.toLowerCase(Locale.ROOT);
        return users.stream().anyMatch(c -> c.realm().toLowerCase(Locale.ROOT).equals(r));
    }

    /** The client credential for a challenge's realm. */
    Optional<DigestCredential> clientFor(String realm) {
        return client.stream().filter(c -> c.realm().equals(realm)).findFirst();
    }
}
