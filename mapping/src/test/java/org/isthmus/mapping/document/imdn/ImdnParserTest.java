package org.isthmus.mapping.document.imdn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.XmlLimits;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** The IMDN payload of RFC 5438 §11: the RFC's examples, round trips, and hostile input. */
class ImdnParserTest {

    private static final Duration FAST = Duration.ofSeconds(2);
    private static final String OPEN = "<imdn xmlns='urn:ietf:params:xml:ns:imdn'>";
    private static final String IDS = "<message-id>34jk324j</message-id><datetime>2008-04-04T12:16:49-05:00</datetime>";
    private static final String FAILED =
            "<delivery-notification><status><failed/></status></delivery-notification>";

    private final ImdnParser parser = new ImdnParser();

    /** The parser's answer to the text, which must be a refusal, and a quick one. */
    private static Rejected refused(ImdnParser p, String xml) {
        Mapped<ImdnDocument> result = assertTimeoutPreemptively(FAST,
                () -> p.parse(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(result).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<ImdnDocument>) result).rejected();
    }

    static Stream<Arguments> notificationExamples() {
        return Stream.of(
                Arguments.of(Rfc5438Examples.DELIVERY, Disposition.Type.DELIVERY, Disposition.State.DELIVERED),
                Arguments.of(Rfc5438Examples.DISPLAY, Disposition.Type.DISPLAY, Disposition.State.DISPLAYED),
                Arguments.of(Rfc5438Examples.PROCESSING, Disposition.Type.PROCESSING, Disposition.State.PROCESSED));
    }

    /** RFC 5438 §7.2.1.1, §7.2.1.2 and §8.1: each example's payload reads as its text says. */
    @ParameterizedTest
    @MethodSource("notificationExamples")
    void rfcExamplePayloads(String example, Disposition.Type type, Disposition.State state) {
        ImdnDocument d = parser.parse(Rfc5438Examples.payload(example)).orThrow();
        assertThat(d).isEqualTo(new ImdnDocument("34jk324j", "2008-04-04T12:16:49-05:00",
                Optional.of("im:bob@example.com"), Optional.of("im:bob@example.com"), Optional.empty(),
                Optional.of(new Disposition(type, state))));
    }

    /**
     * The examples' CPIM bodies put the content's Content-type right after the message headers. RFC
     * 3862 §2 wants a blank line there, so the strict decoder refuses them as printed and reads them
     * once it is added; the payload inside then parses as above.
     */
    @ParameterizedTest
    @MethodSource("notificationExamples")
    void rfcExampleBodies(String example, Disposition.Type type, Disposition.State state) {
        CpimDecoder decoder = new CpimDecoder();
        boolean ownMimeHeaders = example.equals(Rfc5438Examples.PROCESSING);
        Mapped<CpimDocument> printed = ownMimeHeaders ? decoder.decodeEntity(Rfc5438Examples.verbatim(example))
                : decoder.decode(Rfc5438Examples.verbatim(example));
        assertThat(printed.isOk()).isFalse();
        byte[] repaired = Rfc5438Examples.repaired(example);
        CpimDocument cpim = (ownMimeHeaders ? decoder.decodeEntity(repaired) : decoder.decode(repaired)).orThrow();
        assertThat(cpim.content().contentType()).contains(ImdnDocument.MEDIA_TYPE);
        assertThat(cpim.content().header("Content-Disposition")).contains("notification");
        ImdnDocument d = parser.parse(cpim.content().body()).orThrow();
        assertThat(d.disposition()).contains(new Disposition(type, state));
    }

    /** The writer's output parses back to the same document, and writing that again gives the same bytes. */
    @ParameterizedTest
    @MethodSource("notificationExamples")
    void rfcExamplesRoundTrip(String example, Disposition.Type type, Disposition.State state) {
        ImdnDocument d = parser.parse(Rfc5438Examples.payload(example)).orThrow();
        byte[] written = ImdnWriter.write(d);
        assertThat(parser.parse(written).orThrow()).isEqualTo(d);
        assertThat(ImdnWriter.write(parser.parse(written).orThrow())).isEqualTo(written);
    }

    static Stream<Disposition> everyDisposition() {
        List<Disposition> all = new ArrayList<>();
        for (Disposition.Type t : Disposition.Type.values()) {
            for (Disposition.State s : Disposition.State.values()) {
                if (s.allowedIn(t)) {
                    all.add(new Disposition(t, s));
                }
            }
        }
        return all.stream();
    }

    /** §11.1.7: every state its types allow, eleven in all, survives writing and reading. */
    @ParameterizedTest
    @MethodSource("everyDisposition")
    void everyDispositionRoundTrips(Disposition disposition) {
        ImdnDocument d = new ImdnDocument("m1", "2026-07-01T10:00:00Z", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(disposition));
        assertThat(parser.parse(ImdnWriter.write(d)).orThrow()).isEqualTo(d);
    }

