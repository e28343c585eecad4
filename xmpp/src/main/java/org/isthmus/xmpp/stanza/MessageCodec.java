package org.isthmus.xmpp.stanza;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.message.XhtmlIm;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;

/** Converts between a {@code <message/>} element (RFC 6121 §5.2) and mapping's {@link XmppMessage}. */
public final class MessageCodec {

    /** XEP-0131 (Stanza Headers and Internet Metadata): where the gateway's signature check is written. */
    static final String SHIM_NAMESPACE = "http://jabber.org/protocol/shim";
    /** The RFC 8601 header that names the result of a signature check. */
    static final String AUTHENTICATION_RESULTS = "Authentication-Results";

    private MessageCodec() {
    }

    /**
     * The message a {@code <message/>} element carries.
     *
     * <ul>
     *   <li>A missing or malformed {@code from} or {@code to} is refused with {@code jid-malformed}
     *       (RFC 6120 §8.3.3.8; XEP-0114 §3 requires both on a component stream).</li>
     *   <li>An unknown {@code type} reads as {@code normal} (RFC 6121 §5.2.2).</li>
     *   <li>Every {@code <body/>} and {@code <subject/>} is read with its own {@code xml:lang}, a child
     *       without one being in the stanza's language (RFC 6121 §5.2.3, §5.2.4, RFC 6120 §8.1.5). A
     *       second child in a language already seen is dropped, as §5.2.3 forbids it. When no body is
     *       in the stanza's language, the message's language becomes the first body's, so the primary
     *       text and its language stay together; children that had inherited the old language then
     *       carry it explicitly; if the stanza had none, a child without one that then falls into a
     *       language already seen is dropped, as above.</li>
     *   <li>A {@code type='error'} message without a readable {@code <error/>} reads as
     *       {@code undefined-condition}.</li>
     *   <li>An {@code <e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/>} child is read as its character
     *       data (RFC 3923 §9); headers the sender wrote about it are not read, so no one can pass off
     *       a verification of their own as the gateway's.</li>
     * </ul>
     */
    public static Mapped<XmppMessage> fromElement(XmlElement message) {
        return StanzaAddresses.of(message).map(addresses -> read(message, addresses));
    }

    private static XmppMessage read(XmlElement message, StanzaAddresses addresses) {
        String ns = message.namespace();
        MessageType type = MessageType.fromWire(message.attribute("type").orElse(null)).orElse(MessageType.NORMAL);
        Optional<String> stanzaLang = message.attribute(XmlElement.XML_LANG).filter(l -> !l.isEmpty());

        List<LocalizedText> bodies = texts(message.children(ns, "body"), stanzaLang);
        List<LocalizedText> subjects = texts(message.children(ns, "subject"), stanzaLang);
        Optional<String> lang = stanzaLang;
        if (!bodies.isEmpty() && bodies.stream().noneMatch(b -> inLanguage(b, stanzaLang, stanzaLang))) {
            lang = bodies.get(0).lang();
            // Without a stanza language a child without one falls into the new language, where another
            // child may already be: the first one per language stays, as on reading.
            bodies = firstPerLanguage(explicit(bodies, stanzaLang), lang);
            subjects = firstPerLanguage(explicit(subjects, stanzaLang), lang);
        }
        Optional<String> thread = message.child(ns, "thread").map(XmlElement::text);
        Optional<StanzaError> error = Optional.empty();
        if (type == MessageType.ERROR) {
            error = Optional.of(message.child(ns, "error").map(StanzaErrors::fromElement)
                    .orElseGet(() -> StanzaError.of(StanzaErrorCondition.UNDEFINED_CONDITION, null)));
        }
        Optional<E2ePayload> e2e = message.child(SecuredObject.E2E_NAMESPACE, "e2e")
                .map(e -> E2ePayload.of(e.text()));
        return new XmppMessage(addresses.from(), addresses.to(), message.attribute("id"), type, lang,
                bodies, subjects, thread, Optional.empty(), error, e2e);
    }

