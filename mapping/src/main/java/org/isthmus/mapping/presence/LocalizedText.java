package org.isthmus.mapping.presence;

import java.util.Objects;
import java.util.Optional;

/**
 * A natural-language text with its declared language: an XMPP {@code <status/>} (RFC 6121 §4.7.2.2)
 * or a PIDF {@code <note/>} (RFC 3863 §4.1.6).
 *
 * @param text the text
 * @param lang the RFC 5646 language tag declared on the element itself, if any; without one the text is
 *             in the language of its context (the stanza's {@code xml:lang}, or Content-Language)
 */
public record LocalizedText(String text, Optional<String> lang) {
    public LocalizedText {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(lang, "lang");
    }

    /** A text in the language of its context. */
    public static LocalizedText of(String text) {
        return new LocalizedText(text, Optional.empty());
    }

    /** A text in the given language. */
    public static LocalizedText of(String text, String lang) {
        return new LocalizedText(text, Optional.of(lang));
    }
}
