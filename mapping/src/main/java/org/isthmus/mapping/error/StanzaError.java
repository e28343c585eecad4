package org.isthmus.mapping.error;

import java.util.Objects;
import java.util.Optional;

/**
 * An XMPP stanza error (RFC 6120 §8.3): type, defined condition and optional descriptive text.
 *
 * @param type      the error type
 * @param condition the defined condition
 * @param text      the {@code <text/>} child, if any
 * @param address   the character data of {@code <gone/>} or {@code <redirect/>}: the entity's new
 *                  address (RFC 6120 §8.3.3.5, §8.3.3.14); empty for other conditions
 */
public record StanzaError(StanzaErrorType type, StanzaErrorCondition condition, Optional<String> text,
                          Optional<String> address) {
    public StanzaError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(address, "address");
    }

    /** An error with the condition's default type (RFC 6120 §8.3.3) and the given text (may be null). */
    public static StanzaError of(StanzaErrorCondition condition, String text) {
        return new StanzaError(condition.defaultType(), condition,
                Optional.ofNullable(text).filter(t -> !t.isEmpty()), Optional.empty());
    }

    /** A copy that names the entity's new address ({@code <gone/>} and {@code <redirect/>} only). */
    public StanzaError withAddress(String newAddress) {
        return new StanzaError(type, condition, text, Optional.of(newAddress));
    }
}
