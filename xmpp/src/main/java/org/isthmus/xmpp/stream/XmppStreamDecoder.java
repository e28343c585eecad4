package org.isthmus.xmpp.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;

import com.fasterxml.aalto.AsyncByteBufferFeeder;
import com.fasterxml.aalto.AsyncXMLInputFactory;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.UncheckedStreamException;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

/**
 * Turns the bytes of an XML stream into {@link StreamEvent}s with Aalto's non-blocking parser: the
 * stream header, each complete first-level element, the closing tag; any split of the input gives
 * the same events.
 *
 * <p>Hostile input never reaches an unbounded buffer or an entity expander: the parser is built with
 * no DTD support and no external entities, and a DTD, comment, processing instruction or entity
 * reference other than the five predefined ones ends the stream with {@code <restricted-xml/>}
 * (RFC 6120 §11.1, §4.9.3.18). A first-level element (or stream header) longer than
 * {@code maxStanzaBytes}, deeper than {@code maxDepth} or with more than {@code maxAttributes}
 * attributes on one element ends it with {@code <policy-violation/>} (RFC 6120 §4.9.3.14, §13.12
 * item 4); broken XML, and bytes that are not UTF-8 (RFC 3629, checked here before the parser sees
 * them, §11.6), with {@code <not-well-formed/>} (§4.9.3.13). Namespace declarations count as
 * attributes for {@code maxAttributes}, and are counted in the bytes before the parser sees them
 * ({@link AttributeCounter}): an element with 100,000 of them is refused at the first one too many.
 *
 * <p>A first-level element (or the stream header) must also arrive whole within {@code stanzaTimeout}
 * of its first byte, or the stream ends with {@code <policy-violation/>} (§4.9.3.14): a peer that
 * trickles a stanza a byte at a time cannot hold the connection, its buffers and its slot forever
 * (RFC 6120 §13.12 item 4 asks servers to limit the resources one peer can take). Whitespace
 * between stanzas (keepalives, §4.6.1) starts no element and is not timed. After a
 * {@link StreamEvent.Failure} or {@link StreamEvent.Close} the decoder discards all further input.
 *
 * <p>One instance per connection; not sharable.
 */
public final class XmppStreamDecoder extends MessageToMessageDecoder<ByteBuf> {

    /** Default limit on the bytes of one stanza; Prosody's own default for client streams. */
    public static final int DEFAULT_MAX_STANZA_BYTES = 256 * 1024;

    /** Default limit on element nesting inside a stanza, the stanza itself being depth 1. */
    public static final int DEFAULT_MAX_DEPTH = 32;

    /** Default limit on the attributes of one element. */
    public static final int DEFAULT_MAX_ATTRIBUTES = 64;

    /** Default time a first-level element may take from its first byte to its last. */
    public static final Duration DEFAULT_STANZA_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The most distinct names (element and attribute local names, prefixes, namespace URIs) one stream
     * may use. Aalto keeps every name it has seen in a symbol table for the life of the parser, in time
     * that grows faster than their number (60,000 distinct attribute names took 6 s here, twice that
     * 20 s), so a peer inventing names could take the event loop and memory with stanzas within every
     * other limit; real streams use a few hundred.
     */
    public static final int MAX_DISTINCT_NAMES = 5000;

    /** Input is fed to the parser in slices of at most this size so a limit is overshot by no more. */
    private static final int MAX_FEED_BYTES = 8 * 1024;

    private final int maxStanzaBytes;
    private final int maxDepth;
    private final int maxAttributes;
    private final long stanzaTimeoutNanos;
    private final AsyncXMLStreamReader<AsyncByteBufferFeeder> reader;

    /** Open elements of the stanza being read, innermost first. */
    private final Deque<XmlElement.Builder> open = new ArrayDeque<>();
    private boolean streamOpened;
    private boolean finished;
    /** Total bytes given to the parser. */
    private long fed;
    /** Byte offset where the current first-level item (header, stanza, whitespace) began. */
    private long boundary;
    private final Utf8Scanner utf8 = new Utf8Scanner();
    private final AttributeCounter attributes;
    /** The distinct names the stream has used, up to {@link #MAX_DISTINCT_NAMES}. */
    private final Set<String> names = new HashSet<>();
    /** Names already in {@link #names}, by their hash: a cache in front of the set, by identity. */
    private final String[] recentNames = new String[64];
    /** The first bytes of a UTF-8 character whose other bytes have not come yet, and how many. */
    private final byte[] held = new byte[4];
    private int heldLength;
    /** Prolog scan: the previous byte was '<' (a DTD or comment begins with "<!"). */
    private boolean prologLessThan;
    private boolean prologDone;
    /** Offset of the last byte given to the parser that is not XML whitespace; -1 before any. */
    private long lastNonSpace = -1;
    /** The {@link #boundary} of the element being timed, and when its first byte came. */
    private long timedBoundary = -1;
    private long timedSinceNanos;
    private boolean timerArmed;
    private ChannelHandlerContext context;

