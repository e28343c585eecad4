package org.isthmus.sip;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

import org.isthmus.mapping.address.SipUri;

/**
 * A received REGISTER request (RFC 3261 §10.2, §10.3) as the registrar in the gateway needs it.
 *
 * @param addressOfRecord the To URI in address-of-record form (no port, no parameters)
 * @param bindings        the Contact headers, in order; empty for a query or a wildcard
 * @param wildcard        true for {@code Contact: *} (the edge has checked it comes alone with
 *                        {@code Expires: 0}, §10.3 step 6)
 * @param expires         the Expires header, if any
 * @param callId          the Call-ID
 * @param cseq            the CSeq number
 * @param source          where the request came from: the received address, port and transport
 */
public record SipRegistration(SipUri addressOfRecord, List<SipBinding> bindings, boolean wildcard,
                              OptionalInt expires, String callId, long cseq, SipHop source) {
    public SipRegistration {
        Objects.requireNonNull(addressOfRecord, "addressOfRecord");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(source, "source");
        bindings = List.copyOf(bindings);
    }
}
