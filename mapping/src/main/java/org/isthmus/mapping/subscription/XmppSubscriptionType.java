package org.isthmus.mapping.subscription;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code type} of an XMPP {@code <presence/>} stanza as the subscription layer sends and receives
 * it: the four subscription types and the probe of RFC 6121 §3 and §4.3, the bare {@code unavailable}
 * that RFC 8048 §5.3.3 sends when a SIP watcher ends its notification dialog, and {@code error}
 * (RFC 6120 §8.3) for a failed request.
 */
public enum XmppSubscriptionType {
    /** A request for authorization to see the addressee's presence (RFC 6121 §3.1). */
    SUBSCRIBE,
    /** Approval of a subscription request (RFC 6121 §3.1.5). */
    SUBSCRIBED,
    /** Cancellation of one's own subscription (RFC 6121 §3.3). */
    UNSUBSCRIBE,
    /** Denial or revocation of another's subscription (RFC 6121 §3.2). */
    UNSUBSCRIBED,
    /** A request for current presence, sent by a server (RFC 6121 §4.3). */
    PROBE,
    /** The end of a presence session, with no show or status (RFC 8048 §5.3.3 step 2, RFC 6121 §4.5). */
    UNAVAILABLE,
    /** A failed request (RFC 6120 §8.3); the stanza carries the error. */
    ERROR;

    /** The attribute value on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for an attribute value; empty for values that are not one of these. */
    public static Optional<XmppSubscriptionType> fromWire(String value) {
        for (XmppSubscriptionType t : values()) {
            if (t.wireName().equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