    @Test
    void elevenDispositionsAndNoOthers() {
        assertThat(everyDisposition()).hasSize(11);
        assertThatThrownBy(() -> new Disposition(Disposition.Type.DISPLAY, Disposition.State.DELIVERED))
                .isInstanceOf(MappingException.class);
    }

    /** Markup characters and a CR in the values are escaped and read back unchanged. */
    @Test
    void valuesNeedingEscapesRoundTrip() {
        ImdnDocument d = new ImdnDocument("a&b<c>", "2026-07-01T10:00:00Z", Optional.of("sip:a@b.example;x=&amp"),
                Optional.of("im:o@b.example"), Optional.of(" Lunch <today> & \"tomorrow\"\r\nok? "),
                Optional.empty());
        String xml = ImdnWriter.toXml(d);
        assertThat(xml).contains("<message-id>a&amp;b&lt;c&gt;</message-id>").contains("&#13;");
        assertThat(parser.parse(ImdnWriter.write(d)).orThrow()).isEqualTo(d);
    }

    @Test
    void writerFollowsTheSchemaOrder() {
        ImdnDocument d = new ImdnDocument("34jk324j", "2008-04-04T12:16:49-05:00", Optional.of("im:bob@example.com"),
                Optional.of("im:bob@example.com"), Optional.empty(), Optional.of(Disposition.deliveryFailed()));
        assertThat(ImdnWriter.toXml(d)).isEqualTo("""
                <?xml version="1.0" encoding="UTF-8"?>
                <imdn xmlns="urn:ietf:params:xml:ns:imdn">
                  <message-id>34jk324j</message-id>
                  <datetime>2008-04-04T12:16:49-05:00</datetime>
                  <recipient-uri>im:bob@example.com</recipient-uri>
                  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
                  <delivery-notification>
                    <status>
                      <failed/>
                    </status>
                  </delivery-notification>
                </imdn>
                """);
    }

    /** The schema's extension points: elements of other namespaces are skipped wherever it allows them. */
    @Test
    void foreignExtensionsAreSkipped() {
        String xml = "<imdn xmlns='urn:ietf:params:xml:ns:imdn' xmlns:x='urn:example:x'>" + IDS
                + "<x:trace hop='1'><x:deep><x:deeper>text</x:deeper></x:deep></x:trace>"
                + "<delivery-notification><status><failed/><x:reason>gone fishing</x:reason></status>"
                + "</delivery-notification><x:after/></imdn>";
        ImdnDocument d = parser.parse(xml.getBytes(StandardCharsets.UTF_8)).orThrow();
        assertThat(d.disposition()).contains(Disposition.deliveryFailed());
    }

    /** The bare form the schema also allows: no notification element at all. */
    @Test
    void noNotificationIsAllowed() {
        ImdnDocument d = parser.parse((OPEN + IDS + "</imdn>").getBytes(StandardCharsets.UTF_8)).orThrow();
        assertThat(d.disposition()).isEmpty();
        assertThat(d.recipientUri()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // not IMDN at all, or the root in the wrong namespace
        "<imdn>" + IDS + "</imdn>",
        "<imdn xmlns='urn:ietf:params:xml:ns:pidf'>" + IDS + "</imdn>",
        "<presence xmlns='urn:ietf:params:xml:ns:imdn'>" + IDS + "</presence>",
        // the required elements missing, empty or twice
        OPEN + "<datetime>2008-04-04T12:16:49-05:00</datetime>" + FAILED + "</imdn>",
        OPEN + "<message-id>34jk324j</message-id>" + FAILED + "</imdn>",
        OPEN + "<message-id> </message-id><datetime>2008-04-04T12:16:49-05:00</datetime></imdn>",
        OPEN + IDS + "<message-id>again</message-id></imdn>",
        // the recipients apart, or a subject without them (§11.1.9)
        OPEN + IDS + "<recipient-uri>im:bob@example.com</recipient-uri></imdn>",
        OPEN + IDS + "<original-recipient-uri>im:bob@example.com</original-recipient-uri></imdn>",
        OPEN + IDS + "<subject>hi</subject></imdn>",
        // two notifications, a notification without status or state, a state of another type, two states
        OPEN + IDS + FAILED + FAILED + "</imdn>",
        OPEN + IDS + "<delivery-notification/></imdn>",
        OPEN + IDS + "<delivery-notification><status/></delivery-notification></imdn>",
        OPEN + IDS + "<delivery-notification><status><displayed/></status></delivery-notification></imdn>",
        OPEN + IDS + "<display-notification><status><stored/></status></display-notification></imdn>",
        OPEN + IDS + "<delivery-notification><status><failed/><delivered/></status></delivery-notification></imdn>",
        OPEN + IDS + "<delivery-notification><status><failed>why</failed></status></delivery-notification></imdn>",
        OPEN + IDS + "<delivery-notification><status><lost/></status></delivery-notification></imdn>",
        OPEN + IDS + "<delivery-notification><status><failed/></status><status><failed/></status>"
                + "</delivery-notification></imdn>",
        // unknown elements in the IMDN namespace or in none, an element where text belongs
        OPEN + IDS + "<recipient/></imdn>",
        "<i:imdn xmlns:i='urn:ietf:params:xml:ns:imdn'><i:message-id>1</i:message-id>"
                + "<i:datetime>x</i:datetime><extra/></i:imdn>",
        OPEN + "<message-id><b>34jk324j</b></message-id><datetime>x</datetime></imdn>",
        // not well-formed, or not a document
        OPEN + IDS,
        OPEN + IDS + "</imdn><imdn/>",
        "just text",
        "<?xml version='1.0'?>",
    })
    void invalidPayloadsAreRefused(String xml) {
        Rejected r = refused(parser, xml);
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(r.sipStatus()).hasValueSatisfying(s -> assertThat(s.code()).isEqualTo(400));
    }

