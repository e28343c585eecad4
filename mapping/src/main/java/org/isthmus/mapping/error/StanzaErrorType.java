package org.isthmus.mapping.error;

import java.util.Locale;
import java.util.Optional;

/** The {@code type} attribute of an XMPP {@code <error/>} element (RFC 6120 §8.3.2). */
public enum StanzaErrorType {
    AUTH, CANCEL, CONTINUE, MODIFY, WAIT;

    /** The attribute value as it appears on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<StanzaErrorType> fromWire(String value) {
        for (StanzaErrorType t : values()) {
            if (t.wireName().equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