    /** A decoder with the default limits. */
    public XmppStreamDecoder() {
        this(DEFAULT_MAX_STANZA_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ATTRIBUTES);
    }

    /** A decoder with the given size limits and the default {@link #DEFAULT_STANZA_TIMEOUT}. */
    public XmppStreamDecoder(int maxStanzaBytes, int maxDepth, int maxAttributes) {
        this(maxStanzaBytes, maxDepth, maxAttributes, DEFAULT_STANZA_TIMEOUT);
    }

    /**
     * A decoder with the given limits.
     *
     * @param maxStanzaBytes the most bytes one first-level element (or the stream header) may take
     * @param maxDepth       the deepest nesting inside a stanza, the stanza itself being depth 1
     * @param maxAttributes  the most attributes and namespace declarations on one element
     * @param stanzaTimeout  the longest a first-level element (or the stream header) may take to arrive
     */
    public XmppStreamDecoder(int maxStanzaBytes, int maxDepth, int maxAttributes, Duration stanzaTimeout) {
        if (maxStanzaBytes < 1 || maxDepth < 1 || maxAttributes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (stanzaTimeout.isNegative() || stanzaTimeout.isZero()) {
            throw new IllegalArgumentException("stanzaTimeout must be positive");
        }
        this.maxStanzaBytes = maxStanzaBytes;
        this.maxDepth = maxDepth;
        this.maxAttributes = maxAttributes;
        this.stanzaTimeoutNanos = stanzaTimeout.toNanos();
        this.attributes = new AttributeCounter(maxAttributes);
        this.reader = newFactory().createAsyncForByteBuffer();
    }

    private static AsyncXMLInputFactory newFactory() {
        AsyncXMLInputFactory factory = new InputFactoryImpl();
        // Never read, load or expand a DTD or an entity; references are reported and refused below.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, Boolean.FALSE);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.TRUE);
        factory.setProperty(XMLInputFactory.IS_VALIDATING, Boolean.FALSE);
        return factory;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (finished) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            for (ByteBuffer nio : in.nioBuffers()) {
                readBuffer(nio, out);
            }
        } catch (XMLStreamException e) {
            fail(out, causeOf(e), firstLine(e.getMessage()));
        } catch (UncheckedStreamException e) {
            // Aalto decodes character data lazily, and getText() reports malformed input unchecked.
            XMLStreamException cause = e.getCause() instanceof XMLStreamException x ? x : new XMLStreamException(e);
            fail(out, causeOf(cause), firstLine(cause.getMessage()));
        } catch (RuntimeException e) {
            if (e.getClass() == RuntimeException.class) {
                // Aalto's name binding refuses an element named with the prefix xmlns, which Namespaces in
                // XML 1.0 §3 forbids, with a bare RuntimeException (RFC 6120 §4.9.3.13 covers [XML-NAMES]).
                fail(out, StreamErrorCondition.NOT_WELL_FORMED, "not namespace-well-formed: " + firstLine(e.getMessage()));
            } else {
                fail(out, StreamErrorCondition.INTERNAL_SERVER_ERROR, "XML parser failed");
            }
        }
        in.skipBytes(in.readableBytes());
        timeElement(ctx);
    }

    /** Whether the bytes read so far have begun a first-level element (or the header) not yet complete. */
    private boolean insideElement() {
        return !open.isEmpty() || lastNonSpace >= boundary;
    }

    /**
     * Starts the clock for an element that has begun since the last call, and makes sure one timer
     * watches it. One timer at most per decoder: when it fires early (the element it was set for
     * ended, and another began later) it sets itself again for the one now being read.
     */
    private void timeElement(ChannelHandlerContext ctx) {
        if (finished || !insideElement()) {
            return;
        }
        if (timedBoundary != boundary) {
            timedBoundary = boundary;
            timedSinceNanos = System.nanoTime();
        }
        if (!timerArmed) {
            timerArmed = true;
            long left = stanzaTimeoutNanos - (System.nanoTime() - timedSinceNanos);
            ctx.executor().schedule(this::checkDeadline, Math.max(0, left), TimeUnit.NANOSECONDS);
        }
    }