    /**
     * Adds an {@code <e2e/>} child (RFC 3923 §9) and, when the gateway tagged it, the XEP-0131 header with
     * its signature check: the same in a message and a presence.
     */
    static void e2e(XmlElement.Builder element, E2ePayload payload) {
        element.child(XmlElement.builder(SecuredObject.E2E_NAMESPACE, "e2e").text(payload.text()).build());
        payload.authenticationResults().ifPresent(r -> element.child(XmlElement.builder(SHIM_NAMESPACE, "headers")
                .child(XmlElement.builder(SHIM_NAMESPACE, "header").attribute("name", AUTHENTICATION_RESULTS)
                        .text(r).build()).build()));
    }

    /** The children's texts with their own {@code xml:lang}, the first one per effective language only. */
    private static List<LocalizedText> texts(List<XmlElement> children, Optional<String> stanzaLang) {
        return firstPerLanguage(children.stream().map(child -> new LocalizedText(
                child.attribute(XmlElement.XML_LANG).filter(l -> !l.isEmpty()), child.text())).toList(), stanzaLang);
    }

    /** The texts, the first one per effective language only (a text without a language is in {@code lang}). */
    private static List<LocalizedText> firstPerLanguage(List<LocalizedText> texts, Optional<String> lang) {
        List<LocalizedText> out = new ArrayList<>(texts.size());
        for (LocalizedText t : texts) {
            Optional<String> effective = t.lang().or(() -> lang);
            if (out.stream().noneMatch(o -> inLanguage(o, lang, effective))) {
                out.add(t);
            }
        }
        return out;
    }

    /** Gives the texts that inherited {@code oldLang} that language explicitly. */
    private static List<LocalizedText> explicit(List<LocalizedText> texts, Optional<String> oldLang) {
        return texts.stream().map(t -> t.lang().isEmpty() ? new LocalizedText(oldLang, t.text()) : t).toList();
    }

    private static boolean inLanguage(LocalizedText text, Optional<String> stanzaLang, Optional<String> wanted) {
        // Language tags compare case-insensitively (RFC 5646 §2.1.1).
        return text.lang().or(() -> stanzaLang).map(l -> l.toLowerCase(Locale.ROOT))
                .equals(wanted.map(l -> l.toLowerCase(Locale.ROOT)));
    }

