package org.isthmus.gateway.config;

/**
 * The abuse limits of gateway.yaml's {@code limits} section: token buckets per SIP source address, per
 * XMPP domain (a peer's, or the domain of the users behind a component link) and per XMPP user (the
 * XMPP party of each exchange), each by kind of traffic. Over its limit a SIP request gets 503 with
 * Retry-After (RFC 3261 §21.5.4, §20.33), an XMPP stanza a {@code resource-constraint} error (RFC 6120
 * §8.3.3.18, type {@code wait}).
 *
 * @param sipSource  per SIP source address (or per SIP partner: all its addresses share one bucket)
 * @param xmppDomain per XMPP domain the stanzas come from
 * @param xmppUser   per XMPP user, bare JID
 * @param sipAor     per SIP address of record a REGISTER names in its To (RFC 3261 §10.2); only
 *                   {@code registrations}
 * @param maxTracked the most keys held per scope; past it the least recently seen idle key is
 *                   forgotten, and when none is idle new keys share one bucket, so memory stays bounded
 */
public record LimitSettings(Limits sipSource, Limits xmppDomain, Limits xmppUser, Limits sipAor, int maxTracked) {

    /** The default of {@link #maxTracked}. */
    public static final int DEFAULT_MAX_TRACKED = 100_000;

    /** No limits: the gateway without a {@code limits} section. */
    public static final LimitSettings NONE = new LimitSettings(Limits.NONE, Limits.NONE, Limits.NONE, Limits.NONE,
            DEFAULT_MAX_TRACKED);

    public LimitSettings {
        if (maxTracked < 1) {
            throw new IllegalArgumentException("maxTracked must be positive");
        }
    }

    /** Limits without a per address-of-record scope. */
    public LimitSettings(Limits sipSource, Limits xmppDomain, Limits xmppUser, int maxTracked) {
        this(sipSource, xmppDomain, xmppUser, Limits.NONE, maxTracked);
    }

    /** Whether any rate is set. */
    public boolean any() {
        return !sipSource.rates().isEmpty() || !xmppDomain.rates().isEmpty() || !xmppUser.rates().isEmpty()
                || !sipAor.rates().isEmpty();
    }
}
