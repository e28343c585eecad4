package org.isthmus.mapping.document.pidf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** Malformed and hostile PIDF bodies: each ends in a Rejected, quickly and within the parser's limits. */
class PidfParserHostileTest {

    private static final Duration FAST = Duration.ofSeconds(2);
    private static final String OPEN = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@example.com'>";
    private static final String CLOSE = "</presence>";

    private final PidfParser parser = new PidfParser();
    /** Limits raised so that the one under test, not the byte limit, is the one that refuses. */
    private final PidfParser roomy = new PidfParser(64 * 1024 * 1024, PidfParser.DEFAULT_MAX_DEPTH,
            PidfParser.DEFAULT_MAX_ELEMENTS, PidfParser.DEFAULT_MAX_ATTRIBUTES, PidfParser.DEFAULT_MAX_TEXT_LENGTH);

    private static Rejected rejected(Mapped<PresenceDocument> result) {
        assertThat(result).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<PresenceDocument>) result).rejected();
    }

    private Rejected refusedFast(PidfParser p, String xml) {
        return refusedFast(p, xml.getBytes(StandardCharsets.UTF_8));
    }

    private Rejected refusedFast(PidfParser p, byte[] body) {
        return assertTimeoutPreemptively(FAST, () -> rejected(p.parse(body)));
    }

    /** Every proper prefix of a valid document is refused, never thrown on (the document cut anywhere). */
    @Test
    void truncatedAtEveryPosition() {
        byte[] whole = PidfExamplesTest.resource("rfc4480_s4_example.xml");
        assertThat(parser.parse(whole).isOk()).isTrue();
        for (int i = 0; i < whole.length - 1; i++) {
            Mapped<PresenceDocument> r = parser.parse(Arrays.copyOf(whole, i));
            assertThat(r.isOk()).as("prefix of %d bytes", i).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // the root in no namespace, in another namespace, or not named presence
        "<presence entity='pres:a@example.com'><tuple id='t'><status><basic>open</basic></status></tuple></presence>",
        "<presence xmlns='urn:ietf:params:xml:ns:pidf:rpid' entity='pres:a@example.com'/>",
        "<presence xmlns='urn:ietf:params:xml:ns:pidf:' entity='pres:a@example.com'/>",
        "<Presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@example.com'/>",
        "<tuple xmlns='urn:ietf:params:xml:ns:pidf' id='t'/>",
        // an undeclared prefix
        "<impp:presence entity='pres:a@example.com'/>",
    })
    void wrongNamespacesAreRefused(String xml) {
        assertThat(refusedFast(parser, xml).condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
    }

    /** A tuple written in no namespace is not a PIDF tuple: it is kept opaque, not read as one. */
    @Test
    void tupleInTheWrongNamespaceIsNotATuple() {
        PresenceDocument d = parser.parse((OPEN + "<tuple xmlns='' id='t'><status><basic>open</basic></status></tuple>"
                + CLOSE).getBytes(StandardCharsets.UTF_8)).orThrow();
        assertThat(d.tuples()).isEmpty();
        assertThat(d.extensions()).extracting(XmlFragment::namespace).containsExactly("");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<presence xmlns='urn:ietf:params:xml:ns:pidf'/>",
        OPEN + "<tuple><status><basic>open</basic></status></tuple>" + CLOSE,
        OPEN + "<tuple id='t'/>" + CLOSE,
        OPEN + "<tuple id='t'><status><basic>ajar</basic></status></tuple>" + CLOSE,
        OPEN + "<tuple id='t'><status><basic>open</basic></status></tuple><tuple id='t'><status/></tuple>" + CLOSE,
        OPEN + "<tuple id='t'><status/><status/></tuple>" + CLOSE,
        OPEN + "<dm:person xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'/>" + CLOSE,
        "not xml at all",
        "<?xml version='1.0'?>",
        "",
    })
    void invalidDocumentsAreRefused(String xml) {
        refusedFast(parser, xml);
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] body = (OPEN + "<note>x</note>" + CLOSE).getBytes(StandardCharsets.UTF_8);
        int at = new String(body, StandardCharsets.UTF_8).indexOf("x</note>");
        body[at] = (byte) 0xC3;
        refusedFast(parser, body);
    }

    /** The billion laughs: refused at the DOCTYPE, before any entity is expanded. */
    @Test
    void billionLaughs() {
        StringBuilder dtd = new StringBuilder("<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY lol0 'lol'>");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" '");
            for (int j = 0; j < 10; j++) {
                dtd.append("&lol").append(i - 1).append(';');
            }
            dtd.append("'>");
        }
        dtd.append("]>").append(OPEN).append("<note>&lol9;</note>").append(CLOSE);
        Rejected r = refusedFast(roomy, dtd.toString());
        assertThat(r.text()).contains("document type");
    }

    /** An external entity (XXE) is never resolved: neither a file nor a URL is read. */
    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "http://127.0.0.1:1/pidf"})
    void externalEntity(String system) {
        String xml = "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY xxe SYSTEM '" + system + "'>]>"
                + OPEN + "<note>&xxe;</note>" + CLOSE;
        refusedFast(roomy, xml);
    }

    @Test
    void externalDtdAndParameterEntities() {
        refusedFast(roomy, "<?xml version='1.0'?><!DOCTYPE presence SYSTEM 'http://127.0.0.1:1/x.dtd'>" + OPEN + CLOSE);
        refusedFast(roomy, "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY % p SYSTEM 'file:///etc/passwd'>%p;]>"
                + OPEN + CLOSE);
    }

    /** A reference to an entity nobody declared is refused, not passed through. */
    @Test
    void undeclaredEntityReference() {
        refusedFast(parser, OPEN + "<note>&nbsp;</note>" + CLOSE);
    }

    /** 10,000 nested elements: refused at the depth limit, long before the end. */
    @Test
    void deepNesting() {
        int depth = 10_000;
        StringBuilder xml = new StringBuilder(OPEN);
        for (int i = 0; i < depth; i++) {
            xml.append("<x:a xmlns:x='urn:example:deep'>");
        }
        for (int i = 0; i < depth; i++) {
            xml.append("</x:a>");
        }
        xml.append(CLOSE);
        assertThat(refusedFast(roomy, xml.toString()).text()).contains("deeper than " + PidfParser.DEFAULT_MAX_DEPTH);
    }

    /** A 10 MB body is refused before it is parsed, with 413 for the SIP side. */
    @Test
    void tenMegabyteBody() {
        byte[] body = new byte[10 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        byte[] open = OPEN.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(open, 0, body, 0, open.length);
        Rejected r = refusedFast(parser, body);
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.POLICY_VIOLATION);
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(413);
    }

    /** 100,000 elements: refused at the element limit even when the byte limit would let them through. */
    @Test
    void hundredThousandElements() {
        StringBuilder xml = new StringBuilder(OPEN);
        for (int i = 0; i < 100_000; i++) {
            xml.append("<note>n</note>");
        }
        xml.append(CLOSE);
        assertThat(refusedFast(roomy, xml.toString()).text()).contains("more than " + PidfParser.DEFAULT_MAX_ELEMENTS);
    }

    /** A single text run longer than the limit (here 9 MB of note) is refused. */
    @Test
    void longText() {
        String xml = OPEN + "<note>" + "a".repeat(9 * 1024 * 1024) + "</note>" + CLOSE;
        assertThat(refusedFast(roomy, xml).text()).contains("text longer than");
    }

    @Test
    void tooManyAttributes() {
        StringBuilder xml = new StringBuilder("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@b'");
        for (int i = 0; i < 1_000; i++) {
            xml.append(" a").append(i).append("='v'");
        }
        xml.append("/>");
        assertThat(refusedFast(roomy, xml.toString()).text()).contains("attributes");
    }

    @Test
    void longAttributeValue() {
        String xml = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:" + "a".repeat(1024 * 1024) + "@b'/>";
        assertThat(refusedFast(roomy, xml).text()).contains("attribute value longer");
    }

    @Test
    void limitsMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PidfParser(0, 1, 1, 1, 1));
    }
}
