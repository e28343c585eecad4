package org.isthmus.mapping;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Why something could not be mapped. The condition is the neutral vocabulary both edges render: the
 * XMPP edge as a stanza error, the SIP edge as the status of RFC 7247 §7.1, unless {@code sipStatus}
 * names a more exact one that a SIP specification requires (e.g. 415 for an unsupported body type,
 * RFC 3428 §7).
 *
 * @param condition the RFC 6120 §8.3.3 condition that describes the failure
 * @param text      a human-readable reason, safe to send to the peer (no secrets, no stack traces)
 * @param sipStatus the SIP status to use instead of the table's, when SIP has an exact one
 */
public record Rejected(StanzaErrorCondition condition, String text, Optional<SipStatus> sipStatus) {
    public Rejected {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sipStatus, "sipStatus");
    }

    public Rejected(StanzaErrorCondition condition, String text) {
        this(condition, text, Optional.empty());
    }
}
