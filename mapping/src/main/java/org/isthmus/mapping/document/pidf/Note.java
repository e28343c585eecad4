package org.isthmus.mapping.document.pidf;

import java.util.Objects;
import java.util.Optional;

/**
 * A human-readable comment (RFC 3863 §4.1.6, RFC 4479 {@code dm:note}, RFC 4480 {@code rpid:note}),
 * with the language of its text when declared by {@code xml:lang}.
 *
 * @param text the comment
 * @param lang the RFC 5646 language tag of the text, if declared on the element
 */
public record Note(String text, Optional<String> lang) {
    public Note {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(lang, "lang");
    }

    /** A note without a declared language. */
    public static Note of(String text) {
        return new Note(text, Optional.empty());
    }

    /** A note in the given language. */
    public static Note of(String text, String lang) {
        return new Note(text, Optional.of(lang));
    }
}
