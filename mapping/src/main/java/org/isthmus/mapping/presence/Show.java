package org.isthmus.mapping.presence;

import java.util.Optional;

/** The availability sub-states of an available XMPP entity: the {@code <show/>} values of RFC 6121 §4.7.2.1. */
public enum Show {
    /** Temporarily away. */
    AWAY("away"),
    /** Actively interested in chatting. */
    CHAT("chat"),
    /** Busy ("do not disturb"). */
    DND("dnd"),
    /** Away for an extended period ("extended away"). */
    XA("xa");

    private final String wire;

    Show(String wire) {
        this.wire = wire;
    }

    /** The element content. */
    public String wire() {
        return wire;
    }

    /** The value for an element content, if it is one of the four RFC 6121 §4.7.2.1 defines. */
    public static Optional<Show> fromWire(String text) {
        for (Show s : values()) {
            if (s.wire.equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