    @Test
    void emptyAndNullAreRefused() {
        assertThat(refused(parser, "").condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(parser.parse(null).isOk()).isFalse();
    }

    /** A document type declaration, internal or external, is refused before anything is expanded. */
    @ParameterizedTest
    @ValueSource(strings = {
        "<?xml version='1.0'?><!DOCTYPE imdn [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
                + "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
                + "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>&d;</message-id></imdn>",
        "<?xml version='1.0'?><!DOCTYPE imdn SYSTEM 'http://127.0.0.1:9/imdn.dtd'>"
                + "<imdn xmlns='urn:ietf:params:xml:ns:imdn'/>",
        "<?xml version='1.0'?><!DOCTYPE imdn [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>&x;</message-id></imdn>",
        "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>&undeclared;</message-id></imdn>",
    })
    void dtdsAndEntitiesAreRefused(String xml) {
        refused(parser, xml);
    }

    @Test
    void limitsAreEnforced() {
        XmlLimits limits = ImdnParser.DEFAULT_LIMITS;
        // size
        String big = OPEN + IDS + "<x:pad xmlns:x='urn:x'>" + "a".repeat(limits.maxBytes()) + "</x:pad></imdn>";
        assertThat(refused(parser, big).sipStatus()).hasValueSatisfying(s -> assertThat(s.code()).isEqualTo(413));
        // The others with room to reach them before the size limit.
        ImdnParser roomy = new ImdnParser(limits.withMaxBytes(64 * 1024 * 1024));
        // depth, inside a skipped extension
        String deep = "<x:e xmlns:x='urn:x'>".repeat(10_000) + "</x:e>".repeat(10_000);
        assertThat(refused(roomy, OPEN + IDS + deep + "</imdn>").text()).contains("deeper");
        // element count
        String many = "<x:e xmlns:x='urn:x'/>".repeat(limits.maxElements());
        assertThat(refused(roomy, OPEN + IDS + many + "</imdn>").text()).contains("elements");
        // attributes
        StringBuilder attrs = new StringBuilder("<imdn xmlns='urn:ietf:params:xml:ns:imdn'");
        for (int i = 0; i < limits.maxAttributes(); i++) {
            attrs.append(" a").append(i).append("='v'");
        }
        assertThat(refused(roomy, attrs + ">" + IDS + "</imdn>").text()).contains("attributes");
        // a long value, and a long attribute value
        String longId = "<message-id>" + "x".repeat(limits.maxTextLength() + 1) + "</message-id>";
        assertThat(refused(roomy, OPEN + longId + "<datetime>x</datetime></imdn>").text()).contains("longer");
        String longAttribute = "<imdn xmlns='urn:ietf:params:xml:ns:imdn' a='" + "v".repeat(limits.maxTextLength() + 1)
                + "'>" + IDS + "</imdn>";
        assertThat(refused(roomy, longAttribute).text()).contains("longer");
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new XmlLimits(1, 1, 1, 1, 0)).isInstanceOf(MappingException.class);
    }

    /** Every proper prefix of a valid payload is refused, never thrown on. */
    @Test
    void truncatedAtEveryPosition() {
        byte[] whole = Rfc5438Examples.payload(Rfc5438Examples.DELIVERY);
        assertThat(parser.parse(whole).isOk()).isTrue();
        for (int i = 0; i < whole.length - 1; i++) {
            Mapped<ImdnDocument> r = parser.parse(Arrays.copyOf(whole, i));
            assertThat(r.isOk()).as("prefix of %d bytes", i).isFalse();
        }
    }

    /** Bytes that are not UTF-8, and every single byte changed to a few hostile values: values, never exceptions. */
    @Test
    void corruptedBytesNeverThrow() {
        byte[] whole = Rfc5438Examples.payload(Rfc5438Examples.DELIVERY);
        byte[] hostile = {0, (byte) 0xC3, (byte) 0xFF, '<', '&', '>', '"'};
        for (int i = 0; i < whole.length; i++) {
            for (byte b : hostile) {
                byte[] copy = whole.clone();
                copy[i] = b;
                assertThat(parser.parse(copy)).isNotNull();
            }
        }
    }
}
