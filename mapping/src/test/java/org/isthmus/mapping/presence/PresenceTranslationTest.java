package org.isthmus.mapping.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.Activities;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Contact;
import org.isthmus.mapping.document.pidf.Note;
import org.isthmus.mapping.document.pidf.Person;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PidfWriter;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.document.pidf.Qvalue;
import org.isthmus.mapping.document.pidf.Status;
import org.isthmus.mapping.document.pidf.Tuple;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** RFC 8048 §6 (Tables 1 and 2 and Examples 18–21) and RFC 3922 §5, both ways, as rows of the RFCs' examples. */
class PresenceTranslationTest {

    /** Juliet's example.com is the XMPP side; Romeo's example.net is reached through gw.example.com. */
    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));
    private static final PidfParser PARSER = new PidfParser();

    private static final String ROMEO_JID = "romeo\\40example.net@gw.example.com";

    private static Jid jid(String s) {
        return Jid.parse(s).orThrow();
    }

    private static SipUri sip(String s) {
        return SipUri.parse(s).orThrow();
    }

    private static PresenceDocument document(String name) {
        try (InputStream in = PresenceTranslationTest.class.getResourceAsStream("/pidf/" + name)) {
            return PARSER.parse(in.readAllBytes()).orThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SipPresenceState toSip(XmppPresence p) {
        return XmppPresenceToCpim.translate(p, addresses).map(c -> CpimPresenceToSip.translate(c, addresses)).orThrow();
    }

    private List<XmppPresence> toXmpp(SipPresenceState s) {
        return SipPresenceToCpim.translate(s, addresses).then(c -> CpimPresenceToXmpp.translate(c, addresses)).orThrow();
    }

    private static SipPresenceState fromRomeo(PresenceDocument d) {
        return new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:juliet@example.com;gr=yn0cl4bnw0yr3vym"),
                Optional.empty(), d);
    }

    private static XmppPresence fromJuliet(String resource) {
        return XmppPresence.available(jid("juliet@example.com/" + resource), jid(ROMEO_JID));
    }

    // ---- From XMPP to SIP: RFC 8048 §6.2 ----

    /**
     * RFC 8048 §6.2, Examples 18 and 19. Example 19's body carries {@code <show>away</show>}, which
     * Example 18's stanza lacks; the stanza here has it, so that the body is the example's. The body also
     * has the RPID person that Isthmus adds (see {@link ShowActivities}).
     */
    @Test
    void rfc8048_s6_2_examples18and19() {
        SipPresenceState s = toSip(fromJuliet("yn0cl4bnw0yr3vym").withShow(Show.AWAY));
        PresenceDocument expected = document("rfc8048_s6_2_example19.xml");
        assertThat(s.from()).hasToString("sip:juliet@example.com");
        assertThat(s.to()).hasToString("sip:romeo@example.net");
        assertThat(s.document().entity()).isEqualTo(expected.entity());
        assertThat(s.document().tuples()).isEqualTo(expected.tuples());
        assertThat(s.document().persons()).containsExactly(Person.of("p1", Activities.of(List.of(Activity.AWAY))));
        // and the bytes the SIP edge sends read back as the same document
        assertThat(PARSER.parse(PidfWriter.write(s.document())).orThrow()).isEqualTo(s.document());
    }

    /** RFC 8048 §6.2 Example 18 as written: available without show is an open tuple and nothing more. */
    @Test
    void rfc8048_s6_2_example18_plainAvailable() {
        PresenceDocument d = toSip(fromJuliet("yn0cl4bnw0yr3vym")).document();
        assertThat(d.tuples()).containsExactly(Tuple.of("ID-yn0cl4bnw0yr3vym", Status.of(Basic.OPEN), Optional.empty(),
                List.of(), Optional.empty()));
        assertThat(d.persons()).isEmpty();
    }

    /** RFC 8048 §6.2 Table 1, row by row. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "type absent -> basic open (note 4)|AVAILABLE|open",
        "type unavailable -> basic closed (notes 4, 5)|UNAVAILABLE|closed",
    })
    void rfc8048_s6_2_table1_type(String row, PresenceType type, String basic) {
        XmppPresence p = type == PresenceType.AVAILABLE ? fromJuliet("balcony")
                : XmppPresence.unavailable(jid("juliet@example.com/balcony"), jid(ROMEO_JID));
        Tuple t = toSip(p).document().tuples().get(0);
        assertThat(t.status().basic().map(Basic::wire)).contains(basic);
        assertThat(t.id()).isEqualTo("ID-balcony");
    }

    @Test
    void rfc8048_s6_2_table1_statusToNoteAndLangToContentLanguage() {
        XmppPresence p = fromJuliet("balcony").withLang("en").withStatuses(List.of(
                LocalizedText.of("retired to the chamber"), LocalizedText.in("fr", "retirée dans la chambre")));
        SipPresenceState s = toSip(p);
        assertThat(s.contentLanguage()).contains("en");
        assertThat(s.document().tuples().get(0).notes()).containsExactly(Note.of("retired to the chamber"),
                Note.of("retirée dans la chambre", "fr"));
    }

    /** Table 1 note 3 (id: no mapping), and RFC 7248's CSeq row, which RFC 8048 dropped. */
    @Test
    void rfc8048_s6_2_table1_idIsNotMapped() {
        assertThat(toSip(fromJuliet("balcony").withId("p1"))).isEqualTo(toSip(fromJuliet("balcony")));
    }

    @Test
    void rfc8048_s6_2_table1_note1_errorPresenceIsNotANotification() {
        XmppPresence error = new XmppPresence(jid("juliet@example.com/balcony"), jid(ROMEO_JID), Optional.empty(),
                PresenceType.ERROR, Optional.empty(), Optional.empty(), List.of(), 0, Optional.empty(),
                Optional.of(StanzaError.of(StanzaErrorCondition.SERVICE_UNAVAILABLE, "no route")));
        assertThat(condition(XmppPresenceToCpim.translate(error, addresses))).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
    }

    /**
     * RFC 8048 §6.2 Table 1 note 6 (after RFC 3922 §5.1.7): the RFC's own example values, and negative
     * priorities not mapped. 0 is the lowest priority, which PIDF also gives a contact without one
     * (RFC 3863 §4.1.5), so no contact is written for it.
     */
    @ParameterizedTest(name = "XMPP {0} -> PIDF {1}")
    @CsvSource(value = {"-128,", "-1,", "0,0", "1,0.007", "2,0.015", "13,0.102", "64,0.503", "126,0.992", "127,1"})
    void rfc8048_s6_2_note6_priority(int xmpp, String pidf) {
        assertThat(PriorityScale.toPidf(xmpp).map(Qvalue::toString)).isEqualTo(Optional.ofNullable(pidf));
        Optional<Contact> contact = toSip(fromJuliet("balcony").withPriority(xmpp)).document().tuples().get(0).contact();
        if (pidf == null || pidf.equals("0")) {
            assertThat(contact).isEmpty();
        } else {
            assertThat(contact).contains(new Contact("im:juliet@example.com", Qvalue.parse(pidf)));
        }
    }

    /** RFC 3922 §5.2.13 (and RFC 8048 §6.3 note 2): the RFC's ranges back to XMPP, never negative. */
    @ParameterizedTest(name = "PIDF {0} -> XMPP {1}")
    @CsvSource(value = {"0,0", "0.001,1", "0.007,1", "0.008,2", "0.015,2", "0.016,3", "0.102,13", "0.5,64",
        "0.8,102", "0.992,126", "0.999,126", "1,127"})
    void rfc3922_s5_2_13_priority(String pidf, int xmpp) {
        assertThat(PriorityScale.toXmpp(Qvalue.parse(pidf).orElseThrow())).isEqualTo(xmpp);
    }

    /** Every XMPP priority from 0 to 127 comes back unchanged, and the scale back is monotonic. */
    @Test
    void priorityScaleRoundTripsAndIsMonotonic() {
        for (int p = 0; p <= 127; p++) {
            assertThat(PriorityScale.toXmpp(PriorityScale.toPidf(p).orElseThrow())).isEqualTo(p);
        }
        int previous = 0;
        for (int q = 0; q <= 1000; q++) {
            int p = PriorityScale.toXmpp(new Qvalue(q));
            assertThat(p).isBetween(previous, 127);
            previous = p;
        }
    }

    /** RFC 8048 §6.2 note 7: show is carried as it is, for all four values, in both directions. */
    @ParameterizedTest
    @EnumSource(Show.class)
    void rfc8048_s6_2_note7_showIsCarried(Show show) {
        SipPresenceState s = toSip(fromJuliet("balcony").withShow(show));
        assertThat(s.document().tuples().get(0).status().xmppShow()).contains(show.wire());
        SipPresenceState back = new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                Optional.empty(), s.document());
        assertThat(toXmpp(back).get(0).show()).contains(show);
    }

    /** Isthmus's show → RPID activity table (RFC 8048 §6.2 note 7 leaves it to the gateway). */
    @ParameterizedTest
    @CsvSource(value = {"AWAY,away", "XA,away", "DND,busy", "CHAT,"})
    void showToRpidActivity(Show show, String activity) {
        List<Person> persons = toSip(fromJuliet("balcony").withShow(show)).document().persons();
        if (activity == null) {
            assertThat(persons).isEmpty();
        } else {
            assertThat(persons.get(0).activities().orElseThrow().values()).extracting(Activity::wire)
                    .containsExactly(activity);
        }
    }

    /** Isthmus's RPID activity → show table, from the definitions of RFC 4480 §3.2. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(value = {"busy,DND", "on-the-phone,DND", "meeting,DND", "appointment,DND", "performance,DND",
        "presentation,DND", "steering,DND", "worship,DND", "permanent-absence,XA", "vacation,XA", "holiday,XA",
        "travel,XA", "sleeping,XA", "away,AWAY", "breakfast,AWAY", "lunch,AWAY", "dinner,AWAY", "meal,AWAY",
        "in-transit,AWAY", "shopping,AWAY", "spectator,AWAY", "playing,AWAY", "tv,AWAY", "looking-for-work,AWAY",
        "working,", "unknown,"})
    void rpidActivityToShow(String activity, Show show) {
        PresenceDocument d = new PresenceDocument("pres:romeo@example.net", List.of(Tuple.of("ID-orchard",
                Status.of(Basic.OPEN), Optional.empty(), List.of(), Optional.empty())), List.of(),
                List.of(Person.of("p", Activities.of(List.of(Activity.fromWire(activity).orElseThrow())))),
                List.of(), List.of());
        assertThat(toXmpp(fromRomeo(d)).get(0).show()).isEqualTo(Optional.ofNullable(show));
    }

    /** Several activities: dnd wins over xa, which wins over away. */
    @Test
    void severalActivitiesGiveTheLeastAvailableShow() {
        assertThat(ShowActivities.showFor(List.of(Activity.MEAL, Activity.TRAVEL))).contains(Show.XA);
        assertThat(ShowActivities.showFor(List.of(Activity.TRAVEL, Activity.ON_THE_PHONE, Activity.AWAY))).contains(Show.DND);
        assertThat(ShowActivities.showFor(List.of(Activity.WORKING))).isEmpty();
    }

    /**
     * RFC 8048 §6.2, last paragraph: several resources, several tuples. Each resource's presence replaces its
     * own tuple; the person activity follows the most available resource.
     */
    @Test
    void rfc8048_s6_2_severalResourcesBecomeSeveralTuples() {
        CpimPresence balcony = XmppPresenceToCpim.translate(fromJuliet("balcony").withShow(Show.DND), addresses).orThrow();
        CpimPresence chamber = XmppPresenceToCpim.translate(fromJuliet("chamber").withShow(Show.AWAY), addresses).orThrow();
        CpimPresence both = balcony.withTuplesFrom(chamber);
        PresenceDocument d = CpimPresenceToSip.translate(both, addresses).document();
        assertThat(d.tuples()).extracting(Tuple::id).containsExactly("ID-balcony", "ID-chamber");
        assertThat(d.persons().get(0).activities().orElseThrow().values()).containsExactly(Activity.AWAY);

        CpimPresence gone = XmppPresenceToCpim.translate(
                XmppPresence.unavailable(jid("juliet@example.com/chamber"), jid(ROMEO_JID)), addresses).orThrow();
        PresenceDocument after = CpimPresenceToSip.translate(both.withTuplesFrom(gone), addresses).document();
        assertThat(after.tuple("ID-chamber").orElseThrow().status().basic()).contains(Basic.CLOSED);
        assertThat(after.tuple("ID-balcony").orElseThrow().status().basic()).contains(Basic.OPEN);
        assertThat(after.persons().get(0).activities().orElseThrow().values()).containsExactly(Activity.BUSY);
    }

    /**
     * A resource that went offline is closed in the document that says so, and gone from the next ones: a
     * watcher that reads the first tuple only (baresip 1.0) sees the user online again when she logs in
     * with a new resource, and the document does not grow with every resource she ever used.
     */
    @Test
    void rfc8048_s6_2_aClosedResourceLeavesTheNextDocument() {
        CpimPresence chamber = XmppPresenceToCpim.translate(fromJuliet("chamber"), addresses).orThrow();
        CpimPresence gone = chamber.withTuplesFrom(XmppPresenceToCpim.translate(
                XmppPresence.unavailable(jid("juliet@example.com/chamber"), jid(ROMEO_JID)), addresses).orThrow());
        assertThat(CpimPresenceToSip.translate(gone, addresses).document().tuples()).singleElement()
                .satisfies(t -> assertThat(t.status().basic()).contains(Basic.CLOSED));

        CpimPresence back = gone.withTuplesFrom(
                XmppPresenceToCpim.translate(fromJuliet("balcony"), addresses).orThrow());
        PresenceDocument d = CpimPresenceToSip.translate(back, addresses).document();
        assertThat(d.tuples()).extracting(Tuple::id).containsExactly("ID-balcony");
        assertThat(d.tuples().get(0).status().basic()).contains(Basic.OPEN);
    }

    /** XEP-0203 Example 2 (a delayed presence) → the tuple's timestamp, and back. */
    @Test
    void xep0203_example2_delayToTimestamp() {
        XmppPresence p = fromJuliet("balcony").withStatuses(List.of(LocalizedText.of("anon!"))).withShow(Show.XA)
                .withPriority(1).withDelay(Delay.of(Instant.parse("2002-09-10T23:41:07Z")));
        SipPresenceState s = toSip(p);
        Tuple t = s.document().tuples().get(0);
        assertThat(t.timestamp()).contains(OffsetDateTime.parse("2002-09-10T23:41:07Z"));
        assertThat(PidfWriter.toXml(s.document())).contains("<timestamp>2002-09-10T23:41:07Z</timestamp>");
        assertThat(t.contact()).contains(new Contact("im:juliet@example.com", Optional.of(new Qvalue(7))));

        XmppPresence back = toXmpp(new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                Optional.empty(), s.document().withEntity("pres:romeo@example.net"))).get(0);
        assertThat(back.delay().map(Delay::stamp)).contains(Instant.parse("2002-09-10T23:41:07Z"));
        assertThat(back.delay().flatMap(Delay::from)).contains(jid(ROMEO_JID + "/balcony"));
        assertThat(back.show()).contains(Show.XA);
        assertThat(back.priority()).isEqualTo(1);
        assertThat(back.statuses()).containsExactly(LocalizedText.of("anon!"));
    }

    // ---- From SIP to XMPP: RFC 8048 §6.3 ----

    /**
     * RFC 8048 §6.3, Examples 20 and 21. The example's stanza comes from the bare JID; Isthmus adds the
     * tuple's id as the resource (RFC 3922 §5.2.1), so that several tuples are several resources.
     */
    @Test
    void rfc8048_s6_3_examples20and21() {
        List<XmppPresence> out = toXmpp(fromRomeo(document("rfc8048_s6_3_example20.xml")));
        assertThat(out).hasSize(1);
        XmppPresence p = out.get(0);
        assertThat(p.type()).isEqualTo(PresenceType.UNAVAILABLE);
        assertThat(p.to()).isEqualTo(jid("juliet@example.com/yn0cl4bnw0yr3vym"));
        assertThat(p.from().bare()).isEqualTo(jid(ROMEO_JID));
        assertThat(p.from().resource()).contains("dr4hcr0st3lup4c");
        assertThat(p.show()).isEmpty();
        assertThat(p.statuses()).isEmpty();
    }

    /** RFC 8048 §6.3 Table 2, row by row. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "basic open -> no type (note 1)|open|AVAILABLE",
        "basic closed -> unavailable (note 1)|closed|UNAVAILABLE",
    })
    void rfc8048_s6_3_table2_basic(String row, String basic, PresenceType type) {
        PresenceDocument d = PresenceDocument.of("pres:romeo@example.net", List.of(Tuple.of("ID-orchard",
                Status.of(Basic.fromWire(basic).orElseThrow()), Optional.empty(), List.of(), Optional.empty())));
        assertThat(toXmpp(fromRomeo(d)).get(0).type()).isEqualTo(type);
    }

    @Test
    void rfc8048_s6_3_table2_noteToStatusAndContentLanguageToLang() {
        PresenceDocument d = PresenceDocument.of("pres:romeo@example.net", List.of(Tuple.of("ID-orchard",
                Status.of(Basic.OPEN), Optional.empty(), List.of(Note.of("Wooing Juliet"), Note.of("Juliette", "fr"),
                        Note.of("duplicate, dropped")), Optional.empty())));
        XmppPresence p = toXmpp(new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                Optional.of("en"), d)).get(0);
        assertThat(p.lang()).contains("en");
        assertThat(p.statuses()).containsExactly(LocalizedText.of("Wooing Juliet"), LocalizedText.in("fr", "Juliette"));
    }

    // ---- RFC 3922 §5 ----

    /**
     * RFC 3922 §5.1.1 and §5.1.4: the entity is the bare address as pres:, the resource names the tuple.
     * RFC 8048 §6.2 note 2 changed the id from {@code balcony} to {@code ID-balcony}; the rest is the example.
     */
    @ParameterizedTest
    @CsvSource(value = {"AVAILABLE,rfc3922_s5_1_4_available.xml", "UNAVAILABLE,rfc3922_s5_1_4_unavailable.xml"})
    void rfc3922_s5_1_4_presenceType(PresenceType type, String example) {
        XmppPresence p = type == PresenceType.AVAILABLE ? fromJuliet("balcony")
                : XmppPresence.unavailable(jid("juliet@example.com/balcony"), jid(ROMEO_JID));
        PresenceDocument d = toSip(p).document();
        PresenceDocument expected = document(example);
        assertThat(d.entity()).isEqualTo("pres:juliet@example.com");
        assertThat(d.tuples().get(0).id()).isEqualTo("ID-" + expected.tuples().get(0).id());
        assertThat(d.tuples().get(0).status().basic()).isEqualTo(expected.tuples().get(0).status().basic());
    }

    /**
     * RFC 3922 §5.1.5 and §5.1.6: show and status. RFC 3922 wrote show as {@code <im:im>}; RFC 8048 §6.2
     * note 7 carries {@code <show xmlns='jabber:client'/>} instead. The note is the example's.
     */
    @Test
    void rfc3922_s5_1_6_statusElement() {
        Tuple expected = document("rfc3922_s5_1_6_status.xml").tuples().get(0);
        Tuple t = toSip(fromJuliet("balcony").withShow(Show.AWAY)
                .withStatuses(List.of(LocalizedText.of("retired to the chamber")))).document().tuples().get(0);
        assertThat(t.notes()).isEqualTo(expected.notes());
        assertThat(t.status().xmppShow()).contains(expected.status().im().orElseThrow());
    }

    /** RFC 3922 §5.1.7 (the example) and §5.1.9.2: priority 13 is the contact priority 0.102 of im:user@host. */
    @Test
    void rfc3922_s5_1_7_presencePriority() {
        Tuple expected = document("rfc3922_s5_1_7_priority.xml").tuples().get(0);
        Tuple t = toSip(fromJuliet("balcony").withPriority(13)).document().tuples().get(0);
        assertThat(t.contact()).isEqualTo(expected.contact());
    }

    /** RFC 3922 §5.2.1 and §5.2.9: open and closed, from the presentity with the tuple id as resource. */
    @ParameterizedTest
    @CsvSource(value = {"rfc3922_s5_2_9_open.xml,AVAILABLE", "rfc3922_s5_2_9_closed.xml,UNAVAILABLE"})
    void rfc3922_s5_2_9_basicStatus(String example, PresenceType type) {
        XmppPresence p = toXmpp(fromRomeo(document(example))).get(0);
        assertThat(p.from()).isEqualTo(jid(ROMEO_JID + "/orchard"));
        assertThat(p.type()).isEqualTo(type);
    }

    /** RFC 3922 §5.2.10 and §5.2.11: {@code <im:im>busy</im:im>} becomes dnd, the note the status. */
    @Test
    void rfc3922_s5_2_10and11_extendedStatusAndNote() {
        assertThat(toXmpp(fromRomeo(document("rfc3922_s5_2_10_extended.xml"))).get(0).show()).contains(Show.DND);
        XmppPresence p = toXmpp(fromRomeo(document("rfc3922_s5_2_11_note.xml"))).get(0);
        assertThat(p.show()).contains(Show.DND);
        assertThat(p.statuses()).containsExactly(LocalizedText.of("Wooing Juliet"));
    }

    /** RFC 3922 §5.2.11: a document with notes but no tuples MUST NOT become a presence stanza. */
    @Test
    void rfc3922_s5_2_11_zeroTuples() {
        PresenceDocument d = new PresenceDocument("pres:romeo@example.net", List.of(),
                List.of(Note.of("Wooing Juliet")), List.of(), List.of(), List.of());
        assertThat(toXmpp(fromRomeo(d))).isEmpty();
    }

    /** RFC 3922 §5.2.12: the contact is not passed on; the stanza is plain available presence. */
    @Test
    void rfc3922_s5_2_12_contactElement() {
        XmppPresence p = toXmpp(fromRomeo(document("rfc3922_s5_2_12_contact.xml"))).get(0);
        assertThat(p).isEqualTo(XmppPresence.available(jid(ROMEO_JID + "/orchard"),
                jid("juliet@example.com/yn0cl4bnw0yr3vym")));
    }

    // ---- RFC 4480 ----

    /**
     * RFC 4480 §4: only the instant-messaging tuple becomes a resource (the others reach a mailbox and an
     * assistant); the person's away activity becomes show away; notes, priority and timestamp follow.
     */
    @Test
    void rfc4480_s4_example() {
        PresenceDocument d = document("rfc4480_s4_example.xml");
        List<XmppPresence> out = toXmpp(new SipPresenceState(sip("sip:someone@example.net"),
                sip("sip:juliet@example.com"), Optional.empty(), d));
        assertThat(out).hasSize(1);
        XmppPresence p = out.get(0);
        assertThat(p.from()).isEqualTo(jid("someone\\40example.net@gw.example.com/bs35r9"));
        assertThat(p.type()).isEqualTo(PresenceType.AVAILABLE);
        assertThat(p.show()).contains(Show.AWAY);
        assertThat(p.statuses()).containsExactly(LocalizedText.in("en", "Don't Disturb Please!"),
                LocalizedText.in("fr", "Ne derangez pas, s'il vous plait"));
        assertThat(p.priority()).isEqualTo(102);
        assertThat(p.delay().map(Delay::stamp)).contains(Instant.parse("2005-10-27T16:49:29Z"));
    }

    /** RFC 4480 §3.14: an idle person without activities is away. */
    @Test
    void rfc4480_s3_14_idleIsAway() {
        String xml = "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
                + " xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='pres:romeo@example.net'>"
                + "<tuple id='t'><status><basic>open</basic></status></tuple>"
                + "<dm:person id='p'><rpid:user-input>idle</rpid:user-input></dm:person></presence>";
        PresenceDocument d = PARSER.parse(xml.getBytes(StandardCharsets.UTF_8)).orThrow();
        assertThat(toXmpp(fromRomeo(d)).get(0).show()).contains(Show.AWAY);
    }

    // ---- addresses and refusals ----

    @Test
    void senderMustBeAnXmppUserAndRecipientAGatewayAddress() {
        XmppPresence foreign = XmppPresence.available(jid(ROMEO_JID + "/x"), jid(ROMEO_JID));
        assertThat(condition(XmppPresenceToCpim.translate(foreign, addresses))).isEqualTo(StanzaErrorCondition.FORBIDDEN);
        XmppPresence local = XmppPresence.available(jid("juliet@example.com/a"), jid("nurse@example.com"));
        assertThat(condition(XmppPresenceToCpim.translate(local, addresses))).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    @Test
    void sipPresentityMustBeForeignAndWatcherAnXmppUser() {
        PresenceDocument d = document("rfc3922_s5_2_9_open.xml");
        SipPresenceState spoofed = new SipPresenceState(sip("sip:nurse@example.com"), sip("sip:juliet@example.com"),
                Optional.empty(), d);
        assertThat(condition(SipPresenceToCpim.translate(spoofed, addresses))).isEqualTo(StanzaErrorCondition.FORBIDDEN);
        SipPresenceState elsewhere = new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:tybalt@example.org"),
                Optional.empty(), d);
        assertThat(condition(SipPresenceToCpim.translate(elsewhere, addresses)))
                .isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /**
     * Two component domains, gw.example.com for example.com and gw.example.org for example.org: Romeo's
     * presence reaches the nurse from the component of her domain (XEP-0114 §3), each tuple as a
     * resource of that JID, and her presence to that JID goes back to Romeo.
     */
    @Test
    void presentityAppearsUnderTheComponentThatServesTheWatchersDomain() {
        AddressMapper two = new AddressMapper(org.isthmus.mapping.address.AddressRules
                .component("gw.example.com", Set.of("example.com")).withComponent("gw.example.org", Set.of("example.org")));
        SipPresenceState s = new SipPresenceState(sip("sip:romeo@example.net"), sip("sip:nurse@example.org"),
                Optional.empty(), document("rfc3922_s5_2_9_open.xml"));
        List<XmppPresence> stanzas = SipPresenceToCpim.translate(s, two).then(c -> CpimPresenceToXmpp.translate(c, two))
                .orThrow();
        assertThat(stanzas).isNotEmpty().allSatisfy(p -> {
            assertThat(p.from().bare()).isEqualTo(jid("romeo\\40example.net@gw.example.org"));
            assertThat(p.to()).isEqualTo(jid("nurse@example.org"));
        });
        SipPresenceState back = XmppPresenceToCpim.translate(XmppPresence.available(jid("nurse@example.org/desk"),
                jid("romeo\\40example.net@gw.example.org")), two).map(c -> CpimPresenceToSip.translate(c, two)).orThrow();
        assertThat(back.from()).hasToString("sip:nurse@example.org");
        assertThat(back.to()).hasToString("sip:romeo@example.net");
    }

    /** RFC 8048 §6.2 note 2: resources become valid xs:ID tuple ids and come back unchanged. */
    @ParameterizedTest
    @CsvSource(value = {"yn0cl4bnw0yr3vym,ID-yn0cl4bnw0yr3vym", "balcony,ID-balcony", "'',ID-", "123,ID-123",
        "my phone,ID-my_20_phone", "a_b,ID-a_5f_b", "Ωmega/x@y,ID-Ωmega_2f_x_40_y", "laptop.home-1,ID-laptop.home-1"})
    void rfc8048_s6_2_note2_tupleIds(String resource, String tupleId) {
        assertThat(TupleIds.fromInstance(resource)).isEqualTo(tupleId).matches("[\\p{L}_][\\p{L}\\p{N}._-]*");
        assertThat(TupleIds.toInstance(tupleId)).isEqualTo(resource);
    }

    @Test
    void tupleIdWithoutThePrefixIsTheInstance() {
        assertThat(TupleIds.toInstance("orchard")).isEqualTo("orchard");
        assertThat(TupleIds.toInstance("ID-a_zz_b")).isEqualTo("a_zz_b");
    }

    private static StanzaErrorCondition condition(Mapped<?> m) {
        assertThat(m).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<?>) m).rejected().condition();
    }
}
