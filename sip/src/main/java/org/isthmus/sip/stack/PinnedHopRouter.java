package org.isthmus.sip.stack;

import java.util.Collections;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.message.Request;

import gov.nist.javax.sip.stack.HopImpl;

/**
 * A JAIN-SIP router that sends each request to the hop its sender chose, without touching the request.
 *
 * <p>JAIN-SIP asks its router for the next hop once, on the thread that creates the client transaction
 * ({@code SipProvider.getNewClientTransaction}). The edge decides the hop itself (an explicit next hop,
 * or the Request-URI's host, port and transport, with RFC 3261 §18.1.1's switch to TCP for large
 * requests) and runs the transaction's creation inside {@link #withHop(Hop, Supplier)}, which makes that
 * hop the answer for this thread only. This routes like a pre-loaded loose route (RFC 3261 §8.1.2)
 * without adding a Route header the recipient would see. A request asked about outside
 * {@code withHop} goes where its Request-URI points (port 5060 or 5061, transport parameter or UDP).
 */
public final class PinnedHopRouter implements Router {

    private final ThreadLocal<Hop> pinned = new ThreadLocal<>();

    /**
     * Created by JAIN-SIP from the {@code javax.sip.ROUTER_PATH} property.
     *
     * @param sipStack      the stack (unused)
     * @param outboundProxy the {@code javax.sip.OUTBOUND_PROXY} property (unused: the edge routes)
     */
    public PinnedHopRouter(SipStack sipStack, String outboundProxy) {
        // Both arguments are part of the constructor JAIN-SIP requires; routing is the edge's.
    }

    /** Runs {@code action} (which creates a client transaction) with {@code hop} as the next hop. */
    public <T> T withHop(Hop hop, Supplier<T> action) {
        Objects.requireNonNull(hop, "hop");
        Hop previous = pinned.get();
        pinned.set(hop);
        try {
            return action.get();
        } finally {
            if (previous == null) {
                pinned.remove();
            } else {
                pinned.set(previous);
            }
        }
    }

    /** A hop in JAIN-SIP's form; {@code transport} is {@code udp} or {@code tcp}. */
    public static Hop hop(String host, int port, String transport) {
        return new HopImpl(host, port, transport.toLowerCase(Locale.ROOT));
    }

    @Override
    public Hop getNextHop(Request request) {
        Hop hop = pinned.get();
        if (hop != null) {
            return hop;
        }
        URI uri = request.getRequestURI();
        if (!(uri instanceof SipURI sip)) {
            return null;
        }
        String transport = sip.getTransportParam() != null ? sip.getTransportParam() : "udp";
        int port = sip.getPort() > 0 ? sip.getPort() : (sip.isSecure() ? 5061 : 5060);
        return new HopImpl(sip.getHost(), port, transport.toLowerCase(Locale.ROOT));
    }

    @Override
    public Hop getOutboundProxy() {
        return null;
    }

    @Override
    @Deprecated
    public ListIterator<Hop> getNextHops(Request request) {
        Hop hop = getNextHop(request);
        return hop == null ? Collections.<Hop>emptyList().listIterator()
                : Collections.singletonList(hop).listIterator();
    }
}
