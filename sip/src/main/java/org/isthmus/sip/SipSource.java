package org.isthmus.sip;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a request, as the edge knows it before it reads anything else of it: what the gateway's
 * admission policy ({@link SipHandler#admit}) decides on, per source address, per partner and per
 * local user.
 *
 * @param method         the request method, e.g. {@code SUBSCRIBE}
 * @param address        the address the request came from (the transport peer, never a header)
 * @param transport      {@code udp}, {@code tcp} or {@code tls}
 * @param tlsIdentities  the identities of the peer's TLS certificate (RFC 5922 §7.1), empty without
 *                       TLS or without a client certificate
 * @param fromHost       the host of the From URI, lower case, if it is a SIP URI
 * @param recipient      the Request-URI as {@code user@host} (lower-case host), if it is a SIP URI with a user;
 *                       for a REGISTER the To URI, its address of record (RFC 3261 §10.2)
 */
public record SipSource(String method, InetAddress address, String transport, List<String> tlsIdentities,
                        Optional<String> fromHost, Optional<String> recipient) {
    public SipSource {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        tlsIdentities = List.copyOf(tlsIdentities);
        Objects.requireNonNull(fromHost, "fromHost");
        Objects.requireNonNull(recipient, "recipient");
    }

    /** Whether the request came over TLS. */
    public boolean isTls() {
        return transport.equals("tls");
    }
}
