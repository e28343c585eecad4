package org.isthmus.sip;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;

/**
 * Where an outbound request goes: its Request-URI and, optionally, the hop to hand it to.
 *
 * @param requestUri the Request-URI, never rewritten by the edge
 * @param nextHop    the transport address to send to (an outbound proxy, or the source address a
 *                   contact registered from); empty to send where the Request-URI points: its host,
 *                   its port or 5060, its transport parameter or UDP
 */
public record SipTarget(SipUri requestUri, Optional<SipHop> nextHop) {
    public SipTarget {
        Objects.requireNonNull(requestUri, "requestUri");
        Objects.requireNonNull(nextHop, "nextHop");
    }

    /** A target reached where its Request-URI points. */
    public static SipTarget direct(SipUri requestUri) {
        return new SipTarget(requestUri, Optional.empty());
    }

    /** A target reached through {@code hop}. */
    public static SipTarget via(SipUri requestUri, SipHop hop) {
        return new SipTarget(requestUri, Optional.of(hop));
    }
}
