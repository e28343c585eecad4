package org.isthmus.mapping.message;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.ImUri;

/**
 * The neutral form of an end-to-end secured instant message (RFC 3923 §3, §8): the outer source and
 * destination the gateway routes by, and the S/MIME object it relays untouched.
 *
 * @param from   the outer source address, with the sender's instance if known
 * @param to     the outer destination address
 * @param object the S/MIME object
 * @param thread the conversation identifier (XMPP {@code <thread/>}, SIP Call-ID), if any
 */
public record SecuredMessage(ImUri from, ImUri to, SecuredObject object, Optional<String> thread) {
    public SecuredMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(thread, "thread");
    }
}
