package org.isthmus.mapping.document.pidf;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <status>} of a tuple (RFC 3863 §4.1.3): the basic status and the status extensions.
 *
 * @param basic      {@code open} or {@code closed}, if present (RFC 3863 §4.1.4)
 * @param xmppShow   the text of a {@code <show xmlns='jabber:client'/>} child, the extension RFC 8048
 *                   §6.2 note 7 recommends for XMPP availability ({@code away}, {@code chat}, {@code dnd},
 *                   {@code xa}), if present
 * @param im         the text of an {@code <im:im>} child in {@code urn:ietf:params:xml:ns:pidf:im}
 *                   (RFC 3863 §4.3.1, used by RFC 3922 §5.1.5 and §5.2.10), if present
 * @param extensions other status values, kept opaque
 */
public record Status(Optional<Basic> basic, Optional<String> xmppShow, Optional<String> im,
                     List<XmlFragment> extensions) {
    public Status {
        Objects.requireNonNull(basic, "basic");
        Objects.requireNonNull(xmppShow, "xmppShow");
        Objects.requireNonNull(im, "im");
        extensions = List.copyOf(extensions);
    }

    /** A status of only a basic value. */
    public static Status of(Basic basic) {
        return new Status(Optional.of(basic), Optional.empty(), Optional.empty(), List.of());
    }
}
