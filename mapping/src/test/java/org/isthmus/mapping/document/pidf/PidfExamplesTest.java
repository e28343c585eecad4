package org.isthmus.mapping.document.pidf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The PIDF and RPID documents of RFC 3863 §4, RFC 4480 §3–§4, RFC 3922 §5 and RFC 8048/7248 §6/§5. */
class PidfExamplesTest {

    private static final PidfParser PARSER = new PidfParser();

    static byte[] resource(String name) {
        try (InputStream in = PidfExamplesTest.class.getResourceAsStream("/pidf/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PresenceDocument parse(String name) {
        return PARSER.parse(resource(name)).orThrow();
    }

    private static PresenceDocument parseText(String xml) {
        return PARSER.parse(xml.getBytes(StandardCharsets.UTF_8)).orThrow();
    }

    /** Every example parses, and writing it and reading it back gives the same document. */
    @ParameterizedTest
    @ValueSource(strings = {
        "rfc3863_s4_2_2_example1.xml",
        "rfc3863_s4_2_2_example2.xml",
        "rfc3863_s4_2_4_example.xml",
        "rfc3863_s4_3_1_example.xml",
        "rfc3863_s4_3_2_example.xml",
        "rfc3863_s4_3_3_example.xml",
        "rfc4480_s4_example.xml",
        "rfc8048_s6_2_example19.xml",
        "rfc8048_s6_3_example20.xml",
        "rfc7248_s5_2_example18.xml",
        "rfc3922_s5_1_4_available.xml",
        "rfc3922_s5_1_4_unavailable.xml",
        "rfc3922_s5_1_5_show.xml",
        "rfc3922_s5_1_6_status.xml",
        "rfc3922_s5_1_7_priority.xml",
        "rfc3922_s5_2_9_open.xml",
        "rfc3922_s5_2_9_closed.xml",
        "rfc3922_s5_2_10_extended.xml",
        "rfc3922_s5_2_11_note.xml",
        "rfc3922_s5_2_12_contact.xml",
    })
    void exampleSurvivesRoundTrip(String name) {
        PresenceDocument d = parse(name);
        byte[] written = PidfWriter.write(d);
        PresenceDocument back = PARSER.parse(written).orThrow();
        assertThat(back).isEqualTo(d);
        // Writing is deterministic, so a second round gives the same bytes.
        assertThat(PidfWriter.write(back)).isEqualTo(written);
    }

    /** RFC 3863 §4.2.2: the prefixed and the default-namespace forms are the same document. */
    @Test
    void rfc3863_s4_2_2_examples1and2() {
        PresenceDocument prefixed = parse("rfc3863_s4_2_2_example1.xml");
        assertThat(prefixed).isEqualTo(parse("rfc3863_s4_2_2_example2.xml"));
        assertThat(prefixed.entity()).isEqualTo("pres:someone@example.com");
        Tuple t = prefixed.tuples().get(0);
        assertThat(t.id()).isEqualTo("sg89ae");
        assertThat(t.status().basic()).contains(Basic.OPEN);
        assertThat(t.contact()).contains(new Contact("tel:+09012345678", Optional.of(new Qvalue(800))));
    }

    /** RFC 3863 §4.2.4: an unknown status value is kept with its namespace. */
    @Test
    void rfc3863_s4_2_4_example() {
        Tuple t = parse("rfc3863_s4_2_4_example.xml").tuples().get(0);
        assertThat(t.status().basic()).contains(Basic.OPEN);
        assertThat(t.status().extensions()).containsExactly(new XmlFragment("urn:example-com:pidf-status-type",
                "location", "<local:location xmlns:local=\"urn:example-com:pidf-status-type\">home</local:location>"));
        assertThat(t.contact().map(Contact::uri)).contains("im:someone@example.com");
        assertThat(t.contact().flatMap(Contact::priority)).isEmpty();
    }

    /** RFC 3863 §4.3.1: status extensions, notes in two languages, timestamp, presentity note. */
    @Test
    void rfc3863_s4_3_1_example() {
        PresenceDocument d = parse("rfc3863_s4_3_1_example.xml");
        assertThat(d.tuples()).extracting(Tuple::id).containsExactly("bs35r9", "eg92n8");
        Tuple t = d.tuples().get(0);
        assertThat(t.status().im()).contains("busy");
        assertThat(t.status().extensions()).extracting(XmlFragment::localName).containsExactly("location");
        assertThat(t.contact()).contains(new Contact("im:someone@mobilecarrier.net", Optional.of(new Qvalue(800))));
        assertThat(t.notes()).containsExactly(Note.of("Don't Disturb Please!", "en"),
                Note.of("Ne derangez pas, s'il vous plait", "fr"));
        assertThat(t.timestamp()).contains(OffsetDateTime.parse("2001-10-27T16:49:29Z"));
        assertThat(d.tuples().get(1).contact().flatMap(Contact::priority)).contains(Qvalue.MAX);
        assertThat(d.notes()).containsExactly(Note.of("I'll be in Tokyo next week"));
    }

    /** An extension in an XML 1.1 document keeps one declaration of its namespace (a fuzzing find). */
    @Test
    void extensionInAnXml11DocumentDeclaresItsNamespaceOnce() {
        PresenceDocument d = parseText("<?xml version='1.1'?><presence xmlns='urn:ietf:params:xml:ns:pidf'"
                + " entity='pres:a@example.com'><tuple id='t'><status><basic>open</basic>"
                + "<show xmlns='urn:example:x'>away</show></status></tuple></presence>");
        assertThat(d.tuples().get(0).status().extensions()).extracting(XmlFragment::xml)
                .containsExactly("<show xmlns=\"urn:example:x\">away</show>");
        assertThat(PARSER.parse(PidfWriter.write(d)).orThrow()).isEqualTo(d);
    }

    /** RFC 3863 §4.3.2: extensions in a tuple and at the top level; contact text is whitespace-trimmed. */
    @Test
    void rfc3863_s4_3_2_example() {
        PresenceDocument d = parse("rfc3863_s4_3_2_example.xml");
        assertThat(d.tuples().get(0).extensions()).extracting(XmlFragment::xml).containsExactly(
                "<myex:mytupletag xmlns:myex=\"http://id.example.com/presence/\">Extended value in tuple</myex:mytupletag>");
        assertThat(d.tuples().get(0).contact().flatMap(Contact::priority)).contains(new Qvalue(650));
        assertThat(d.tuples().get(1).contact().map(Contact::uri)).contains("im:someone@mobilecarrier.net");
        assertThat(d.extensions()).extracting(XmlFragment::localName).containsExactly("mytag");
    }

    /**
     * RFC 3863 §4.3.3: a complex extension with a mustUnderstand child is kept whole, and declares the
     * PIDF prefix its attribute uses, so it stays well-formed wherever it is written.
     */
    @Test
    void rfc3863_s4_3_3_example() {
        PresenceDocument d = parse("rfc3863_s4_3_3_example.xml");
        XmlFragment complex = d.tuples().get(0).extensions().get(0);
        assertThat(complex.namespace()).isEqualTo("http://id.mycompany.com/presence/");
        assertThat(complex.localName()).isEqualTo("complexExtension");
        assertThat(complex.xml()).startsWith("<myex:complexExtension xmlns:myex=\"http://id.mycompany.com/presence/\""
                + " xmlns:impp=\"urn:ietf:params:xml:ns:pidf\">")
                .contains("<myex:ex1 impp:mustUnderstand=\"1\">val1</myex:ex1>");
        assertThat(d.tuples().get(0).contact().flatMap(Contact::priority)).contains(new Qvalue(725));
    }

    /** RFC 4480 §4: the full RPID example, every element either typed or kept. */
    @Test
    void rfc4480_s4_example() {
        PresenceDocument d = parse("rfc4480_s4_example.xml");
        assertThat(d.tuples()).extracting(Tuple::id).containsExactly("bs35r9", "ty4658", "eg92n8");
        Tuple first = d.tuples().get(0);
        assertThat(first.deviceIds()).containsExactly("urn:device:0003ba4811e3");
        assertThat(first.extensions()).extracting(XmlFragment::localName)
                .containsExactly("relationship", "service-class");
        assertThat(first.timestamp()).contains(OffsetDateTime.parse("2005-10-27T16:49:29Z"));
        Tuple third = d.tuples().get(2);
        assertThat(third.rpidClass()).contains("email");
        assertThat(third.extensions()).extracting(XmlFragment::localName).containsExactly("service-class", "status-icon");

        Device device = d.devices().get(0);
        assertThat(device.id()).isEqualTo("pc147");
        assertThat(device.deviceIds()).containsExactly("urn:device:0003ba4811e3");
        assertThat(device.userInput()).contains(new UserInput(true, OptionalInt.of(600),
                Optional.of(OffsetDateTime.parse("2004-10-21T13:20:00-05:00")), Optional.empty()));
        assertThat(device.notes()).containsExactly(Note.of("PC"));

        Person p = d.persons().get(0);
        assertThat(p.id()).isEqualTo("p1");
        Activities a = p.activities().orElseThrow();
        assertThat(a.values()).containsExactly(Activity.AWAY);
        assertThat(a.notes()).containsExactly(Note.of("Far away"));
        assertThat(a.from()).contains(OffsetDateTime.parse("2005-05-30T12:00:00+05:00"));
        assertThat(a.until()).contains(OffsetDateTime.parse("2005-05-30T17:00:00+05:00"));
        assertThat(p.rpidClass()).contains("calendar");
        assertThat(p.mood().orElseThrow().values()).containsExactly("angry");
        assertThat(p.mood().orElseThrow().others()).containsExactly("brooding");
        assertThat(p.placeIs().orElseThrow().audio()).contains("noisy");
        assertThat(p.extensions()).extracting(XmlFragment::localName)
                .containsExactly("place-type", "privacy", "sphere", "status-icon", "time-offset");
        assertThat(p.extensions().get(0).xml()).contains("xmlns:lt=\"urn:ietf:params:xml:ns:location-type\"");
        assertThat(p.notes()).containsExactly(Note.of("Scoring 120"));
        assertThat(p.timestamp()).contains(OffsetDateTime.parse("2005-05-30T16:09:44+05:00"));
    }

    /** RFC 8048 §6.2 Example 19: XMPP's show carried in the status (note 7). */
    @Test
    void rfc8048_s6_2_example19() {
        PresenceDocument d = parse("rfc8048_s6_2_example19.xml");
        assertThat(d.entity()).isEqualTo("pres:juliet@example.com");
        assertThat(d.tuples()).containsExactly(Tuple.of("ID-yn0cl4bnw0yr3vym",
                new Status(Optional.of(Basic.OPEN), Optional.of("away"), Optional.empty(), List.of()),
                Optional.empty(), List.of(), Optional.empty()));
    }

    /** RFC 8048 §6.3 Example 20: a closed tuple. */
    @Test
    void rfc8048_s6_3_example20() {
        assertThat(parse("rfc8048_s6_3_example20.xml")).isEqualTo(PresenceDocument.of("pres:romeo@example.net",
                List.of(Tuple.of("ID-dr4hcr0st3lup4c", Status.of(Basic.CLOSED), Optional.empty(), List.of(),
                        Optional.empty()))));
    }

    /** The small examples of RFC 4480 §3, each in a person (or, for tuple elements, a tuple). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "rfc4480_s3_2_activities|<rpid:activities><rpid:note>Enjoying the morning paper</rpid:note><rpid:vacation/><rpid:breakfast/><rpid:other>reading</rpid:other></rpid:activities>",
        "rfc4480_s3_5_mood|<rpid:mood><rpid:note>I'm ready for the bar BOF!</rpid:note><rpid:sleepy/><rpid:thirsty/></rpid:mood>",
        "rfc4480_s3_6_placeIs|<rpid:place-is><rpid:audio><rpid:noisy /></rpid:audio><rpid:video><rpid:dark /></rpid:video></rpid:place-is>",
        "rfc4480_s3_7_placeType|<rpid:place-type><pt:street xmlns:pt='urn:ietf:params:xml:ns:location-type'/></rpid:place-type>",
        "rfc4480_s3_8_privacy|<rpid:privacy><rpid:text/><rpid:audio/></rpid:privacy>",
        "rfc4480_s3_11_sphere|<rpid:sphere><rpid:home/></rpid:sphere>",
        "rfc4480_s3_12_statusIcon|<rpid:status-icon>http://www.example.com/playing.gif</rpid:status-icon>",
        "rfc4480_s3_13_timeOffset|<rpid:time-offset description='America/New_York'>-300 </rpid:time-offset>",
        "rfc4480_s3_14_userInput|<rpid:user-input idle-threshold='600' last-input='2004-10-21T13:20:00.000-05:00'>idle</rpid:user-input>",
        "rfc4480_s3_14_userInputBare|<rpid:user-input>idle</rpid:user-input>",
    })
    void rfc4480_s3_personElement(String example, String element) {
        PresenceDocument d = parseText(wrap("<dm:person id='p'>" + element + "</dm:person>"));
        Person p = d.persons().get(0);
        switch (example) {
            case "rfc4480_s3_2_activities" -> {
                assertThat(p.activities().orElseThrow().values()).containsExactly(Activity.VACATION, Activity.BREAKFAST);
                assertThat(p.activities().orElseThrow().others()).containsExactly("reading");
                assertThat(p.activities().orElseThrow().notes()).containsExactly(Note.of("Enjoying the morning paper"));
            }
            case "rfc4480_s3_5_mood" -> assertThat(p.mood().orElseThrow().values()).containsExactly("sleepy", "thirsty");
            case "rfc4480_s3_6_placeIs" -> {
                assertThat(p.placeIs().orElseThrow().audio()).contains("noisy");
                assertThat(p.placeIs().orElseThrow().video()).contains("dark");
                assertThat(p.placeIs().orElseThrow().text()).isEmpty();
            }
            case "rfc4480_s3_14_userInput" -> assertThat(p.userInput()).contains(new UserInput(true, OptionalInt.of(600),
                    Optional.of(OffsetDateTime.parse("2004-10-21T13:20:00-05:00")), Optional.empty()));
            case "rfc4480_s3_14_userInputBare" -> assertThat(p.userInput()).contains(UserInput.of(true));
            default -> assertThat(p.extensions()).hasSize(1);
        }
        assertThat(PARSER.parse(PidfWriter.write(d)).orThrow()).isEqualTo(d);
    }

    /** RFC 4480 §3.9 and §3.10: the tuple elements relationship and service-class are kept. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rfc4480_s3_9_relationship|<rpid:relationship><rpid:friend/></rpid:relationship>",
        "rfc4480_s3_10_serviceClass|<rpid:service-class><rpid:postal/></rpid:service-class>",
    })
    void rfc4480_s3_tupleElement(String example, String element) {
        PresenceDocument d = parseText(wrap("<tuple id='t'><status><basic>open</basic></status>" + element + "</tuple>"));
        assertThat(d.tuples().get(0).extensions()).hasSize(1);
        assertThat(PARSER.parse(PidfWriter.write(d)).orThrow()).isEqualTo(d);
    }

    /** RFC 3863 §4.1.5 and §4.4: qvalues, and the out-of-range values that are ignored. */
    @ParameterizedTest
    @CsvSource(value = {"0,0", "0.021,21", "0.5,500", "1.00,1000", "1.0,1000", "1,1000", "0.8,800", "0.,0", "' 0.65 ',650",
        "1.5,-1", "2,-1", "0.1234,-1", "-0,-1", ".5,-1", "abc,-1", "1.001,-1", "'',-1"})
    void rfc3863_s4_1_5_qvalue(String text, int thousandths) {
        assertThat(Qvalue.parse(text)).isEqualTo(thousandths < 0 ? Optional.empty() : Optional.of(new Qvalue(thousandths)));
    }

    @ParameterizedTest
    @CsvSource(value = {"0,0", "1000,1", "800,0.8", "21,0.021", "102,0.102", "650,0.65"})
    void qvalueIsWrittenInItsShortestForm(int thousandths, String text) {
        assertThat(new Qvalue(thousandths)).hasToString(text);
    }

    /** Text needing escapes and characters XML cannot carry are written safely. */
    @Test
    void writerEscapesAndReplacesForbiddenCharacters() {
        PresenceDocument d = new PresenceDocument("pres:a&b@example.com", List.of(Tuple.of("t\"1",
                Status.of(Basic.OPEN), Optional.empty(), List.of(Note.of("<b>&\u0001 \ud83d\ude00", "en")),
                Optional.empty())), List.of(), List.of(), List.of(), List.of());
        PresenceDocument back = PARSER.parse(PidfWriter.write(d)).orThrow();
        assertThat(back.entity()).isEqualTo("pres:a&b@example.com");
        assertThat(back.tuples().get(0).id()).isEqualTo("t\"1");
        assertThat(back.tuples().get(0).notes()).containsExactly(Note.of("<b>&\ufffd \ud83d\ude00", "en"));
    }

    /** An inherited xml:lang (RFC 3863 §4.1.6: implied by an enclosing element) applies to a note. */
    @Test
    void noteInheritsTheLanguageOfItsContext() {
        PresenceDocument d = parseText("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@b' xml:lang='de'>"
                + "<tuple id='t'><status><basic>open</basic></status><note>Mittag</note></tuple></presence>");
        assertThat(d.tuples().get(0).notes()).containsExactly(Note.of("Mittag", "de"));
    }

    /** RFC 3863 §4.2.3: an unknown element in the PIDF namespace is ignored, one in another kept. */
    @Test
    void rfc3863_s4_2_3_unrecognizedElements() {
        PresenceDocument d = parseText("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@b'>"
                + "<tuple id='t'><status><basic>open</basic><futurething/></status><x xmlns=''>kept</x></tuple>"
                + "<bogus>ignored</bogus></presence>");
        assertThat(d.tuples().get(0).status().extensions()).isEmpty();
        assertThat(d.tuples().get(0).extensions()).containsExactly(new XmlFragment("", "x", "<x xmlns=\"\">kept</x>"));
        assertThat(d.extensions()).isEmpty();
        assertThat(PARSER.parse(PidfWriter.write(d)).orThrow()).isEqualTo(d);
    }

    /** An RPID element carrying a value from another namespace (RFC 4480 §6) is kept whole, not cut down. */
    @Test
    void rfc4480_s6_extendedActivityIsKeptOpaque() {
        PresenceDocument d = parseText(wrap("<dm:person id='p'><rpid:activities><rpid:busy/><ex:gaming xmlns:ex='urn:example:act'/>"
                + "</rpid:activities></dm:person>"));
        Person p = d.persons().get(0);
        assertThat(p.activities()).isEmpty();
        assertThat(p.extensions()).extracting(XmlFragment::localName).containsExactly("activities");
        assertThat(PARSER.parse(PidfWriter.write(d)).orThrow()).isEqualTo(d);
    }

    private static String wrap(String content) {
        return "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
                + " xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='pres:someone@example.com'>" + content
                + "</presence>";
    }
}
