package org.isthmus.sip;

import java.util.Objects;
import java.util.OptionalInt;

import org.isthmus.mapping.address.SipUri;

/**
 * One Contact of a REGISTER request or response (RFC 3261 §10.2.1, §10.3).
 *
 * @param contact the contact URI
 * @param expires the contact's {@code expires} parameter in seconds, if given
 */
public record SipBinding(SipUri contact, OptionalInt expires) {
    public SipBinding {
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(expires, "expires");
    }
}
