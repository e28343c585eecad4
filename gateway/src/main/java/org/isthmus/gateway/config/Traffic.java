package org.isthmus.gateway.config;

import java.util.Locale;

/** The kinds of traffic the abuse limits count separately, each named as in gateway.yaml. */
public enum Traffic {
    /** Pager-mode messages: SIP MESSAGE (RFC 3428), XMPP {@code <message/>}. */
    MESSAGES,
    /** Subscription requests: SIP SUBSCRIBE (RFC 6665), XMPP subscription stanzas and probes (RFC 6121 §3, §4.3). */
    SUBSCRIPTIONS,
    /** Presence updates: SIP NOTIFY (RFC 6665 §4.1.3), XMPP availability presence (RFC 6121 §4.7). */
    PRESENCE,
    /** Registrations: SIP REGISTER (RFC 3261 §10), limited per source address and per address of record. */
    REGISTRATIONS;

    /** The name in gateway.yaml and in metric tags. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
