package org.isthmus.mapping.message;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;

/**
 * An XMPP {@code <message/>} stanza as the gateway sees it (RFC 6121 §5.2): the parts RFC 7572 maps,
 * every {@code <body/>} and {@code <subject/>} with its language (§5.2.3, §5.2.4), an XHTML-IM
 * payload (XEP-0071) and the error of a {@code type='error'} message (RFC 6120 §8.3).
 *
 * @param from     the sender
 * @param to       the recipient
 * @param id       the stanza id, if any
 * @param type     the message type
 * @param lang     the stanza's {@code xml:lang}, if any
 * @param bodies   the {@code <body/>} elements in order, each with its own {@code xml:lang} if it has one
 *                 (absent: the stanza's); no two in the same language (RFC 6121 §5.2.3)
 * @param subjects the {@code <subject/>} elements, likewise (RFC 6121 §5.2.4)
 * @param thread   the {@code <thread/>} identifier, if any
 * @param xhtml    the XHTML-IM body, if any
 * @param error    the error, present exactly when {@code type} is {@link MessageType#ERROR}
 * @param e2e      the end-to-end secured object the message carries, if any (RFC 3923 §3)
 */
public record XmppMessage(Jid from, Jid to, Optional<String> id, MessageType type, Optional<String> lang,
                          List<LocalizedText> bodies, List<LocalizedText> subjects, Optional<String> thread,
                          Optional<XhtmlIm> xhtml, Optional<StanzaError> error, Optional<E2ePayload> e2e) {
    public XmppMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lang, "lang");
        bodies = List.copyOf(bodies);
        subjects = List.copyOf(subjects);
        Objects.requireNonNull(thread, "thread");
        Objects.requireNonNull(xhtml, "xhtml");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(e2e, "e2e");
        if ((type == MessageType.ERROR) != error.isPresent()) {
            throw new IllegalArgumentException("an error message carries an error, and only it");
        }
        if (LocalizedText.hasDuplicateLanguage(bodies, lang) || LocalizedText.hasDuplicateLanguage(subjects, lang)) {
            throw new IllegalArgumentException("two bodies or two subjects in one language (RFC 6121 §5.2.3)");
        }
    }

    /** A message without an end-to-end secured object. */
    public XmppMessage(Jid from, Jid to, Optional<String> id, MessageType type, Optional<String> lang,
                       List<LocalizedText> bodies, List<LocalizedText> subjects, Optional<String> thread,
                       Optional<XhtmlIm> xhtml, Optional<StanzaError> error) {
        this(from, to, id, type, lang, bodies, subjects, thread, xhtml, error, Optional.empty());
    }

    /** A message with at most one body and one subject, both in the stanza's language, and no XHTML-IM. */
    public XmppMessage(Jid from, Jid to, Optional<String> id, MessageType type, Optional<String> lang,
                       Optional<String> body, Optional<String> subject, Optional<String> thread,
                       Optional<StanzaError> error) {
        this(from, to, id, type, lang, body.map(LocalizedText::of).stream().toList(),
                subject.map(LocalizedText::of).stream().toList(), thread, Optional.empty(), error);
    }

    /**
     * The text of the primary body: the one in the stanza's language (RFC 6121 §5.2.3: a body without
     * {@code xml:lang} is in it), else the first.
     */
    public Optional<String> body() {
        return primary(bodies).map(LocalizedText::text);
    }

    /** The language of the primary body: its own {@code xml:lang}, else the stanza's. */
    public Optional<String> bodyLang() {
        return primary(bodies).flatMap(b -> b.lang().or(() -> lang));
    }

    /** The text of the primary subject, chosen as for {@link #body()}. */
    public Optional<String> subject() {
        return primary(subjects).map(LocalizedText::text);
    }

    private Optional<LocalizedText> primary(List<LocalizedText> texts) {
        return LocalizedText.inLanguage(texts, lang, lang).or(() -> texts.stream().findFirst());
    }

    /**
     * The error reply to this message (RFC 6120 §8.2): addresses swapped, the same id, and the
     * original payload, the {@code <e2e/>} object included (RFC 3923 §7, Examples 16 to 18), so the
     * sender can tell which message failed.
     */
    public XmppMessage errorReply(StanzaError stanzaError) {
        return new XmppMessage(to, from, id, MessageType.ERROR, lang, bodies, subjects, thread, xhtml,
                Optional.of(stanzaError), e2e);
    }
}
