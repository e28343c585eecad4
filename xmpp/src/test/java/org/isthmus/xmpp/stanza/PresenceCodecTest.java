package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.StanzaErrorType;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlElement;

class PresenceCodecTest {

    private static final String NS = Namespaces.SERVER;

    private static XmlElement read(String stanza) {
        return WireStanzas.read(NS, stanza);
    }

    private static Jid jid(String text) {
        return Jid.parse(text).orThrow();
    }

    private static PresenceCodec.Decoded decode(String stanza) {
        return PresenceCodec.fromElement(read(stanza)).orThrow();
    }

    private static PresenceCodec.Availability availability(XmppPresence presence) {
        return new PresenceCodec.Availability(presence);
    }

    private static PresenceCodec.Subscription subscription(String from, String to, XmppSubscriptionType type,
                                                           String id) {
        return new PresenceCodec.Subscription(XmppSubscription.of(jid(from), jid(to), type, Optional.of(id)));
    }

    private static XmppPresence error(String from, String to, String id, StanzaError error) {
        return new XmppPresence(jid(from), jid(to), Optional.of(id), PresenceType.ERROR, Optional.empty(),
                Optional.empty(), List.of(), 0, Optional.empty(), Optional.of(error));
    }

    /**
     * The examples of RFC 6121 §3 and §4 (and XEP-0203 §3), as a server receives them: where the RFC
     * shows a client's stanza without addresses, the addresses its server stamps are added.
     */
    static Stream<Arguments> rfcExamples() {
        XmppPresence wooing = XmppPresence.available(jid("romeo@example.net/orchard"), jid("juliet@example.com"))
                .withLang("en").withShow(Show.DND).withStatuses(List.of(LocalizedText.of("Wooing Juliet")));
        List<LocalizedText> twoLanguages = List.of(LocalizedText.of("Wooing Juliet"),
                LocalizedText.in("cs", "Dvořím se Julii"));
        return Stream.of(
                Arguments.of("RFC 6121 §3.1.2, subscribe as stamped by the user's server",
                        "<presence from='romeo@example.net' id='xk3h1v69' to='juliet@example.com' type='subscribe'/>",
                        subscription("romeo@example.net", "juliet@example.com", XmppSubscriptionType.SUBSCRIBE,
                                "xk3h1v69")),
                Arguments.of("RFC 6121 §3.1.2, the error when a subscribe cannot be routed",
                        "<presence from='juliet@example.com' id='xk3h1v69' to='romeo@example.net' type='error'>"
                                + "<error type='modify'><remote-server-not-found"
                                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
                        availability(error("juliet@example.com", "romeo@example.net", "xk3h1v69",
                                new StanzaError(StanzaErrorType.MODIFY, StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                                        Optional.empty(), Optional.empty())))),
                Arguments.of("RFC 6121 §3.1.5, subscribed",
                        "<presence from='juliet@example.com' id='h4v1c4kj' to='romeo@example.net' type='subscribed'/>",
                        subscription("juliet@example.com", "romeo@example.net", XmppSubscriptionType.SUBSCRIBED,
                                "h4v1c4kj")),
                Arguments.of("RFC 6121 §3.2.2, unsubscribed",
                        "<presence from='juliet@example.com' id='ij5b1v7g' to='romeo@example.net' type='unsubscribed'/>",
                        subscription("juliet@example.com", "romeo@example.net", XmppSubscriptionType.UNSUBSCRIBED,
                                "ij5b1v7g")),
                Arguments.of("RFC 6121 §3.3.2, unsubscribe",
                        "<presence from='romeo@example.net' id='ul4bs71n' to='juliet@example.com' type='unsubscribe'/>",
                        subscription("romeo@example.net", "juliet@example.com", XmppSubscriptionType.UNSUBSCRIBE,
                                "ul4bs71n")),
                Arguments.of("RFC 6121 §4.2.2, initial presence as broadcast by the server",
                        "<presence from='juliet@example.com/balcony' to='romeo@example.net'/>",
                        availability(XmppPresence.available(jid("juliet@example.com/balcony"), jid("romeo@example.net")))),
                Arguments.of("RFC 6121 §4.3.1, probe",
                        "<presence from='juliet@example.com' id='ign291v5' to='romeo@example.net' type='probe'/>",
                        subscription("juliet@example.com", "romeo@example.net", XmppSubscriptionType.PROBE,
                                "ign291v5")),
                Arguments.of("RFC 6121 §4.3.2, gone in answer to a probe, as indented in the RFC",
                        "<presence from='mercutio@example.com'\n              id='xv291f38'\n"
                                + "              to='juliet@example.com'\n              type='error'>\n"
                                + "      <error type='modify'>\n"
                                + "        <gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>\n"
                                + "          xmpp:la-mer@example.com\n        </gone>\n      </error>\n    </presence>",
                        availability(error("mercutio@example.com", "juliet@example.com", "xv291f38",
                                new StanzaError(StanzaErrorType.MODIFY, StanzaErrorCondition.GONE, Optional.empty(),
                                        Optional.of("xmpp:la-mer@example.com"))))),
                Arguments.of("RFC 6121 §4.3.2.1, a resource busy",
                        "<presence from='juliet@example.com/chamber' to='romeo@example.net' id='pres1'>"
                                + "<show>dnd</show><status>busy!</status></presence>",
                        availability(XmppPresence.available(jid("juliet@example.com/chamber"), jid("romeo@example.net"))
                                .withId("pres1").withShow(Show.DND).withStatuses(List.of(LocalizedText.of("busy!"))))),
                Arguments.of("RFC 6121 §4.3.2.1, unavailable in answer to a probe",
                        "<presence from='juliet@example.com' to='romeo@example.net' id='probe2' type='unavailable'/>",
                        availability(XmppPresence.unavailable(jid("juliet@example.com"), jid("romeo@example.net"))
                                .withId("probe2"))),
                Arguments.of("RFC 6121 §4.4.1, away",
                        "<presence from='juliet@example.com/balcony' to='romeo@example.net'><show>away</show></presence>",
                        availability(XmppPresence.available(jid("juliet@example.com/balcony"), jid("romeo@example.net"))
                                .withShow(Show.AWAY))),
                Arguments.of("RFC 6121 §4.5.1, unavailable with a status",
                        "<presence from='juliet@example.com/balcony' to='romeo@example.net' type='unavailable'>"
                                + "<status>going on vacation</status></presence>",
                        availability(XmppPresence.unavailable(jid("juliet@example.com/balcony"), jid("romeo@example.net"))
                                .withStatuses(List.of(LocalizedText.of("going on vacation"))))),
                Arguments.of("RFC 6121 §4.7.2.2, show and status",
                        "<presence from='romeo@example.net/orchard' to='juliet@example.com' xml:lang='en'>"
                                + "<show>dnd</show><status>Wooing Juliet</status></presence>",
                        availability(wooing)),
                Arguments.of("RFC 6121 §4.7.2.2, statuses in two languages",
                        "<presence from='romeo@example.net/orchard' to='juliet@example.com' id='jx62vs97' xml:lang='en'>"
                                + "<show>dnd</show><status>Wooing Juliet</status>"
                                + "<status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status></presence>",
                        availability(wooing.withId("jx62vs97").withStatuses(twoLanguages))),
                Arguments.of("RFC 6121 §4.7.2.2, unavailable with a reason",
                        "<presence from='romeo@example.net/orchard' to='juliet@example.com' id='oy6sb241'"
                                + " type='unavailable' xml:lang='en'><status>Busy IRL</status></presence>",
                        availability(XmppPresence.unavailable(jid("romeo@example.net/orchard"), jid("juliet@example.com"))
                                .withId("oy6sb241").withLang("en").withStatuses(List.of(LocalizedText.of("Busy IRL"))))),
                Arguments.of("RFC 6121 §4.7.2.2, a subscribe may carry a status, which is not mapped",
                        "<presence from='romeo@example.net' id='uc51xs63' to='nurse@example.com' type='subscribe'>"
                                + "<status>Hi, Juliet told me to add you to my buddy list.</status></presence>",
                        subscription("romeo@example.net", "nurse@example.com", XmppSubscriptionType.SUBSCRIBE,
                                "uc51xs63")),
                Arguments.of("RFC 6121 §4.7.2.3, priority",
                        "<presence from='romeo@example.net/orchard' to='juliet@example.com' xml:lang='en'>"
                                + "<show>dnd</show><status>Wooing Juliet</status>"
                                + "<status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status>"
                                + "<priority>1</priority></presence>",
                        availability(wooing.withStatuses(twoLanguages).withPriority(1))),
                Arguments.of("RFC 6121 §4.7.3, extended content is left to others",
                        "<presence from='romeo@example.net' to='juliet@example.com'><c"
                                + " xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://psi-im.org'"
                                + " ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>",
                        availability(XmppPresence.available(jid("romeo@example.net"), jid("juliet@example.com")))),
                Arguments.of("XEP-0203 §3 example 2, the last presence of another entity",
                        "<presence from='juliet@capulet.com/balcony' to='romeo@montague.net'><status>anon!</status>"
                                + "<show>xa</show><priority>1</priority><delay xmlns='urn:xmpp:delay'"
                                + " from='juliet@capulet.com/balcony' stamp='2002-09-10T23:41:07Z'/></presence>",
                        availability(XmppPresence.available(jid("juliet@capulet.com/balcony"), jid("romeo@montague.net"))
                                .withStatuses(List.of(LocalizedText.of("anon!"))).withShow(Show.XA).withPriority(1)
                                .withDelay(new Delay(Instant.parse("2002-09-10T23:41:07Z"),
                                        Optional.of(jid("juliet@capulet.com/balcony")), Optional.empty())))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfcExamples")
    void readsTheExamplesOfRfc6121(String example, String stanza, PresenceCodec.Decoded expected) {
        assertThat(decode(stanza)).isEqualTo(expected);
    }

    private static final Jid ROMEO = Jid.parse("romeo\\40sip.example.org@sip.example.net/pc").orThrow();
    private static final Jid JULIET = Jid.parse("juliet@example.com").orThrow();

    static Stream<XmppPresence> presences() {
        XmppPresence full = new XmppPresence(ROMEO, JULIET, Optional.of("p1"), PresenceType.AVAILABLE,
                Optional.of("en"), Optional.of(Show.CHAT),
                List.of(LocalizedText.of("Wherefore art thou? <&> 😀"), LocalizedText.in("cs", "Proč?")), -5,
                Optional.of(new Delay(Instant.parse("2026-11-21T18:42:54.250Z"), Optional.of(ROMEO.bare()),
                        Optional.of("Offline Storage"))), Optional.empty());
        return Stream.of(
                XmppPresence.available(ROMEO, JULIET),
                full,
                full.withPriority(XmppPresence.MIN_PRIORITY),
                full.withPriority(XmppPresence.MAX_PRIORITY).withDelay(Delay.of(Instant.parse("2002-09-10T23:41:07Z"))),
                XmppPresence.unavailable(ROMEO, JULIET).withLang("de")
                        .withStatuses(List.of(LocalizedText.of("Feierabend"), LocalizedText.in("en", "Off work"))),
                new XmppPresence(ROMEO, JULIET, Optional.of("e1"), PresenceType.ERROR, Optional.empty(), Optional.empty(),
                        List.of(LocalizedText.of("x")), 0, Optional.empty(), Optional.of(
                        StanzaError.of(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND, "no such domain"))),
                new XmppPresence(ROMEO, JULIET, Optional.empty(), PresenceType.ERROR, Optional.empty(), Optional.empty(),
                        List.of(), 0, Optional.empty(), Optional.of(StanzaError.of(StanzaErrorCondition.REDIRECT, null)
                        .withAddress("xmpp:romeo@example.org"))));
    }

    @ParameterizedTest
    @MethodSource("presences")
    void presenceSurvivesARoundTripThroughXml(XmppPresence original) {
        String xml = PresenceCodec.toElement(original, NS).toXml(NS);
        assertThat(decode(xml)).isEqualTo(availability(original));
    }

    @ParameterizedTest
    @EnumSource(value = XmppSubscriptionType.class, names = {"UNAVAILABLE", "ERROR"}, mode = EnumSource.Mode.EXCLUDE)
    void subscriptionSurvivesARoundTripThroughXml(XmppSubscriptionType type) {
        for (Optional<String> id : List.of(Optional.<String>empty(), Optional.of("s-1"))) {
            XmppSubscription original = XmppSubscription.of(ROMEO.bare(), JULIET, type, id);
            String xml = PresenceCodec.toElement(original, NS).toXml(NS);
            assertThat(decode(xml)).isEqualTo(new PresenceCodec.Subscription(original));
        }
    }

    /** RFC 8048 §5.3.3: the subscription layer ends a presence session with a bare unavailable presence. */
    @Test
    void writesAnUnavailableSubscriptionStanzaThatReadsBackAsUnavailablePresence() {
        XmppSubscription unavailable = XmppSubscription.of(ROMEO.bare(), JULIET, XmppSubscriptionType.UNAVAILABLE,
                Optional.of("u1"));
        String xml = PresenceCodec.toElement(unavailable, NS).toXml(NS);
        assertThat(xml).isEqualTo("<presence from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com'"
                + " id='u1' type='unavailable'/>");
        assertThat(decode(xml)).isEqualTo(availability(XmppPresence.unavailable(ROMEO.bare(), JULIET).withId("u1")));
    }

    /** RFC 6120 §8.2: an error answer to a subscription keeps the id and carries the error. */
    @Test
    void writesAnErrorSubscriptionStanzaThatReadsBackAsErrorPresence() {
        XmppSubscription subscribe = XmppSubscription.of(JULIET, ROMEO.bare(), XmppSubscriptionType.SUBSCRIBE,
                Optional.of("xk3h1v69"));
        StanzaError notFound = StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, "no such SIP user");
        String xml = PresenceCodec.toElement(subscribe.errorReply(notFound), NS).toXml(NS);
        assertThat(xml).isEqualTo("<presence from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com'"
                + " id='xk3h1v69' type='error'><error type='cancel'><item-not-found"
                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>"
                + "no such SIP user</text></error></presence>");
        assertThat(decode(xml)).isEqualTo(availability(new XmppPresence(ROMEO.bare(), JULIET, Optional.of("xk3h1v69"),
                PresenceType.ERROR, Optional.empty(), Optional.empty(), List.of(), 0, Optional.empty(),
                Optional.of(notFound))));
    }

    @Test
    void writesTheStanzaInTheOrderOfRfc6121AndXep0203() {
        XmppPresence p = XmppPresence.available(jid("romeo@example.net/orchard"), jid("juliet@example.com"))
                .withId("jx62vs97").withLang("en").withShow(Show.DND)
                .withStatuses(List.of(LocalizedText.of("Wooing Juliet"), LocalizedText.in("cs", "Dvořím se Julii")))
                .withPriority(1).withDelay(new Delay(Instant.parse("2002-09-10T23:41:07Z"),
                        Optional.of(jid("example.net")), Optional.of("Offline Storage")));
        assertThat(PresenceCodec.toElement(p, NS).toXml(NS)).isEqualTo("<presence from='romeo@example.net/orchard'"
                + " to='juliet@example.com' id='jx62vs97' xml:lang='en'><show>dnd</show><status>Wooing Juliet</status>"
                + "<status xml:lang='cs'>Dvořím se Julii</status><priority>1</priority><delay xmlns='urn:xmpp:delay'"
                + " from='example.net' stamp='2002-09-10T23:41:07Z'>Offline Storage</delay></presence>");
    }

    /** RFC 6121 §4.7.2.3: no priority means 0; §4.5.1: an unavailable presence carries none. */
    @Test
    void writesAPriorityOnlyWhenItIsNotZeroOnAnAvailablePresence() {
        XmppPresence available = XmppPresence.available(ROMEO, JULIET);
        assertThat(PresenceCodec.toElement(available, NS).child(NS, "priority")).isEmpty();
        XmppPresence unavailable = XmppPresence.unavailable(ROMEO, JULIET).withPriority(5);
        assertThat(PresenceCodec.toElement(unavailable, NS).toXml(NS)).isEqualTo(
                "<presence from='romeo\\40sip.example.org@sip.example.net/pc' to='juliet@example.com' type='unavailable'/>");
    }

    /** A presence from a valid sender to a valid addressee, with these attributes and children. */
    private static String presence(String attributes, String children) {
        return "<presence from='romeo@example.net/orchard' to='juliet@example.com'" + attributes + ">" + children
                + "</presence>";
    }

    private static Arguments badRequest(String attributes, String children) {
        return Arguments.of(presence(attributes, children), StanzaErrorCondition.BAD_REQUEST);
    }

    static Stream<Arguments> badPresences() {
        String delay = "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:41:07Z'";
        return Stream.of(
                Arguments.of("<presence to='juliet@example.com'/>", StanzaErrorCondition.JID_MALFORMED),
                Arguments.of("<presence from='romeo@example.net'/>", StanzaErrorCondition.JID_MALFORMED),
                Arguments.of("<presence from='romeo@example.net' to='@@'/>", StanzaErrorCondition.JID_MALFORMED),
                Arguments.of("<presence from='a@b@c' to='juliet@example.com' type='subscribe'/>",
                        StanzaErrorCondition.JID_MALFORMED),
                Arguments.of("<presence from='romeo@example.net' to='juliet@example.com/' type='probe'/>",
                        StanzaErrorCondition.JID_MALFORMED),
                Arguments.of(presence("", delay + " from='@@'/>"), StanzaErrorCondition.JID_MALFORMED),
                badRequest(" type='available'", ""),
                badRequest(" type='bogus'", ""),
                badRequest(" type=''", ""),
                badRequest(" type='Subscribe'", ""),
                badRequest("", "<show>busy</show>"),
                badRequest("", "<show/>"),
                badRequest("", "<show>DND</show>"),
                badRequest("", "<show>away</show><show>xa</show>"),
                badRequest("", "<priority>128</priority>"),
                badRequest("", "<priority>-129</priority>"),
                badRequest("", "<priority>high</priority>"),
                badRequest("", "<priority>1.5</priority>"),
                badRequest("", "<priority/>"),
                badRequest("", "<priority>-</priority>"),
                badRequest("", "<priority>\u0663</priority>"),
                badRequest("", "<priority>99999999999999999999</priority>"),
                badRequest("", "<priority>1</priority><priority>2</priority>"),
                badRequest("", "<status>one</status><status>two</status>"),
                badRequest(" xml:lang='en'", "<status>one</status><status xml:lang='en'>two</status>"),
                badRequest("", "<status xml:lang='en'>one</status><status xml:lang='EN'>two</status>"),
                badRequest(" type='unavailable'", "<status>one</status><status>two</status>"),
                badRequest("", "<delay xmlns='urn:xmpp:delay'/>"),
                badRequest("", "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>"),
                badRequest("", "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:41:07'/>"),
                badRequest("", delay + "/>" + delay + "/>"));
    }

    @ParameterizedTest
    @MethodSource("badPresences")
    void refusesBadInputWithTheRightCondition(String stanza, StanzaErrorCondition condition) {
        Mapped<PresenceCodec.Decoded> result = PresenceCodec.fromElement(read(stanza));
        assertThat(result).isInstanceOf(Mapped.Failed.class);
        assertThat(((Mapped.Failed<PresenceCodec.Decoded>) result).rejected().condition()).isEqualTo(condition);
    }

    @Test
    void readsPrioritiesWithASignLeadingZerosAndSpaces() {
        String a = "<presence from='romeo@example.net/orchard' to='juliet@example.com'><priority>";
        for (String[] c : new String[][] {{"+5", "5"}, {" 7 ", "7"}, {"-128", "-128"}, {"0127", "127"}, {"-0", "0"}}) {
            XmppPresence p = ((PresenceCodec.Availability) decode(a + c[0] + "</priority></presence>")).presence();
            assertThat(p.priority()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
        }
    }

    /** XEP-0082 §3.2 allows an offset and fractions of a second; the stamp is kept as an instant. */
    @Test
    void readsADelayStampWithAnOffsetAndFractionsAsAnInstant() {
        XmppPresence p = ((PresenceCodec.Availability) decode("<presence from='romeo@example.net/orchard'"
                + " to='juliet@example.com'><delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:41:07.5+02:00'>"
                + "  Offline Storage\n</delay></presence>")).presence();
        assertThat(p.delay()).contains(new Delay(Instant.parse("2002-09-10T21:41:07.500Z"), Optional.empty(),
                Optional.of("Offline Storage")));
    }

    /** RFC 6121 §4.5.1: show and priority mean nothing on an unavailable presence, so they are not read. */
    @Test
    void ignoresShowAndPriorityOnAnUnavailablePresence() {
        assertThat(decode("<presence from='romeo@example.net/orchard' to='juliet@example.com' type='unavailable'>"
                + "<show>bogus</show><show>away</show><priority>1000</priority></presence>"))
                .isEqualTo(availability(XmppPresence.unavailable(jid("romeo@example.net/orchard"),
                        jid("juliet@example.com"))));
    }

    /**
     * RFC 6120 §8.3.1: an error is never answered, so an error presence is read as far as it can be:
     * what it copies of the stanza it answers is not held against it.
     */
    @Test
    void readsAnErrorPresenceLeniently() {
        XmppPresence p = ((PresenceCodec.Availability) decode("<presence from='romeo@example.net/orchard'"
                + " to='juliet@example.com' id='e1' type='error'><show>bogus</show><priority>x</priority>"
                + "<status>one</status><status>two</status>"
                + "<delay xmlns='urn:xmpp:delay' stamp='never'/></presence>")).presence();
        assertThat(p).isEqualTo(new XmppPresence(jid("romeo@example.net/orchard"), jid("juliet@example.com"),
                Optional.of("e1"), PresenceType.ERROR, Optional.empty(), Optional.empty(),
                List.of(LocalizedText.of("one")), 0, Optional.empty(),
                Optional.of(StanzaError.of(StanzaErrorCondition.UNDEFINED_CONDITION, null))));
    }

    /** An xml:lang of '' is read as no language of its own, as for message bodies. */
    @Test
    void anEmptyXmlLangInheritsTheStanzaLanguageSoTwoSuchStatusesClash() {
        assertThat(PresenceCodec.fromElement(read("<presence from='romeo@example.net/orchard' to='juliet@example.com'"
                + " xml:lang='en'><status>one</status><status xml:lang=''>two</status></presence>")))
                .isInstanceOf(Mapped.Failed.class);
    }

    /**
     * Whatever combination of children and types arrives, the codec answers with a value or a refusal,
     * never an exception; and a value it reads writes back to the same value.
     */
    @Test
    void neverThrowsAndWhatItReadsSurvivesARoundTrip() {
        String[] types = {null, "unavailable", "error", "subscribe", "probe", "available", ""};
        String[] langs = {null, "en", "EN", "cs", ""};
        String[] texts = {"away", "xa", "bogus", "", "12", "-128", "128", "+1", "2002-09-10T23:41:07Z", "@@", "a@b/c"};
        Random random = new Random(6121);
        int values = 0;
        for (int i = 0; i < 3000; i++) {
            XmlElement.Builder b = XmlElement.builder(NS, "presence")
                    .attribute("from", "romeo@example.net/orchard").attribute("to", "juliet@example.com");
            pick(random, types).ifPresent(t -> b.attribute("type", t));
            pick(random, langs).ifPresent(l -> b.attribute(XmlElement.XML_LANG, l));
            int children = random.nextInt(5);
            for (int c = 0; c < children; c++) {
                String text = texts[random.nextInt(texts.length)];
                switch (random.nextInt(5)) {
                    case 0 -> b.child(XmlElement.builder(NS, "show").text(text).build());
                    case 1 -> b.child(XmlElement.builder(NS, "priority").text(text).build());
                    case 2 -> {
                        XmlElement.Builder status = XmlElement.builder(NS, "status").text(text);
                        pick(random, langs).ifPresent(l -> status.attribute(XmlElement.XML_LANG, l));
                        b.child(status.build());
                    }
                    case 3 -> b.child(XmlElement.builder(PresenceCodec.DELAY, "delay").attribute("stamp", text)
                            .attribute("from", texts[random.nextInt(texts.length)]).build());
                    default -> b.child(XmlElement.builder(NS, "error").attribute("type", text)
                            .child(XmlElement.builder(StanzaErrorCondition.NAMESPACE, "gone").text(text).build()).build());
                }
            }
            XmlElement stanza = b.build();
            List<Mapped<PresenceCodec.Decoded>> result = new ArrayList<>();
            assertThatCode(() -> result.add(PresenceCodec.fromElement(stanza))).as(stanza.toXml(NS))
                    .doesNotThrowAnyException();
            if (result.get(0) instanceof Mapped.Ok<PresenceCodec.Decoded> ok) {
                values++;
                XmlElement written = ok.value() instanceof PresenceCodec.Availability p
                        ? PresenceCodec.toElement(p.presence(), NS)
                        : PresenceCodec.toElement(((PresenceCodec.Subscription) ok.value()).subscription(), NS);
                assertThat(decode(written.toXml(NS))).as(stanza.toXml(NS)).isEqualTo(ok.value());
            }
        }
        assertThat(values).as("stanzas read as values, not refused").isBetween(300, 2700);
    }

    private static Optional<String> pick(Random random, String[] values) {
        return Optional.ofNullable(values[random.nextInt(values.length)]);
    }

    @Test
    void dispatchesEachKindToItsConsumer() {
        List<Object> seen = new ArrayList<>();
        decode("<presence from='a@b/c' to='d@e'/>").dispatch(seen::add, s -> seen.add("wrong"));
        decode("<presence from='a@b' to='d@e' type='probe'/>").dispatch(p -> seen.add("wrong"), seen::add);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isInstanceOf(XmppPresence.class);
        assertThat(seen.get(1)).isInstanceOf(XmppSubscription.class);
    }
    // ---- RFC 3923 §4: secured presence ----------------------------------------------------------

    /** RFC 3923 Example 12, the encrypted presence, with the 'from' a server-to-server stream requires. */
    private static final String EXAMPLE_12 = "<presence from='juliet@example.com/balcony' to='romeo@example.net/orchard'>"
            + "<e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'><![CDATA[\n"
            + "U2FsdGVkX18VJPbx5GMdFPTPZrHLC9QGiVP+ziczu6zWZLFQxae6O5PP6iqpr2No\n"
            + "woJxUIBqCOgX+U7srHpK2NYtNTZ7UQp2V0yEx1JV8+Y=\n]]></e2e></presence>";

    @Test
    void readsTheE2eObjectOfRfc3923Example12AsItsCharacterData() {
        XmppPresence p = ((PresenceCodec.Availability) decode(EXAMPLE_12)).presence();

        assertThat(p.type()).isEqualTo(PresenceType.AVAILABLE);
        assertThat(p.to()).isEqualTo(jid("romeo@example.net/orchard"));
        assertThat(p.e2e()).hasValue(E2ePayload.of("\nU2FsdGVkX18VJPbx5GMdFPTPZrHLC9QGiVP+ziczu6zWZLFQxae6O5PP6iqpr2No\n"
                + "woJxUIBqCOgX+U7srHpK2NYtNTZ7UQp2V0yEx1JV8+Y=\n"));
    }

    @Test
    void aPresenceWithoutE2eHasNone() {
        XmppPresence p = ((PresenceCodec.Availability) decode("<presence from='a@b/c' to='d@e'/>")).presence();
        assertThat(p.e2e()).isEmpty();
    }

    @Test
    void writesTheE2eObjectWithTheGatewaysCheckAsAXep0131HeaderAndReadsItBackWithoutTheHeader() {
        String object = "Content-Type: multipart/signed; boundary=next\r\n\r\n--next\r\n<&>";
        XmppPresence p = XmppPresence.available(jid("romeo\\40example.net@gw.example.com"), jid("juliet@example.com"))
                .withE2e(new E2ePayload(object, Optional.of("gw.example.com; smime=pass")));

        String xml = PresenceCodec.toElement(p, NS).toXml(NS);

        assertThat(xml).contains("<e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'>Content-Type: multipart/signed;"
                + " boundary=next&#xD;\n&#xD;\n--next&#xD;\n&lt;&amp;&gt;</e2e>")
                .contains("<headers xmlns='http://jabber.org/protocol/shim'><header name='Authentication-Results'>"
                        + "gw.example.com; smime=pass</header></headers>");
        XmppPresence read = ((PresenceCodec.Availability) decode(xml)).presence();
        assertThat(read.e2e()).hasValue(E2ePayload.of(object));
    }
}
