package org.isthmus.mapping.document.pidf;

import java.util.Optional;

/** The basic status of a tuple (RFC 3863 §4.1.4): availability for communication. */
public enum Basic {
    /** The contact address is ready to accept communication. */
    OPEN("open"),
    /** The contact address is unable to accept communication. */
    CLOSED("closed");

    private final String wire;

    Basic(String wire) {
        this.wire = wire;
    }

    /** The element content, {@code open} or {@code closed}. */
    public String wire() {
        return wire;
    }

    /** The value for an element content, if it is one of the two RFC 3863 §4.1.4 strings. */
    public static Optional<Basic> fromWire(String text) {
        for (Basic b : values()) {
            if (b.wire.equals(text)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }
}
