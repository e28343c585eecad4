package org.isthmus.mapping.document.imdn;

import java.io.StringReader;
import java.util.Objects;
import java.util.Optional;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.document.HardenedXml;
import org.isthmus.mapping.document.XmlEncoding;
import org.isthmus.mapping.document.XmlLimits;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Reads {@code message/imdn+xml} payloads (RFC 5438 §11.1) into an {@link ImdnDocument}, streaming and
 * within limits: no DTD, no entity references, bounded size, depth, element count, attributes and text.
 * Every failure is a {@link Rejected} (400, or 413 over the size limit), never an exception.
 *
 * <p>What the schema of §11.1.9 requires is checked: the {@code <imdn>} root, one {@code <message-id>}
 * and one {@code <datetime>}, the recipients together, at most one notification whose {@code <status>}
 * holds exactly one state of its type, no unknown element in the IMDN namespace or in none. Elements
 * of other namespaces are the schema's extension points and are skipped. The order of the children
 * is not checked. Every value but the subject is read without leading and trailing white space.
 *
 * <p>An instance holds only its limits and a configured JDK StAX factory; it may be shared.
 */
public final class ImdnParser {

    /**
     * The limits used unless others are given: 16 KiB (an IMDN is a few hundred bytes), depth 16 (the
     * schema's own elements nest three deep), 256 elements, 16 attributes on an element, values of
     * 4096 characters.
     */
    public static final XmlLimits DEFAULT_LIMITS = new XmlLimits(16 * 1024, 16, 256, 16, 4096);

    private final XmlLimits limits;
    private final XMLInputFactory factory;

    /** A parser with the {@link #DEFAULT_LIMITS}. */
    public ImdnParser() {
        this(DEFAULT_LIMITS);
    }

    /** A parser with the given limits. */
    public ImdnParser(XmlLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.factory = HardenedXml.inputFactory();
    }

