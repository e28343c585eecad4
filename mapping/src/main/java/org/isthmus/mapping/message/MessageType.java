package org.isthmus.mapping.message;

import java.util.Locale;
import java.util.Optional;

/** The {@code type} of an XMPP message stanza (RFC 6121 §5.2.2). */
public enum MessageType {
    NORMAL, CHAT, GROUPCHAT, HEADLINE, ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for an attribute value; an absent attribute means {@link #NORMAL}. */
    public static Optional<MessageType> fromWire(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of(NORMAL);
        }
        for (MessageType t : values()) {
            if (t.wireName().equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
