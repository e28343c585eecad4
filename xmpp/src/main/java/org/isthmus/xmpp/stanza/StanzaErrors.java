package org.isthmus.xmpp.stanza;

import java.util.Optional;

import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.StanzaErrorType;
import org.isthmus.xmpp.stream.XmlElement;

/** Reads and writes the {@code <error/>} child of a stanza (RFC 6120 §8.3.2) and builds error replies (§8.2). */
public final class StanzaErrors {

    private StanzaErrors() {
    }

    /**
     * The {@code <error/>} element, in the stanza's namespace: {@code type}, the condition element
     * (carrying the new address for {@code <gone/>} and {@code <redirect/>}, RFC 6120 §8.3.3.5 and
     * §8.3.3.14) and the optional {@code <text/>} (RFC 6120 §8.3.2).
     */
    public static XmlElement toElement(StanzaError error, String stanzaNamespace) {
        XmlElement.Builder condition = XmlElement.builder(StanzaErrorCondition.NAMESPACE, error.condition().elementName());
        error.address().ifPresent(condition::text);
        XmlElement.Builder element = XmlElement.builder(stanzaNamespace, "error")
                .attribute("type", error.type().wireName())
                .child(condition.build());
        error.text().ifPresent(t -> element.child(XmlElement.builder(StanzaErrorCondition.NAMESPACE, "text").text(t).build()));
        return element.build();
    }

    /**
     * The error an {@code <error/>} element carries. A missing or unknown condition reads as
     * {@code undefined-condition} (RFC 6120 §8.3.3.21); a missing or unknown type as the condition's
     * usual type.
     */
    public static StanzaError fromElement(XmlElement error) {
        StanzaErrorCondition condition = StanzaErrorCondition.UNDEFINED_CONDITION;
        Optional<String> address = Optional.empty();
        Optional<String> text = Optional.empty();
        for (XmlElement child : error.children()) {
            if (!child.namespace().equals(StanzaErrorCondition.NAMESPACE)) {
                continue; // application-specific conditions (RFC 6120 §8.3.4) are not mapped
            }
            if (child.name().equals("text")) {
                text = Optional.of(child.text());
            } else if (condition == StanzaErrorCondition.UNDEFINED_CONDITION) {
                condition = StanzaErrorCondition.fromElementName(child.name())
                        .orElse(StanzaErrorCondition.UNDEFINED_CONDITION);
                String characters = child.text().strip();
                if ((condition == StanzaErrorCondition.GONE || condition == StanzaErrorCondition.REDIRECT)
                        && !characters.isEmpty()) {
                    address = Optional.of(characters);
                }
            }
        }
        StanzaErrorCondition c = condition;
        StanzaErrorType type = error.attribute("type").flatMap(StanzaErrorType::fromWire).orElseGet(c::defaultType);
        return new StanzaError(type, c, text, address);
    }

    /**
     * The error reply to a stanza (RFC 6120 §8.2, §8.3.1): same kind and id, {@code type='error'},
     * addressed back to the sender, from {@code replyFrom}; with the original payload when asked.
     *
     * @param stanza         the stanza that failed; it must carry a {@code from} address
     * @param error          the error to report
     * @param replyFrom      the address the reply comes from, normally the original {@code to}
     * @param includePayload whether to copy the original children, which RFC 6120 §8.3.1 allows
     */
    public static XmlElement errorReply(XmlElement stanza, StanzaError error, String replyFrom, boolean includePayload) {
        String to = stanza.attribute("from")
                .orElseThrow(() -> new IllegalArgumentException("a stanza without 'from' has no reply address"));
        XmlElement.Builder reply = XmlElement.builder(stanza.namespace(), stanza.name())
                .attribute("from", replyFrom)
                .attribute("to", to)
                .attribute("id", stanza.attribute("id"))
                .attribute("type", "error")
                .attribute(XmlElement.XML_LANG, stanza.attribute(XmlElement.XML_LANG));
        if (includePayload) {
            for (XmlElement child : stanza.children()) {
                if (!child.is(stanza.namespace(), "error")) {
                    reply.child(child);
                }
            }
        }
        return reply.child(toElement(error, stanza.namespace())).build();
    }
}
