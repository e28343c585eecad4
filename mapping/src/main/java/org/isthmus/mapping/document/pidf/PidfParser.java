package org.isthmus.mapping.document.pidf;

import java.io.StringReader;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.document.HardenedXml;
import org.isthmus.mapping.document.XmlEncoding;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Reads {@code application/pidf+xml} bodies (RFC 3863) with the data-model (RFC 4479) and RPID
 * (RFC 4480) elements into a {@link PresenceDocument}. Hostile input is refused, never expanded: no
 * DTD, no entity references, and limits on size, depth, element count, attributes per element and text
 * length; every failure is a {@link Rejected} (400, or 413 for a body over the size limit), never an
 * exception. Extension elements this package does not interpret are kept as {@link XmlFragment}s
 * (RFC 3863 §4.2.3); unknown elements in the PIDF namespace itself are ignored as §4.2.3 requires.
 * An instance holds only its limits and a configured JDK StAX factory; it may be shared.
 */
public final class PidfParser {

    /** Largest body accepted, in bytes. */
    public static final int DEFAULT_MAX_BYTES = 256 * 1024;
    /** Deepest element nesting accepted; RFC 4480 §4's example nests five deep. */
    public static final int DEFAULT_MAX_DEPTH = 32;
    /** Most elements accepted in one document. */
    public static final int DEFAULT_MAX_ELEMENTS = 10_000;
    /** Most attributes (namespace declarations included) accepted on one element. */
    public static final int DEFAULT_MAX_ATTRIBUTES = 64;
    /** Longest text run or attribute value accepted, in characters. */
    public static final int DEFAULT_MAX_TEXT_LENGTH = 64 * 1024;

    /** The media of RFC 4480 §3.6 place-is. */
    private static final Set<String> PLACE_MEDIA = Set.of("audio", "video", "text");

    private final int maxBytes;
    private final int maxDepth;
    private final int maxElements;
    private final int maxAttributes;
    private final int maxTextLength;
    private final XMLInputFactory factory;

