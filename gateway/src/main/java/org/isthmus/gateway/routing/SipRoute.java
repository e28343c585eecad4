package org.isthmus.gateway.routing;

import java.util.Objects;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.SipHop;

/** How requests for the users of a SIP domain leave the gateway, when no registration says otherwise. */
public sealed interface SipRoute {

    /** Straight to one next hop: a proxy or a phone, by address, port and transport. */
    record Hop(SipHop hop) implements SipRoute {
        public Hop {
            Objects.requireNonNull(hop, "hop");
        }
    }

    /** Through an outbound proxy, as a preloaded loose route (RFC 3261 §8.1.2), located by RFC 3263. */
    record OutboundProxy(SipUri proxy) implements SipRoute {
        public OutboundProxy {
            Objects.requireNonNull(proxy, "proxy");
        }
    }

    /** To the domain's own servers, found by RFC 3263 (NAPTR, SRV, A/AAAA) with failover. */
    record Dns() implements SipRoute {
    }
}