    private void checkDeadline() {
        timerArmed = false;
        ChannelHandlerContext ctx = context;
        if (finished || ctx == null || !insideElement()) {
            return;
        }
        if (System.nanoTime() - timedSinceNanos < stanzaTimeoutNanos) {
            timeElement(ctx);
            return;
        }
        List<Object> out = new ArrayList<>(1);
        fail(out, StreamErrorCondition.POLICY_VIOLATION, (streamOpened ? "stanza" : "stream header")
                + " not complete within " + TimeUnit.NANOSECONDS.toMillis(stanzaTimeoutNanos) + " ms");
        for (Object event : out) {
            ctx.fireChannelRead(event);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    /**
     * Feeds one buffer to the parser in slices that end between whole UTF-8 characters (see
     * {@link Utf8Scanner}); the first bytes of a character the buffer does not finish wait in
     * {@link #held} and go first with the next bytes. A byte that breaks UTF-8 ends the stream once the
     * parser has had everything before it, so the first fault in the input is the one reported however
     * it was split.
     */
    private void readBuffer(ByteBuffer nio, List<Object> out) throws XMLStreamException {
        while (nio.hasRemaining() && !finished) {
            int take = Math.min(nio.remaining(), MAX_FEED_BYTES);
            ByteBuffer next = nio.slice();
            next.limit(take);
            nio.position(nio.position() + take);
            ByteBuffer chunk = next;
            if (heldLength > 0) {
                chunk = ByteBuffer.allocate(heldLength + take).put(held, 0, heldLength).put(next).flip();
            }
            int from = heldLength;
            heldLength = 0;
            int end = chunk.limit();
            int whole = utf8.scan(chunk, from, end);
            if (whole > 0) {
                ByteBuffer slice = chunk.duplicate();
                slice.limit(whole);
                feed(slice, out);
            }
            if (utf8.broken()) {
                fail(out, StreamErrorCondition.NOT_WELL_FORMED, "invalid UTF-8 (RFC 6120 §11.6, RFC 3629 §4)");
                return;
            }
            heldLength = end - whole;
            chunk.get(whole, held, 0, heldLength);
        }
    }

    private static StreamErrorCondition causeOf(XMLStreamException e) {
        // Aalto refuses an entity reference inside an attribute value with an exception, not an event.
        String message = String.valueOf(e.getMessage());
        return message.contains("ENTITY") ? StreamErrorCondition.RESTRICTED_XML : StreamErrorCondition.NOT_WELL_FORMED;
    }

    /** Aalto appends the location on a second line; the peer needs only the reason. */
    private static String firstLine(String message) {
        if (message == null) {
            return "not well-formed XML";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private void feed(ByteBuffer slice, List<Object> out) throws XMLStreamException {
        int restricted = prologDone ? -1 : scanProlog(slice);
        if (restricted >= 0) {
            // The bytes before the "!" go to the parser first, so that an earlier error is the one
            // reported, as it would be had the bytes arrived one at a time.
            ByteBuffer before = slice.duplicate();
            before.limit(restricted);
            if (before.hasRemaining()) {
                parse(before, out);
            }
            fail(out, StreamErrorCondition.RESTRICTED_XML, "DTD or comment in the prolog (RFC 6120 §11.1)");
            return;
        }
        int tooMany = attributes.scan(slice, slice.position(), slice.limit());
        if (tooMany >= 0) {
            ByteBuffer before = slice.duplicate();
            before.limit(tooMany);
            if (before.hasRemaining()) {
                parse(before, out);
            }
            fail(out, StreamErrorCondition.POLICY_VIOLATION,
                    "more than " + maxAttributes + " attributes and namespace declarations on an element");
            return;
        }
        parse(slice, out);
    }

    private void parse(ByteBuffer slice, List<Object> out) throws XMLStreamException {
        for (int i = slice.limit() - 1; i >= slice.position(); i--) {
            byte b = slice.get(i);
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                lastNonSpace = fed + (i - slice.position());
                break;
            }
        }
        fed += slice.remaining();
        reader.getInputFeeder().feedInput(slice);
        // Aalto needs every event drained before it accepts the next slice.
        int event;
        while (!finished && (event = reader.next()) != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
            onEvent(event, out);
        }
        if (!finished && fed - boundary > maxStanzaBytes) {
            fail(out, StreamErrorCondition.POLICY_VIOLATION, "stanza larger than " + maxStanzaBytes + " bytes");
        }
    }

    /**
     * Aalto reports an internal DTD subset as a syntax error rather than as a DTD, so the prolog is
     * checked here: before the root element, "&lt;!" starts a DOCTYPE or a comment, both restricted.
     * Returns the index in {@code slice} of the "!", or -1 if there is none.
     */
    private int scanProlog(ByteBuffer slice) {
        for (int i = slice.position(); i < slice.limit(); i++) {
            byte b = slice.get(i);
            if (prologLessThan) {
                if (b == '!') {
                    return i;
                }
                if (b != '?') {
                    prologDone = true;
                    return -1;
                }
            }
            prologLessThan = b == '<';
        }
        return -1;
    }

    private void onEvent(int event, List<Object> out) throws XMLStreamException {
        switch (event) {
            case XMLStreamConstants.START_DOCUMENT -> checkEncoding(out);
            case XMLStreamConstants.START_ELEMENT -> onStartElement(out);
            case XMLStreamConstants.END_ELEMENT -> onEndElement(out);
            case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> onText(out);
            case XMLStreamConstants.COMMENT -> fail(out, StreamErrorCondition.RESTRICTED_XML, "comment (RFC 6120 §11.1)");
            case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                    fail(out, StreamErrorCondition.RESTRICTED_XML, "processing instruction (RFC 6120 §11.1)");
            case XMLStreamConstants.DTD -> fail(out, StreamErrorCondition.RESTRICTED_XML, "DTD (RFC 6120 §11.1)");
            case XMLStreamConstants.ENTITY_REFERENCE ->
                    fail(out, StreamErrorCondition.RESTRICTED_XML, "entity reference (RFC 6120 §11.1)");
            case XMLStreamConstants.END_DOCUMENT -> finished = true;
            default -> fail(out, StreamErrorCondition.BAD_FORMAT, "unexpected XML event " + event);
        }
    }

    /** RFC 6120 §11.6: the stream is UTF-8; a declaration naming another encoding is refused. */
    private void checkEncoding(List<Object> out) {
        String declared = reader.getCharacterEncodingScheme();
        if (declared != null && !declared.equalsIgnoreCase(StandardCharsets.UTF_8.name())) {
            fail(out, StreamErrorCondition.UNSUPPORTED_ENCODING, "only UTF-8 is allowed (RFC 6120 §11.6)");
        }
    }

    private void onStartElement(List<Object> out) throws XMLStreamException {
        if (!streamOpened) {
            openStream(out);
            return;
        }
        if (open.size() + 1 > maxDepth) {
            fail(out, StreamErrorCondition.POLICY_VIOLATION, "elements nested deeper than " + maxDepth);
            return;
        }
        int count = reader.getAttributeCount();
        if (!checkAttributeCount(out) || !noteNames(out)) {
            return;
        }
        // Straight into the builder: no map of our own in between (issue 7).
        XmlElement.Builder element = XmlElement.builder(nullToEmpty(reader.getNamespaceURI()), reader.getLocalName());
        for (int i = 0; i < count; i++) {
            element.attribute(attributeKey(i), reader.getAttributeValue(i));
        }
        open.push(element);
    }

    private void openStream(List<Object> out) throws XMLStreamException {
        prologDone = true;
        if (!Namespaces.STREAMS.equals(reader.getNamespaceURI())) {
            fail(out, StreamErrorCondition.INVALID_NAMESPACE,
                    "the stream namespace must be " + Namespaces.STREAMS + " (RFC 6120 §4.8.1)");
            return;
        }
        if (!"stream".equals(reader.getLocalName())) {
            fail(out, StreamErrorCondition.BAD_FORMAT, "the root element must be <stream:stream/> (RFC 6120 §4.7)");
            return;
        }
        Map<String, String> attributes = readAttributes(out);
        if (attributes == null || !noteNames(out)) {
            return;
        }
        String contentNamespace = "";
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            String prefix = reader.getNamespacePrefix(i);
            if (prefix == null || prefix.isEmpty()) {
                contentNamespace = nullToEmpty(reader.getNamespaceURI(i));
            }
        }
        streamOpened = true;
        boundary = reader.getLocationInfo().getEndingByteOffset();
        out.add(new StreamEvent.Open(attributes, contentNamespace));
    }

    /**
     * Adds the names of the current start tag to those the stream has used; false after failing the
     * stream when that makes more than {@link #MAX_DISTINCT_NAMES} (RFC 6120 §4.9.3.14, §13.12 item 4).
     */
    private boolean noteNames(List<Object> out) {
        noteName(reader.getLocalName());
        noteName(nullToEmpty(reader.getPrefix()));
        noteName(nullToEmpty(reader.getNamespaceURI()));
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            noteName(reader.getAttributeLocalName(i));
            noteName(nullToEmpty(reader.getAttributePrefix(i)));
        }
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            noteName(nullToEmpty(reader.getNamespacePrefix(i)));
            noteName(nullToEmpty(reader.getNamespaceURI(i)));
        }
        if (names.size() > MAX_DISTINCT_NAMES) {
            fail(out, StreamErrorCondition.POLICY_VIOLATION,
                    "more than " + MAX_DISTINCT_NAMES + " distinct names in the stream");
            return false;
        }
        return true;
    }

