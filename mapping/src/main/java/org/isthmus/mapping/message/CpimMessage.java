package org.isthmus.mapping.message;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.ImUri;

/**
 * The neutral instant message of CPIM (RFC 3860 §4.1, RFC 3862): source, destination, the text in
 * one or more languages and the attributes both protocols can carry (RFC 7572 Tables 1 and 2,
 * RFC 3922 §4).
 *
 * @param from     the source address
 * @param to       the destination address
 * @param bodies   the message text, at least one; the first is the primary one, in the sender's
 *                 language; each with its resolved language, no two in the same one
 * @param subjects the subjects, each with its resolved language, no two in the same one
 * @param thread   the conversation identifier (XMPP {@code <thread/>}, SIP Call-ID), if any
 * @param xhtml    the XHTML-IM form of the primary body, when the sender wrote HTML (RFC 7572 §7)
 */
public record CpimMessage(ImUri from, ImUri to, List<LocalizedText> bodies, List<LocalizedText> subjects,
                          Optional<String> thread, Optional<XhtmlIm> xhtml) {
    public CpimMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        bodies = List.copyOf(bodies);
        subjects = List.copyOf(subjects);
        Objects.requireNonNull(thread, "thread");
        Objects.requireNonNull(xhtml, "xhtml");
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("a message has a body");
        }
        if (LocalizedText.hasDuplicateLanguage(bodies, Optional.empty())
                || LocalizedText.hasDuplicateLanguage(subjects, Optional.empty())) {
            throw new IllegalArgumentException("two bodies or two subjects in one language");
        }
    }

    /** A message with one body and at most one subject, both in {@code lang}. */
    public CpimMessage(ImUri from, ImUri to, String body, Optional<String> lang, Optional<String> subject,
                       Optional<String> thread) {
        this(from, to, List.of(new LocalizedText(lang, body)),
                subject.map(s -> new LocalizedText(lang, s)).stream().toList(), thread, Optional.empty());
    }

    /** The primary body's text. */
    public String body() {
        return bodies.get(0).text();
    }

    /** The primary body's language. */
    public Optional<String> lang() {
        return bodies.get(0).lang();
    }

    /** The subject in the primary body's language, else one without a language, else the first. */
    public Optional<String> subject() {
        return LocalizedText.inLanguage(subjects, Optional.empty(), lang())
                .or(() -> LocalizedText.inLanguage(subjects, Optional.empty(), Optional.empty()))
                .or(() -> subjects.stream().findFirst())
                .map(LocalizedText::text);
    }
}