    /** A parser with the {@code DEFAULT_*} limits. */
    public PidfParser() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_ATTRIBUTES,
                DEFAULT_MAX_TEXT_LENGTH);
    }

    /**
     * A parser with the given limits, each at least 1.
     *
     * @param maxBytes      largest body, in bytes
     * @param maxDepth      deepest element nesting (the root is depth 1)
     * @param maxElements   most elements in a document
     * @param maxAttributes most attributes and namespace declarations on one element
     * @param maxTextLength longest text run or attribute value, in characters
     */
    public PidfParser(int maxBytes, int maxDepth, int maxElements, int maxAttributes, int maxTextLength) {
        if (maxBytes < 1 || maxDepth < 1 || maxElements < 1 || maxAttributes < 1 || maxTextLength < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
        this.maxElements = maxElements;
        this.maxAttributes = maxAttributes;
        this.maxTextLength = maxTextLength;
        this.factory = HardenedXml.inputFactory();
    }

    /**
     * Parses a PIDF body; the byte order mark or XML declaration gives its encoding (RFC 3863 §4.1),
     * which {@link XmlEncoding} decodes before the XML parser sees the characters.
     */
    public Mapped<PresenceDocument> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return malformed("empty PIDF body");
        }
        if (body.length > maxBytes) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                    "PIDF body of " + body.length + " bytes exceeds the limit of " + maxBytes,
                    Optional.of(SipStatus.of(413))));
        }
        Mapped<String> text = XmlEncoding.decode(body);
        if (text instanceof Mapped.Failed<String> failed) {
            return malformed(failed.rejected().text());
        }
        XmlElement root;
        try {
            root = readTree(text.orThrow());
        } catch (Malformed e) {
            return malformed(e.getMessage());
        } catch (XMLStreamException e) {
            return malformed("not well-formed XML" + location(e));
        } catch (RuntimeException e) {
            // The JDK parser reports some errors unchecked; they are still bad input.
            return malformed("not well-formed XML");
        }
        try {
            return Mapped.ok(presence(root));
        } catch (Malformed e) {
            return malformed(e.getMessage());
        }
    }

    private static String location(XMLStreamException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNumber() + ", column " + e.getLocation().getColumnNumber();
    }

    private static <T> Mapped<T> malformed(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST, text, Optional.of(SipStatus.of(400))));
    }

    /** Invalid input found while reading; carries no stack trace, never leaves this class. */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    // ---- reading: StAX events to a bounded tree ----

    private XmlElement readTree(String body) throws XMLStreamException, Malformed {
        XMLStreamReader r = factory.createXMLStreamReader(new StringReader(body));
        try {
            XmlElement root = null;
            XmlElement current = null;
            int depth = 0;
            int elements = 0;
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++elements > maxElements) {
                            throw new Malformed("more than " + maxElements + " elements");
                        }
                        if (++depth > maxDepth) {
                            throw new Malformed("elements nested deeper than " + maxDepth);
                        }
                        XmlElement e = startElement(r, current);
                        if (current == null) {
                            root = e;
                        } else {
                            current.addChild(e);
                        }
                        current = e;
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        current.flushText();
                        current = current.parent;
                        depth--;
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (current != null && current.appendText(r.getTextCharacters(), r.getTextStart(),
                                r.getTextLength()) > maxTextLength) {
                            throw new Malformed("text longer than " + maxTextLength + " characters");
                        }
                    }
                    case XMLStreamConstants.DTD -> throw new Malformed("document type declarations are not accepted");
                    case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                            throw new Malformed("entity references are not accepted");
                    default -> {
                        // comments, processing instructions, start and end of document
                    }
                }
            }
            if (root == null) {
                throw new Malformed("no root element");
            }
            return root;
        } finally {
            r.close();
        }
    }

    private XmlElement startElement(XMLStreamReader r, XmlElement parent) throws Malformed {
        int attributeCount = r.getAttributeCount();
        int declarationCount = r.getNamespaceCount();
        if (attributeCount + declarationCount > maxAttributes) {
            throw new Malformed("more than " + maxAttributes + " attributes on <" + r.getLocalName() + ">");
        }
        List<XmlElement.Attribute> attributes = attributeCount == 0 ? List.of() : new ArrayList<>(attributeCount);
        for (int i = 0; i < attributeCount; i++) {
            if (XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(r.getAttributeNamespace(i))) {
                // In an XML 1.1 document the JDK's parser reports each namespace declaration as an
                // attribute too; kept, a fragment would declare its namespace twice and not be well-formed.
                continue;
            }
            String value = r.getAttributeValue(i);
            if (value.length() > maxTextLength) {
                throw new Malformed("attribute value longer than " + maxTextLength + " characters");
            }
            attributes.add(new XmlElement.Attribute(nonNull(r.getAttributeNamespace(i)),
                    nonNull(r.getAttributePrefix(i)), r.getAttributeLocalName(i), value));
        }
        List<XmlElement.Declaration> declarations = declarationCount == 0 ? List.of()
                : new ArrayList<>(declarationCount);
        for (int i = 0; i < declarationCount; i++) {
            declarations.add(new XmlElement.Declaration(nonNull(r.getNamespacePrefix(i)),
                    nonNull(r.getNamespaceURI(i))));
        }
        return new XmlElement(nonNull(r.getNamespaceURI()), nonNull(r.getPrefix()), r.getLocalName(), attributes,
                declarations, parent);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    // ---- interpreting: the tree to the model ----

    /** RFC 3863 §4.1.1. */
    private static PresenceDocument presence(XmlElement root) throws Malformed {
        if (!root.is(Namespaces.PIDF, "presence")) {
            throw new Malformed("the root element is {" + root.namespace + "}" + root.localName
                    + ", not {" + Namespaces.PIDF + "}presence (RFC 3863 §4.1.1)");
        }
        String entity = root.attribute("entity");
        if (entity == null || entity.isBlank()) {
            throw new Malformed("<presence> has no entity attribute (RFC 3863 §4.1.1)");
        }
        List<Tuple> tuples = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        List<Person> persons = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        List<XmlFragment> extensions = new ArrayList<>();
        Set<String> tupleIds = new HashSet<>();
        for (XmlElement e : root.elements()) {
            if (e.is(Namespaces.PIDF, "tuple")) {
                Tuple t = tuple(e);
                if (!tupleIds.add(t.id())) {
                    throw new Malformed("two tuples have the id '" + t.id() + "' (RFC 3863 §4.1.2)");
                }
                tuples.add(t);
            } else if (e.is(Namespaces.PIDF, "note")) {
                notes.add(note(e));
            } else if (e.is(Namespaces.DATA_MODEL, "person")) {
                persons.add(person(e));
            } else if (e.is(Namespaces.DATA_MODEL, "device")) {
                devices.add(device(e));
            } else {
                extension(e, extensions);
            }
        }
        return new PresenceDocument(entity.strip(), tuples, notes, persons, devices, extensions);
    }

    /** RFC 3863 §4.1.2, with the RPID tuple elements of RFC 4480 §3.1 Table 1. */
    private static Tuple tuple(XmlElement t) throws Malformed {
        String id = t.attribute("id");
        if (id == null || id.isBlank()) {
            throw new Malformed("<tuple> has no id attribute (RFC 3863 §4.1.2)");
        }
        Status status = null;
        List<String> deviceIds = new ArrayList<>();
        Optional<String> rpidClass = Optional.empty();
        Optional<UserInput> userInput = Optional.empty();
        List<XmlFragment> extensions = new ArrayList<>();
        Optional<Contact> contact = Optional.empty();
        List<Note> notes = new ArrayList<>();
        Optional<OffsetDateTime> timestamp = Optional.empty();
        for (XmlElement e : t.elements()) {
            if (e.is(Namespaces.PIDF, "status")) {
                if (status != null) {
                    throw new Malformed("tuple '" + id + "' has two <status> elements (RFC 3863 §4.1.2)");
                }
                status = status(e);
            } else if (e.is(Namespaces.PIDF, "contact")) {
                if (contact.isEmpty()) {
                    String priority = e.attribute("priority");
                    contact = Optional.of(new Contact(e.text().strip(),
                            priority == null ? Optional.empty() : Qvalue.parse(priority)));
                }
            } else if (e.is(Namespaces.PIDF, "note")) {
                notes.add(note(e));
            } else if (e.is(Namespaces.PIDF, "timestamp")) {
                timestamp = timestamp.or(() -> dateTime(e.text()));
            } else if (e.is(Namespaces.DATA_MODEL, "deviceID")) {
                deviceIds.add(e.text().strip());
            } else if (e.is(Namespaces.RPID, "class") && rpidClass.isEmpty() && !e.hasElements()) {
                rpidClass = Optional.of(e.text().strip());
            } else if (e.is(Namespaces.RPID, "user-input") && userInput.isEmpty()) {
                userInput = typedOrKept(userInput(e), e, extensions);
            } else {
                extension(e, extensions);
            }
        }
        if (status == null) {
            throw new Malformed("tuple '" + id + "' has no <status> (RFC 3863 §4.1.2)");
        }
        return new Tuple(id.strip(), status, deviceIds, rpidClass, userInput, extensions, contact, notes, timestamp);
    }

    /** RFC 3863 §4.1.3 and §4.1.4, with the RFC 8048 §6.2 {@code <show/>} and RFC 3863 §4.3.1 {@code <im:im>}. */
    private static Status status(XmlElement s) throws Malformed {
        Optional<Basic> basic = Optional.empty();
        Optional<String> show = Optional.empty();
        Optional<String> im = Optional.empty();
        List<XmlFragment> extensions = new ArrayList<>();
        for (XmlElement e : s.elements()) {
            if (e.is(Namespaces.PIDF, "basic")) {
                String text = e.text().strip();
                basic = Basic.fromWire(text);
                if (basic.isEmpty()) {
                    throw new Malformed("<basic> is '" + text + "', not open or closed (RFC 3863 §4.1.4)");
                }
            } else if (e.is(Namespaces.JABBER_CLIENT, "show") && show.isEmpty() && !e.hasElements()) {
                show = Optional.of(e.text().strip());
            } else if (e.is(Namespaces.PIDF_IM, "im") && im.isEmpty() && !e.hasElements()) {
                im = Optional.of(e.text().strip());
            } else {
                extension(e, extensions);
            }
        }
        return new Status(basic, show, im, extensions);
    }

    /** RFC 4479 §3.3 person, with the RPID person elements of RFC 4480 §3.1 Table 1. */
    private static Person person(XmlElement p) throws Malformed {
        String id = requiredId(p);
        Optional<Activities> activities = Optional.empty();
        Optional<String> rpidClass = Optional.empty();
        Optional<Mood> mood = Optional.empty();
        Optional<PlaceIs> placeIs = Optional.empty();
        Optional<UserInput> userInput = Optional.empty();
        List<XmlFragment> extensions = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        Optional<OffsetDateTime> timestamp = Optional.empty();
        for (XmlElement e : p.elements()) {
            if (e.is(Namespaces.RPID, "activities") && activities.isEmpty()) {
                activities = typedOrKept(activities(e), e, extensions);
            } else if (e.is(Namespaces.RPID, "class") && rpidClass.isEmpty() && !e.hasElements()) {
                rpidClass = Optional.of(e.text().strip());
            } else if (e.is(Namespaces.RPID, "mood") && mood.isEmpty()) {
                mood = typedOrKept(mood(e), e, extensions);
            } else if (e.is(Namespaces.RPID, "place-is") && placeIs.isEmpty()) {
                placeIs = typedOrKept(placeIs(e), e, extensions);
            } else if (e.is(Namespaces.RPID, "user-input") && userInput.isEmpty()) {
                userInput = typedOrKept(userInput(e), e, extensions);
            } else if (e.is(Namespaces.DATA_MODEL, "note")) {
                notes.add(note(e));
            } else if (e.is(Namespaces.DATA_MODEL, "timestamp")) {
                timestamp = timestamp.or(() -> dateTime(e.text()));
            } else {
                extension(e, extensions);
            }
        }
        return new Person(id, activities, rpidClass, mood, placeIs, userInput, extensions, notes, timestamp);
    }

    /** RFC 4479 §3.4 device, with the RPID device elements of RFC 4480 §3.1 Table 1. */
    private static Device device(XmlElement d) throws Malformed {
        String id = requiredId(d);
        List<String> deviceIds = new ArrayList<>();
        Optional<String> rpidClass = Optional.empty();
        Optional<UserInput> userInput = Optional.empty();
        List<XmlFragment> extensions = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        Optional<OffsetDateTime> timestamp = Optional.empty();
        for (XmlElement e : d.elements()) {
            if (e.is(Namespaces.DATA_MODEL, "deviceID")) {
                deviceIds.add(e.text().strip());
            } else if (e.is(Namespaces.RPID, "class") && rpidClass.isEmpty() && !e.hasElements()) {
                rpidClass = Optional.of(e.text().strip());
            } else if (e.is(Namespaces.RPID, "user-input") && userInput.isEmpty()) {
                userInput = typedOrKept(userInput(e), e, extensions);
            } else if (e.is(Namespaces.DATA_MODEL, "note")) {
                notes.add(note(e));
            } else if (e.is(Namespaces.DATA_MODEL, "timestamp")) {
                timestamp = timestamp.or(() -> dateTime(e.text()));
            } else {
                extension(e, extensions);
            }
        }
        return new Device(id, deviceIds, rpidClass, userInput, extensions, notes, timestamp);
    }

    /** The typed value if the element could be read as one; otherwise the element is kept opaque. */
    private static <T> Optional<T> typedOrKept(Optional<T> typed, XmlElement e, List<XmlFragment> extensions) {
        if (typed.isEmpty()) {
            extensions.add(fragment(e));
        }
        return typed;
    }

    private static String requiredId(XmlElement e) throws Malformed {
        String id = e.attribute("id");
        if (id == null || id.isBlank()) {
            throw new Malformed("<" + e.localName + "> has no id attribute (RFC 4479 §3)");
        }
        return id.strip();
    }

    /**
     * RFC 4480 §3.2. Empty when the element holds something this model cannot represent (an activity
     * from another namespace, RFC 4480 §6, or an unknown attribute): the caller then keeps it opaque.
     */
    private static Optional<Activities> activities(XmlElement a) {
        return enumerated(a, Activity::fromWire).map(e -> new Activities(e.values(), e.others(), e.notes(),
                e.from(), e.until(), e.id()));
    }

    /** RFC 4480 §3.5; empty when not representable, as for activities. */
    private static Optional<Mood> mood(XmlElement m) {
        return enumerated(m, v -> Mood.VALUES.contains(v) ? Optional.of(v) : Optional.empty())
                .map(e -> new Mood(e.values(), e.others(), e.notes(), e.from(), e.until(), e.id()));
    }

    /** The shape RFC 4480 gives activities (§3.2) and mood (§3.5): enumerated values, other, notes, from/until/id. */
    private record Enumerated<T>(List<T> values, List<String> others, List<Note> notes, Optional<OffsetDateTime> from,
                                 Optional<OffsetDateTime> until, Optional<String> id) {
    }

    /**
     * Reads an element of that shape, {@code value} naming the enumerated children; empty when anything
     * else is in it (another namespace, an unknown child or attribute) or it names no value at all.
     */
    private static <T> Optional<Enumerated<T>> enumerated(XmlElement element, Function<String, Optional<T>> value) {
        if (!onlyAttributes(element, "from", "until", "id")) {
            return Optional.empty();
        }
        List<T> values = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        for (XmlElement e : element.elements()) {
            if (!e.namespace.equals(Namespaces.RPID)) {
                return Optional.empty();
            }
            Optional<T> v = value.apply(e.localName);
            if (e.localName.equals("note")) {
                notes.add(note(e));
            } else if (e.localName.equals("other") && !e.hasElements()) {
                others.add(e.text());
            } else if (v.isPresent() && !e.hasElements()) {
                values.add(v.get());
            } else {
                return Optional.empty();
            }
        }
        if (values.isEmpty() && others.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Enumerated<>(values, others, notes, attributeDateTime(element, "from"),
                attributeDateTime(element, "until"), Optional.ofNullable(element.attribute("id"))));
    }

    /** RFC 4480 §3.6; empty when not representable. */
    private static Optional<PlaceIs> placeIs(XmlElement p) {
        if (!onlyAttributes(p, "from", "until", "id")) {
            return Optional.empty();
        }
        Map<String, String> media = new LinkedHashMap<>();
        List<Note> notes = new ArrayList<>();
        for (XmlElement e : p.elements()) {
            if (!e.namespace.equals(Namespaces.RPID)) {
                return Optional.empty();
            }
            if (e.localName.equals("note")) {
                notes.add(note(e));
            } else if (PLACE_MEDIA.contains(e.localName) && !media.containsKey(e.localName)) {
                List<XmlElement> value = e.elements();
                if (value.size() != 1 || !value.get(0).namespace.equals(Namespaces.RPID)
                        || value.get(0).hasElements() || !e.attributes.isEmpty()) {
                    return Optional.empty();
                }
                media.put(e.localName, value.get(0).localName);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new PlaceIs(Optional.ofNullable(media.get("audio")), Optional.ofNullable(media.get("video")),
                Optional.ofNullable(media.get("text")), notes, attributeDateTime(p, "from"),
                attributeDateTime(p, "until"), Optional.ofNullable(p.attribute("id"))));
    }

    /** RFC 4480 §3.14; empty when not representable. */
    private static Optional<UserInput> userInput(XmlElement u) {
        if (!onlyAttributes(u, "idle-threshold", "last-input", "id") || u.hasElements()) {
            return Optional.empty();
        }
        String state = u.text().strip();
        if (!state.equals("idle") && !state.equals("active")) {
            return Optional.empty();
        }
        OptionalInt threshold = OptionalInt.empty();
        String t = u.attribute("idle-threshold");
        if (t != null) {
            try {
                threshold = OptionalInt.of(Integer.parseUnsignedInt(t.strip()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        String last = u.attribute("last-input");
        Optional<OffsetDateTime> lastInput = last == null ? Optional.empty() : dateTime(last);
        if (last != null && lastInput.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UserInput(state.equals("idle"), threshold, lastInput,
                Optional.ofNullable(u.attribute("id"))));
    }

    private static boolean onlyAttributes(XmlElement e, String... names) {
        for (XmlElement.Attribute a : e.attributes) {
            boolean known = false;
            for (String n : names) {
                known |= a.namespace().isEmpty() && a.localName().equals(n);
            }
            if (!known) {
                return false;
            }
        }
        for (String n : names) {
            if ((n.equals("from") || n.equals("until")) && e.attribute(n) != null
                    && attributeDateTime(e, n).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static Optional<OffsetDateTime> attributeDateTime(XmlElement e, String name) {
        String v = e.attribute(name);
        return v == null ? Optional.empty() : dateTime(v);
    }

    /** RFC 3863 §4.1.6: the text and its {@code xml:lang}, own or inherited. */
    private static Note note(XmlElement e) {
        String lang = e.lang();
        return new Note(e.text(), Optional.ofNullable(lang).filter(l -> !l.isEmpty()));
    }

    /**
     * An RFC 3339 date-time (RFC 3863 §4.1.7). One that does not parse is treated as absent rather than
     * failing the document, as RFC 3863 §4.1.5 does for a bad priority: it is informative only.
     */
    private static Optional<OffsetDateTime> dateTime(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text.strip()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * An element this package does not interpret: kept opaque if it is in another namespace, ignored if
     * it is an unknown element of the PIDF namespace itself (RFC 3863 §4.2.3).
     */
    private static void extension(XmlElement e, List<XmlFragment> into) {
        if (!e.namespace.equals(Namespaces.PIDF)) {
            into.add(fragment(e));
        }
    }

    /** Serializes an element and its content, declaring on it every namespace it uses from outside. */
    static XmlFragment fragment(XmlElement e) {
        Map<String, String> outside = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        List<Map<String, String>> scopes = new ArrayList<>();
        writeContent(e, body, scopes, outside, true);
        StringBuilder xml = new StringBuilder(body.length() + 64);
        xml.append('<').append(qualified(e.prefix, e.localName));
        for (XmlElement.Declaration d : e.declarations) {
            declare(xml, d.prefix(), d.namespace());
        }
        for (Map.Entry<String, String> d : outside.entrySet()) {
            declare(xml, d.getKey(), d.getValue());
        }
        appendAttributes(xml, e);
        if (body.isEmpty()) {
            xml.append("/>");
        } else {
            xml.append('>').append(body).append("</").append(qualified(e.prefix, e.localName)).append('>');
        }
        return new XmlFragment(e.namespace, e.localName, xml.toString());
    }

    /** Writes e's children into out (for the root) or e itself (below it), noting prefixes bound outside. */
    private static void writeContent(XmlElement e, StringBuilder out, List<Map<String, String>> scopes,
                                     Map<String, String> outside, boolean root) {
        Map<String, String> scope = new LinkedHashMap<>();
        for (XmlElement.Declaration d : e.declarations) {
            scope.put(d.prefix(), d.namespace());
        }
        scopes.add(scope);
        use(e.prefix, e.namespace, scopes, outside);
        for (XmlElement.Attribute a : e.attributes) {
            if (!a.prefix().isEmpty() && !a.prefix().equals("xml")) {
                use(a.prefix(), a.namespace(), scopes, outside);
            }
        }
        if (!root) {
            out.append('<').append(qualified(e.prefix, e.localName));
            for (XmlElement.Declaration d : e.declarations) {
                declare(out, d.prefix(), d.namespace());
            }
            appendAttributes(out, e);
            if (e.children.isEmpty()) {
                out.append("/>");
                scopes.remove(scopes.size() - 1);
                return;
            }
            out.append('>');
        }
        for (Object c : e.children) {
            if (c instanceof XmlElement child) {
                writeContent(child, out, scopes, outside, false);
            } else {
                XmlText.appendText(out, (String) c);
            }
        }
        if (!root) {
            out.append("</").append(qualified(e.prefix, e.localName)).append('>');
        }
        scopes.remove(scopes.size() - 1);
    }

    private static void use(String prefix, String namespace, List<Map<String, String>> scopes,
                            Map<String, String> outside) {
        for (int i = scopes.size() - 1; i >= 0; i--) {
            if (scopes.get(i).containsKey(prefix)) {
                return;
            }
        }
        outside.putIfAbsent(prefix, namespace);
    }

    private static void declare(StringBuilder out, String prefix, String namespace) {
        out.append(prefix.isEmpty() ? " xmlns=\"" : " xmlns:" + prefix + "=\"");
        XmlText.appendAttribute(out, namespace);
        out.append('"');
    }

    private static void appendAttributes(StringBuilder out, XmlElement e) {
        for (XmlElement.Attribute a : e.attributes) {
            out.append(' ').append(qualified(a.prefix(), a.localName())).append("=\"");
            XmlText.appendAttribute(out, a.value());
            out.append('"');
        }
    }

    private static String qualified(String prefix, String localName) {
        return prefix.isEmpty() ? localName : prefix + ":" + localName;
    }
}
