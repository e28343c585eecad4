package org.isthmus.mapping;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A text in one language, on either side: an XMPP {@code <body/>}, {@code <subject/>} or
 * {@code <status/>} with its {@code xml:lang} (RFC 6121 §5.2.3, §5.2.4, §4.7.2.2), a SIP body with its
 * Content-Language, a CPIM Subject with its {@code ;lang=} (RFC 3862 §3.3), a PIDF {@code <note/>}
 * (RFC 3863 §4.1.6).
 *
 * @param lang the RFC 5646 language tag declared on the text itself, if any; absent means the language
 *             of its context (the stanza's {@code xml:lang}, or Content-Language); a neutral value
 *             (CpimMessage) holds the resolved language
 * @param text the text
 */
public record LocalizedText(Optional<String> lang, String text) {

    public LocalizedText {
        Objects.requireNonNull(lang, "lang");
        Objects.requireNonNull(text, "text");
        if (lang.isPresent() && lang.get().isEmpty()) {
            lang = Optional.empty();
        }
    }

    public static LocalizedText of(String text) {
        return new LocalizedText(Optional.empty(), text);
    }

    /** A text in the given language. */
    public static LocalizedText in(String lang, String text) {
        return new LocalizedText(Optional.of(lang), text);
    }

    /** Language tags compare case-insensitively (RFC 5646 §2.1.1); two absent tags are the same. */
    public static boolean sameLanguage(Optional<String> a, Optional<String> b) {
        return a.map(x -> x.toLowerCase(Locale.ROOT)).equals(b.map(x -> x.toLowerCase(Locale.ROOT)));
    }

    /** The first text whose language, resolved against {@code defaultLang}, is {@code wanted}. */
    public static Optional<LocalizedText> inLanguage(List<LocalizedText> texts, Optional<String> defaultLang,
                                              Optional<String> wanted) {
        for (LocalizedText t : texts) {
            if (sameLanguage(t.lang.or(() -> defaultLang), wanted)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether two of the texts share a language once resolved against {@code defaultLang}. */
    public static boolean hasDuplicateLanguage(List<LocalizedText> texts, Optional<String> defaultLang) {
        for (int i = 0; i < texts.size(); i++) {
            for (int j = i + 1; j < texts.size(); j++) {
                if (sameLanguage(texts.get(i).lang.or(() -> defaultLang), texts.get(j).lang.or(() -> defaultLang))) {
                    return true;
                }
            }
        }
        return false;
    }
}
