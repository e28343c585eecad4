package org.isthmus.sip;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;

/**
 * Where an outbound request goes: its Request-URI and how to reach it. In order of precedence:
 * <ul>
 *   <li>a static next hop (a configured route, or the source address a contact registered from): sent
 *       there as is, no DNS;</li>
 *   <li>an outbound proxy: a pre-loaded {@code Route: <proxy;lr>} (RFC 3261 §8.1.2), sent to the servers
 *       RFC 3263 finds for the proxy URI;</li>
 *   <li>neither: sent to the servers RFC 3263 §4 finds for the Request-URI (NAPTR, SRV, A/AAAA; a
 *       numeric host or an explicit port skips the lookups that do not apply).</li>
 * </ul>
 * When RFC 3263 yields several servers, a transport error, timeout or 503 moves on to the next (§4.3).
 *
 * @param requestUri    the Request-URI, never rewritten by the edge
 * @param nextHop       the transport address to send to; empty to find it from the URI
 * @param outboundProxy the proxy to route through (its URI, e.g. {@code sip:192.0.2.1:5060;transport=tcp});
 *                      never present together with {@code nextHop}
 */
public record SipTarget(SipUri requestUri, Optional<SipHop> nextHop, Optional<SipUri> outboundProxy) {
    public SipTarget {
        Objects.requireNonNull(requestUri, "requestUri");
        Objects.requireNonNull(nextHop, "nextHop");
        Objects.requireNonNull(outboundProxy, "outboundProxy");
        if (nextHop.isPresent() && outboundProxy.isPresent()) {
            throw new SipException("a target has a static next hop or an outbound proxy, not both");
        }
    }

    /** A target with an optional static next hop (the walking skeleton's form). */
    public SipTarget(SipUri requestUri, Optional<SipHop> nextHop) {
        this(requestUri, nextHop, Optional.empty());
    }

    /** A target reached where its Request-URI points, found by RFC 3263. */
    public static SipTarget direct(SipUri requestUri) {
        return new SipTarget(requestUri, Optional.empty(), Optional.empty());
    }

    /** A target reached through {@code hop} (a static route). */
    public static SipTarget via(SipUri requestUri, SipHop hop) {
        return new SipTarget(requestUri, Optional.of(hop), Optional.empty());
    }

    /** A target reached through the outbound proxy {@code proxy} (RFC 3261 §8.1.2). */
    public static SipTarget viaOutboundProxy(SipUri requestUri, SipUri proxy) {
        return new SipTarget(requestUri, Optional.empty(), Optional.of(proxy));
    }
}