    /**
     * The {@code <message/>} element for a message, in the stream's content namespace:
     * {@code from}, {@code to}, {@code id}, {@code type} (left out for {@code normal}) and
     * {@code xml:lang}, then the subjects, the bodies (each with its own {@code xml:lang} if it has one),
     * thread, the XHTML-IM payload, the {@code <e2e/>} object (RFC 3923 §9) with the gateway's
     * signature check as a XEP-0131 {@code Authentication-Results} header, and the error (RFC 6121
     * §5.2, XEP-0071 §4, RFC 6120 §8.3.2).
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
        for (LocalizedText s : message.subjects()) {
            element.child(XmlElement.builder(namespace, "subject").attribute(XmlElement.XML_LANG, s.lang())
                    .text(s.text()).build());
        }
        for (LocalizedText b : message.bodies()) {
            element.child(XmlElement.builder(namespace, "body").attribute(XmlElement.XML_LANG, b.lang())
                    .text(b.text()).build());
        }
        message.thread().ifPresent(t -> element.child(XmlElement.builder(namespace, "thread").text(t).build()));
        message.xhtml().ifPresent(x -> element.child(XmlElement.builder(XhtmlIm.NAMESPACE, "html")
                .child(xhtml(XmlElement.builder(XhtmlIm.XHTML_NAMESPACE, "body"), "body", x.content())).build()));
        message.e2e().ifPresent(e -> e2e(element, e));
        message.error().ifPresent(e -> element.child(StanzaErrors.toElement(e, namespace)));
        return element.build();
    }

    /**
     * The {@code <message/>} for a message as XML text, exactly what {@link XmlWriter#toXml} writes for
     * {@link #toElement}, its namespace declared unless it equals {@code inheritedNamespace}. The common
     * message (addresses, id, type, language, subjects, bodies, thread) is written in one pass with no
     * element tree in between (issue 7: building the tree, copying its maps and lists, then walking it
     * cost more than the writing); one with an XHTML-IM payload, an {@code <e2e/>} object or an error
     * goes through the tree.
     */
    public static String toXml(XmppMessage message, String namespace, String inheritedNamespace) {
        if (message.xhtml().isPresent() || message.e2e().isPresent() || message.error().isPresent()) {
            return XmlWriter.toXml(toElement(message, namespace), inheritedNamespace);
        }
        StringBuilder out = new StringBuilder(256);
        out.append("<message");
        if (!namespace.equals(inheritedNamespace)) {
            out.append(" xmlns='");
            XmlWriter.appendAttributeValue(out, namespace);
            out.append('\'');
        }
        jidAttribute(out, " from='", message.from());
        jidAttribute(out, " to='", message.to());
        message.id().ifPresent(id -> attribute(out, " id='", id));
        if (message.type() != MessageType.NORMAL) {
            attribute(out, " type='", message.type().wireName());
        }
        message.lang().ifPresent(lang -> attribute(out, " xml:lang='", lang));
        if (message.subjects().isEmpty() && message.bodies().isEmpty() && message.thread().isEmpty()) {
            return out.append("/>").toString();
        }
        out.append('>');
        for (LocalizedText s : message.subjects()) {
            textChild(out, "subject", s.lang(), s.text());
        }
        for (LocalizedText b : message.bodies()) {
            textChild(out, "body", b.lang(), b.text());
        }
        message.thread().ifPresent(t -> textChild(out, "thread", Optional.empty(), t));
        return out.append("</message>").toString();
    }

    /** An attribute whose value is a JID, escaped part by part without building its string form. */
    private static void jidAttribute(StringBuilder out, String start, Jid jid) {
        out.append(start);
        jid.local().ifPresent(l -> {
            XmlWriter.appendAttributeValue(out, l);
            out.append('@');
        });
        XmlWriter.appendAttributeValue(out, jid.domain());
        jid.resource().ifPresent(r -> {
            out.append('/');
            XmlWriter.appendAttributeValue(out, r);
        });
        out.append('\'');
    }

    private static void attribute(StringBuilder out, String start, String value) {
        out.append(start);
        XmlWriter.appendAttributeValue(out, value);
        out.append('\'');
    }

    /** A child in the message's namespace holding only text, as {@link XmlWriter} writes it. */
    private static void textChild(StringBuilder out, String name, Optional<String> lang, String text) {
        out.append('<').append(name);
        lang.ifPresent(l -> attribute(out, " xml:lang='", l));
        if (text.isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        XmlWriter.appendText(out, text);
        out.append("</").append(name).append('>');
    }

    /**
     * The XHTML element with the given content. {@link XmlElement} holds text or children, not both
     * interleaved, so in mixed content each run of text becomes a {@code <span/>}, an element of the
     * XHTML-IM Integration Set that renders the same (XEP-0071 §7).
     */
    private static XmlElement xhtml(XmlElement.Builder builder, String name, List<XhtmlIm.Node> content) {
        if (content.size() == 1 && content.get(0) instanceof XhtmlIm.Text t) {
            return builder.text(t.text()).build();
        }
        boolean list = name.equals("ul") || name.equals("ol");
        for (XhtmlIm.Node node : content) {
            if (node instanceof XhtmlIm.Text t) {
                if (!(list && t.text().isBlank())) {
                    builder.child(XmlElement.builder(XhtmlIm.XHTML_NAMESPACE, "span").text(t.text()).build());
                }
            } else if (node instanceof XhtmlIm.Element e) {
                XmlElement.Builder child = XmlElement.builder(XhtmlIm.XHTML_NAMESPACE, e.name());
                e.attributes().forEach(child::attribute);
                builder.child(xhtml(child, e.name(), e.children()));
            }
        }
        return builder.build();
    }
}