    /**
     * Adds a name to {@link #names}. Aalto hands out one string instance per name from its symbol table,
     * so a name seen recently is usually the very instance in {@link #recentNames}, and the set is not
     * asked again (issue 7: the set lookups were a tenth of the decoder's time).
     */
    private void noteName(String name) {
        int slot = name.hashCode() & (recentNames.length - 1);
        if (recentNames[slot] != name) {
            names.add(name);
            recentNames[slot] = name;
        }
    }

    /** The element's attributes, or null after failing the stream for too many of them. */
    private Map<String, String> readAttributes(List<Object> out) {
        if (!checkAttributeCount(out)) {
            return null;
        }
        int count = reader.getAttributeCount();
        Map<String, String> attributes = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            attributes.put(attributeKey(i), reader.getAttributeValue(i));
        }
        return attributes;
    }

    /** False after failing the stream when the start tag has too many attributes and declarations. */
    private boolean checkAttributeCount(List<Object> out) {
        if (reader.getAttributeCount() + reader.getNamespaceCount() > maxAttributes) {
            fail(out, StreamErrorCondition.POLICY_VIOLATION,
                    "more than " + maxAttributes + " attributes and namespace declarations on an element");
            return false;
        }
        return true;
    }

    /** The name of attribute {@code i} as {@link XmlElement} keys it. */
    private String attributeKey(int i) {
        String ns = reader.getAttributeNamespace(i);
        String local = reader.getAttributeLocalName(i);
        if (ns == null || ns.isEmpty()) {
            return local;
        } else if (ns.equals(XMLConstants.XML_NS_URI)) {
            return "xml:" + local;
        }
        return "{" + ns + "}" + local;
    }

    private void onEndElement(List<Object> out) throws XMLStreamException {
        if (open.isEmpty()) {
            finished = true;
            out.add(new StreamEvent.Close());
            return;
        }
        XmlElement element = open.pop().build();
        if (!open.isEmpty()) {
            open.peek().child(element);
            return;
        }
        long end = reader.getLocationInfo().getEndingByteOffset();
        if (end - boundary > maxStanzaBytes) {
            fail(out, StreamErrorCondition.POLICY_VIOLATION, "stanza larger than " + maxStanzaBytes + " bytes");
            return;
        }
        boundary = end;
        out.add(new StreamEvent.Element(element));
    }

    private void onText(List<Object> out) throws XMLStreamException {
        if (!open.isEmpty()) {
            open.peek().text(reader.getText());
            return;
        }
        if (!streamOpened) {
            return;
        }
        // Between stanzas only whitespace is allowed: keepalives (RFC 6120 §4.6.1).
        String text = reader.getText();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                fail(out, StreamErrorCondition.BAD_FORMAT, "character data between stanzas");
                return;
            }
        }
        boundary = reader.getLocationInfo().getEndingByteOffset();
    }

    private void fail(List<Object> out, StreamErrorCondition condition, String text) {
        if (finished) {
            return;
        }
        finished = true;
        open.clear();
        out.add(new StreamEvent.Failure(StreamError.of(condition, text)));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        finished = true;
        try {
            reader.close();
        } catch (XMLStreamException e) {
            // Closing only releases buffers; nothing to report.
        }
        super.handlerRemoved(ctx);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
