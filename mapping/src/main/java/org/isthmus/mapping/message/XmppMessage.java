package org.isthmus.mapping.message;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;

/**
 * An XMPP {@code <message/>} stanza as the gateway sees it (RFC 6121 §5.2): the parts RFC 7572 maps,
 * plus the error of a {@code type='error'} message (RFC 6120 §8.3).
 *
 * @param from    the sender
 * @param to      the recipient
 * @param id      the stanza id, if any
 * @param type    the message type
 * @param lang    the stanza's {@code xml:lang}, if any
 * @param body    the {@code <body/>} text in the stanza's language, if any
 * @param subject the {@code <subject/>} text, if any
 * @param thread  the {@code <thread/>} identifier, if any
 * @param error   the error, present exactly when {@code type} is {@link MessageType#ERROR}
 */
public record XmppMessage(Jid from, Jid to, Optional<String> id, MessageType type, Optional<String> lang,
                          Optional<String> body, Optional<String> subject, Optional<String> thread,
                          Optional<StanzaError> error) {
    public XmppMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lang, "lang");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(thread, "thread");
        Objects.requireNonNull(error, "error");
        if ((type == MessageType.ERROR) != error.isPresent()) {
            throw new IllegalArgumentException("an error message carries an error, and only it");
        }
    }

    /**
     * The error reply to this message (RFC 6120 §8.2): addresses swapped, the same id, and the
     * original body so the sender can tell which message failed.
     */
    public XmppMessage errorReply(StanzaError stanzaError) {
        return new XmppMessage(to, from, id, MessageType.ERROR, lang, body, subject, thread, Optional.of(stanzaError));
    }
}