    /**
     * Parses a payload; its XML declaration or byte order mark gives the encoding (UTF-8, §11.1), which
     * {@link XmlEncoding} decodes before the XML parser sees the characters.
     */
    public Mapped<ImdnDocument> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return malformed("empty IMDN payload");
        }
        if (body.length > limits.maxBytes()) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                    "IMDN payload of " + body.length + " bytes exceeds the limit of " + limits.maxBytes(),
                    Optional.of(SipStatus.of(413))));
        }
        Mapped<String> text = XmlEncoding.decode(body);
        if (text instanceof Mapped.Failed<String> failed) {
            return malformed(failed.rejected().text());
        }
        try {
            XMLStreamReader r = factory.createXMLStreamReader(new StringReader(text.orThrow()));
            try {
                return Mapped.ok(new Reading(r).document());
            } finally {
                r.close();
            }
        } catch (Malformed e) {
            return malformed(e.getMessage());
        } catch (XMLStreamException | RuntimeException e) {
            // The JDK parser reports some errors unchecked; they are still bad input.
            return malformed("not well-formed XML");
        }
    }

    private static <T> Mapped<T> malformed(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST, "malformed IMDN: " + text,
                Optional.of(SipStatus.of(400))));
    }

    /** Invalid input found while reading; carries no stack trace, never leaves this class. */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** One pass over one payload: the reader, the current depth and the elements seen so far. */
    private final class Reading {
        private final XMLStreamReader r;
        private int depth;
        private int elements;

        Reading(XMLStreamReader r) {
            this.r = r;
        }

        ImdnDocument document() throws XMLStreamException, Malformed {
            while (true) {
                if (!r.hasNext()) {
                    throw new Malformed("no root element");
                }
                if (next() == XMLStreamConstants.START_ELEMENT) {
                    break;
                }
            }
            if (!isImdn("imdn")) {
                throw new Malformed("the root element is {" + nonNull(r.getNamespaceURI()) + "}" + r.getLocalName()
                        + ", not {" + ImdnDocument.NAMESPACE + "}imdn (RFC 5438 §11.1)");
            }
            String messageId = null;
            String dateTime = null;
            Optional<String> recipient = Optional.empty();
            Optional<String> original = Optional.empty();
            Optional<String> subject = Optional.empty();
            Optional<Disposition> disposition = Optional.empty();
            while (nextChild(1)) {
                if (!inImdnNamespace()) {
                    skip();
                    continue;
                }
                String name = r.getLocalName();
                Optional<Disposition.Type> type = Disposition.Type.fromElementName(name);
                if (type.isPresent()) {
                    if (disposition.isPresent()) {
                        throw new Malformed("more than one notification (RFC 5438 §11.1.6)");
                    }
                    disposition = Optional.of(disposition(type.get()));
                    continue;
                }
                switch (name) {
                    case "message-id" -> messageId = once(messageId, value());
                    case "datetime" -> dateTime = once(dateTime, value());
                    case "recipient-uri" -> recipient = Optional.of(once(recipient.orElse(null), value()));
                    case "original-recipient-uri" -> original = Optional.of(once(original.orElse(null), value()));
                    case "subject" -> subject = Optional.of(once(subject.orElse(null), text()));
                    default -> throw new Malformed("unknown element <" + name + "> (RFC 5438 §11.1.9)");
                }
            }
            while (r.hasNext()) {
                next();
            }
            if (messageId == null || dateTime == null) {
                throw new Malformed("<message-id> and <datetime> are required (RFC 5438 §11.1.1, §11.1.2)");
            }
            Optional<String> error = ImdnDocument.check(messageId, dateTime, recipient, original, subject);
            if (error.isPresent()) {
                throw new Malformed(error.get());
            }
            return new ImdnDocument(messageId, dateTime, recipient, original, subject, disposition);
        }

        /** At a notification element: its one {@code <status>} and the one state in it (§11.1.7). */
        private Disposition disposition(Disposition.Type type) throws XMLStreamException, Malformed {
            int at = depth;
            Optional<Disposition.State> state = Optional.empty();
            boolean status = false;
            while (nextChild(at)) {
                if (!isImdn("status") || status) {
                    throw new Malformed("<" + type.elementName() + "> holds one <status> and nothing else");
                }
                status = true;
                int statusAt = depth;
                while (nextChild(statusAt)) {
                    if (!inImdnNamespace()) {
                        skip();
                        continue;
                    }
                    Optional<Disposition.State> s = Disposition.State.fromElementName(r.getLocalName())
                            .filter(x -> x.allowedIn(type));
                    if (s.isEmpty() || state.isPresent() || !text().isBlank()) {
                        throw new Malformed("the <status> of <" + type.elementName()
                                + "> holds one empty state element of its type (RFC 5438 §11.1.7)");
                    }
                    state = s;
                }
            }
            if (state.isEmpty()) {
                throw new Malformed("<" + type.elementName() + "> reports no state (RFC 5438 §11.1.7)");
            }
            return new Disposition(type, state.get());
        }

        /** The element just read, unless one of its name came before (the schema has each once). */
        private String once(String seen, String value) throws Malformed {
            if (seen != null) {
                throw new Malformed("more than one <" + r.getLocalName() + "> (RFC 5438 §11.1.9)");
            }
            return value;
        }

        /** At a start tag: the element's text without surrounding white space, which may not be empty. */
        private String value() throws XMLStreamException, Malformed {
            String value = text().strip();
            if (value.isEmpty()) {
                throw new Malformed("<" + r.getLocalName() + "> is empty");
            }
            return value;
        }

        /** The next event, limits checked, DTDs and entity references refused. */
        private int next() throws XMLStreamException, Malformed {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> opened();
                case XMLStreamConstants.END_ELEMENT -> depth--;
                case XMLStreamConstants.DTD -> throw new Malformed("document type declarations are not accepted");
                case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                        throw new Malformed("entity references are not accepted");
                default -> {
                    // text, comments, processing instructions, end of document
                }
            }
            return event;
        }

        private void opened() throws Malformed {
            if (++elements > limits.maxElements()) {
                throw new Malformed("more than " + limits.maxElements() + " elements");
            }
            if (++depth > limits.maxDepth()) {
                throw new Malformed("elements nested deeper than " + limits.maxDepth());
            }
            if (r.getAttributeCount() + r.getNamespaceCount() > limits.maxAttributes()) {
                throw new Malformed("more than " + limits.maxAttributes() + " attributes on <" + r.getLocalName()
                        + ">");
            }
            for (int i = 0; i < r.getAttributeCount(); i++) {
                if (r.getAttributeValue(i).length() > limits.maxTextLength()) {
                    throw new Malformed("attribute value longer than " + limits.maxTextLength() + " characters");
                }
            }
        }

        /**
         * From inside the element opened at {@code parentDepth}: to its next child's start (true), or
         * past its own end (false). The caller reads each child to its end before asking again.
         */
        private boolean nextChild(int parentDepth) throws XMLStreamException, Malformed {
            while (true) {
                int event = next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    return true;
                }
                if (event == XMLStreamConstants.END_ELEMENT && depth < parentDepth) {
                    return false;
                }
            }
        }

        /** At a start tag: the element's text, read to its end tag; an element inside is refused. */
        private String text() throws XMLStreamException, Malformed {
            String name = r.getLocalName();
            StringBuilder sb = new StringBuilder();
            while (true) {
                int event = next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    throw new Malformed("<" + name + "> holds an element where text belongs");
                }
                if (event == XMLStreamConstants.END_ELEMENT) {
                    return sb.toString();
                }
                if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                        || event == XMLStreamConstants.SPACE) {
                    if (sb.length() + r.getTextLength() > limits.maxTextLength()) {
                        throw new Malformed("<" + name + "> is longer than " + limits.maxTextLength() + " characters");
                    }
                    sb.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                }
            }
        }

        /** At a start tag: reads past the element's end tag, the limits still applied. */
        private void skip() throws XMLStreamException, Malformed {
            int at = depth;
            while (depth >= at) {
                next();
            }
        }

        private boolean inImdnNamespace() throws Malformed {
            String ns = nonNull(r.getNamespaceURI());
            if (ns.isEmpty()) {
                throw new Malformed("element <" + r.getLocalName() + "> in no namespace (RFC 5438 §11.1.9)");
            }
            return ns.equals(ImdnDocument.NAMESPACE);
        }

        private boolean isImdn(String localName) {
            return ImdnDocument.NAMESPACE.equals(r.getNamespaceURI()) && localName.equals(r.getLocalName());
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
