package org.isthmus.xmpp.stanza;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.stream.XmlElement;

/** Converts between a {@code <message/>} element (RFC 6121 §5.2) and mapping's {@link XmppMessage}. */
public final class MessageCodec {

    private MessageCodec() {
    }

    /**
     * The message a {@code <message/>} element carries.
     *
     * <ul>
     *   <li>A missing or malformed {@code from} or {@code to} is refused with {@code jid-malformed}
     *       (RFC 6120 §8.3.3.8; XEP-0114 §3 requires both on a component stream).</li>
     *   <li>An unknown {@code type} reads as {@code normal} (RFC 6121 §5.2.2).</li>
     *   <li>The body and subject are the first ones in the stanza's language, a child without
     *       {@code xml:lang} inheriting it (RFC 6121 §5.2.3, RFC 6120 §8.1.5). When none is, the first
     *       one is taken and the message's language becomes that child's, so text and language stay
     *       together.</li>
     *   <li>A {@code type='error'} message without a readable {@code <error/>} reads as
     *       {@code undefined-condition}.</li>
     * </ul>
     */
    public static Mapped<XmppMessage> fromElement(XmlElement message) {
        Optional<String> fromText = message.attribute("from");
        Optional<String> toText = message.attribute("to");
        if (fromText.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "message without 'from'");
        }
        if (toText.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "message without 'to'");
        }
        Mapped<Jid> from = Jid.parse(fromText.get());
        if (!from.isOk()) {
            return from.map(j -> null);
        }
        Mapped<Jid> to = Jid.parse(toText.get());
        if (!to.isOk()) {
            return to.map(j -> null);
        }
        String ns = message.namespace();
        MessageType type = MessageType.fromWire(message.attribute("type").orElse(null)).orElse(MessageType.NORMAL);
        Optional<String> lang = message.attribute(XmlElement.XML_LANG).filter(l -> !l.isEmpty());

        Optional<XmlElement> body = inLanguage(message.children(ns, "body"), lang);
        if (body.isPresent() && !matches(body.get(), lang)) {
            lang = body.get().attribute(XmlElement.XML_LANG);
        }
        Optional<String> subject = inLanguage(message.children(ns, "subject"), lang).map(XmlElement::text);
        Optional<String> thread = message.child(ns, "thread").map(XmlElement::text);
        Optional<StanzaError> error = Optional.empty();
        if (type == MessageType.ERROR) {
            error = Optional.of(message.child(ns, "error").map(StanzaErrors::fromElement)
                    .orElseGet(() -> StanzaError.of(StanzaErrorCondition.UNDEFINED_CONDITION, null)));
        }
        return Mapped.ok(new XmppMessage(from.orThrow(), to.orThrow(), message.attribute("id"), type, lang,
                body.map(XmlElement::text), subject, thread, error));
    }

    private static Optional<XmlElement> inLanguage(List<XmlElement> candidates, Optional<String> lang) {
        for (XmlElement candidate : candidates) {
            if (matches(candidate, lang)) {
                return Optional.of(candidate);
            }
        }
        return candidates.stream().findFirst();
    }

    private static boolean matches(XmlElement child, Optional<String> stanzaLang) {
        Optional<String> childLang = child.attribute(XmlElement.XML_LANG);
        if (childLang.isEmpty()) {
            return true;
        }
        // Language tags compare case-insensitively (RFC 5646 §2.1.1).
        return stanzaLang.isPresent()
                && childLang.get().toLowerCase(Locale.ROOT).equals(stanzaLang.get().toLowerCase(Locale.ROOT));
    }

    /**
     * The {@code <message/>} element for a message, in the stream's content namespace:
     * {@code from}, {@code to}, {@code id}, {@code type} (left out for {@code normal}) and
     * {@code xml:lang}, then subject, body, thread and the error (RFC 6121 §5.2, RFC 6120 §8.3.2).
     */
    public static XmlElement toElement(XmppMessage message, String namespace) {
        XmlElement.Builder element = XmlElement.builder(namespace, "message")
                .attribute("from", message.from().toString())
                .attribute("to", message.to().toString())
                .attribute("id", message.id());
        if (message.type() != MessageType.NORMAL) {
            element.attribute("type", message.type().wireName());
        }
        element.attribute(XmlElement.XML_LANG, message.lang());
        message.subject().ifPresent(s -> element.child(XmlElement.builder(namespace, "subject").text(s).build()));
        message.body().ifPresent(b -> element.child(XmlElement.builder(namespace, "body").text(b).build()));
        message.thread().ifPresent(t -> element.child(XmlElement.builder(namespace, "thread").text(t).build()));
        message.error().ifPresent(e -> element.child(StanzaErrors.toElement(e, namespace)));
        return element.build();
    }
}
