package org.isthmus.mapping.document.pidf;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The contact address of a tuple (RFC 3863 §4.1.5) with its optional priority.
 *
 * @param uri      the communication address, e.g. {@code im:juliet@example.com} or {@code tel:+1555}
 * @param priority the relative priority; absent means the lowest
 */
public record Contact(String uri, Optional<Qvalue> priority) {
    public Contact {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(priority, "priority");
    }

    /** The URI scheme in lower case, or the empty string when the address has none. */
    public String scheme() {
        int colon = uri.indexOf(':');
        return colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }
}
