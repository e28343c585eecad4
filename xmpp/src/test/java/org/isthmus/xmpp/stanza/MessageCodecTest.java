package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.StanzaErrorType;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XhtmlIm;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlElement;

class MessageCodecTest {

    private static final String NS = Namespaces.COMPONENT_ACCEPT;
    private static final Jid JULIET = Jid.parse("juliet@example.com/balcony").orThrow();
    private static final Jid ROMEO = Jid.parse("romeo\\40sip.example.org@sip.example.net").orThrow();

    private static XmlElement read(String stanza) {
        return WireStanzas.read(NS, stanza);
    }

    private static XmppMessage message(MessageType type, Optional<StanzaError> error) {
        return new XmppMessage(ROMEO, JULIET, Optional.of("m1"), type, Optional.of("en"),
                Optional.of("Wherefore art thou? <&> 😀"), Optional.of("Balcony"), Optional.of("t-1"), error);
    }

    static Stream<XmppMessage> messages() {
        return Stream.of(
                message(MessageType.CHAT, Optional.empty()),
                message(MessageType.NORMAL, Optional.empty()),
                message(MessageType.HEADLINE, Optional.empty()),
                new XmppMessage(ROMEO, JULIET, Optional.empty(), MessageType.GROUPCHAT, Optional.empty(),
                        Optional.of(""), Optional.empty(), Optional.empty(), Optional.empty()),
                message(MessageType.ERROR, Optional.of(StanzaError.of(StanzaErrorCondition.SERVICE_UNAVAILABLE, "no route"))),
                message(MessageType.ERROR, Optional.of(StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, null))),
                message(MessageType.ERROR, Optional.of(
                        StanzaError.of(StanzaErrorCondition.GONE, "moved").withAddress("xmpp:romeo@example.org"))),
                message(MessageType.ERROR, Optional.of(new StanzaError(StanzaErrorType.WAIT,
                        StanzaErrorCondition.REDIRECT, Optional.empty(), Optional.of("xmpp:other@example.org")))));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void survivesARoundTripThroughXml(XmppMessage original) {
        String xml = MessageCodec.toElement(original, NS).toXml(NS);
        assertThat(MessageCodec.fromElement(read(xml)).orThrow()).isEqualTo(original);
    }

    /** Messages the one-pass writer handles itself, beside those of {@link #messages()}. */
    static Stream<XmppMessage> plainMessages() {
        String hostile = "a&b<c>'\"\t\r\n\u0000\uD800 \uD83D\uDE00 ]]>";
        Jid odd = Jid.parse("o\\40x@sip.example.net/r&'<>\"").orThrow();
        return Stream.concat(messages(), Stream.of(
                new XmppMessage(ROMEO, JULIET, Optional.empty(), MessageType.NORMAL, Optional.empty(),
                        List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
                new XmppMessage(odd, JULIET.bare(), Optional.of(hostile), MessageType.CHAT, Optional.of("e'n"),
                        List.of(new LocalizedText(Optional.empty(), hostile), new LocalizedText(Optional.of("de"), ""),
                                new LocalizedText(Optional.of("fr<"), "\u0001")),
                        List.of(new LocalizedText(Optional.of("en"), hostile)), Optional.of(""),
                        Optional.empty(), Optional.empty(), Optional.empty()),
                new XmppMessage(ROMEO, JULIET, Optional.of("x"), MessageType.CHAT, Optional.empty(),
                        List.of(), List.of(), Optional.of(hostile), Optional.empty(), Optional.empty(), Optional.empty())));
    }

    @ParameterizedTest
    @MethodSource("plainMessages")
    void theOnePassWriterWritesWhatTheElementWriterWrites(XmppMessage message) {
        assertThat(MessageCodec.toXml(message, NS, NS)).isEqualTo(MessageCodec.toElement(message, NS).toXml(NS));
        assertThat(MessageCodec.toXml(message, NS, "")).isEqualTo(MessageCodec.toElement(message, NS).toXml(""));
        assertThat(MessageCodec.toXml(message, "jabber:client", NS))
                .isEqualTo(MessageCodec.toElement(message, "jabber:client").toXml(NS));
    }

    @Test
    void writesTheStanzaInTheOrderOfRfc6121() {
        XmppMessage m = message(MessageType.ERROR, Optional.of(
                StanzaError.of(StanzaErrorCondition.GONE, "moved").withAddress("xmpp:romeo@example.org")));
        assertThat(MessageCodec.toElement(m, NS).toXml(NS)).isEqualTo(
                "<message from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com/balcony' id='m1'"
                + " type='error' xml:lang='en'><subject>Balcony</subject><body>Wherefore art thou? &lt;&amp;&gt; 😀</body>"
                + "<thread>t-1</thread><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>"
                + "xmpp:romeo@example.org</gone><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>moved</text></error></message>");
    }

    /** RFC 3923 §9: the {@code <e2e/>} text as it is, CR and all; the gateway's check as a XEP-0131 header. */
    @Test
    void carriesAnE2eObjectAndItsAuthenticationResultsHeader() {
        String object = "Content-Type: multipart/signed; boundary=next\r\n\r\n--next\r\n<&>\r\n--next--\r\n";
        XmppMessage m = new XmppMessage(ROMEO, JULIET, Optional.of("m1"), MessageType.NORMAL, Optional.empty(),
                List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(new E2ePayload(object, Optional.of("sip.example.net; smime=pass"))));

        String xml = MessageCodec.toElement(m, NS).toXml(NS);

        assertThat(xml).contains("<e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'>Content-Type: multipart/signed;"
                + " boundary=next&#xD;\n&#xD;\n--next&#xD;\n&lt;&amp;&gt;")
                .contains("<headers xmlns='http://jabber.org/protocol/shim'><header name='Authentication-Results'>"
                        + "sip.example.net; smime=pass</header></headers>");
        XmppMessage read = MessageCodec.fromElement(read(xml)).orThrow();
        assertThat(read.e2e()).hasValue(E2ePayload.of(object));
    }

    @Test
    void doesNotReadAnAuthenticationResultsHeaderFromTheSender() {
        XmppMessage read = MessageCodec.fromElement(read("<message from='juliet@example.com/balcony' to='"
                + "romeo\\40sip.example.org@sip.example.net'><e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'>x</e2e>"
                + "<headers xmlns='http://jabber.org/protocol/shim'><header name='Authentication-Results'>"
                + "sip.example.net; smime=pass</header></headers></message>")).orThrow();
        assertThat(read.e2e()).hasValue(E2ePayload.of("x"));
    }

    @Test
    void leavesOutTheTypeOfANormalMessage() {
        assertThat(MessageCodec.toElement(message(MessageType.NORMAL, Optional.empty()), NS).attribute("type")).isEmpty();
    }

    @Test
    void readsTheRfc6120ErrorExampleOfSection8_3_2() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='romeo@example.net' to='juliet@example.com/balcony'"
                + " id='b4vs9km4' type='error'><error by='example.net' type='wait'><recipient-unavailable"
                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'"
                + " xml:lang='en'>later</text><custom xmlns='urn:x'/></error></message>")).orThrow();
        assertThat(m.error()).contains(new StanzaError(StanzaErrorType.WAIT, StanzaErrorCondition.RECIPIENT_UNAVAILABLE,
                Optional.of("later"), Optional.empty()));
    }

    @Test
    void readsAnErrorMessageWithoutAnErrorElementAsUndefinedCondition() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d' type='error'/>")).orThrow();
        assertThat(m.error().orElseThrow().condition()).isEqualTo(StanzaErrorCondition.UNDEFINED_CONDITION);
    }

    @Test
    void picksTheBodyInTheStanzaLanguageOrWithoutOne() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d' xml:lang='en'>"
                + "<body xml:lang='de'>Hallo</body><body>Hello</body><body xml:lang='fr'>Salut</body></message>")).orThrow();
        assertThat(m.body()).contains("Hello");
        assertThat(m.lang()).contains("en");
        XmppMessage tagged = MessageCodec.fromElement(read("<message from='a@b' to='c@d' xml:lang='en'>"
                + "<body xml:lang='de'>Hallo</body><body xml:lang='EN'>Hello</body></message>")).orThrow();
        assertThat(tagged.body()).contains("Hello");
    }

    @Test
    void takesTheFirstBodyAndItsLanguageWhenNoneMatches() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d' xml:lang='en'>"
                + "<body xml:lang='de'>Hallo</body><body xml:lang='fr'>Salut</body></message>")).orThrow();
        assertThat(m.body()).contains("Hallo");
        assertThat(m.lang()).contains("de");
    }

    /**
     * Without a stanza language, a subject without one falls into the language the first body gives the
     * message; one already there keeps it (a fuzzing find: the message could not be made at all).
     */
    @Test
    void keepsOneSubjectPerLanguageWhenTheBodyGivesTheLanguage() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d'><subject>Hi</subject>"
                + "<subject xml:lang='cs'>Ahoj</subject><body xml:lang='cs'>Jak se m\u00E1\u0161?</body></message>")).orThrow();
        assertThat(m.lang()).contains("cs");
        assertThat(m.subjects()).extracting(LocalizedText::text).containsExactly("Hi");
        assertThat(MessageCodec.fromElement(read(MessageCodec.toElement(m, NS).toXml(NS))).orThrow()).isEqualTo(m);
    }

    @Test
    void readsAnUnknownTypeAsNormal() {
        assertThat(MessageCodec.fromElement(read("<message from='a@b' to='c@d' type='bogus'/>")).orThrow().type())
                .isEqualTo(MessageType.NORMAL);
    }

    @Test
    void refusesAMissingOrMalformedAddressWithJidMalformed() {
        for (String stanza : new String[] {"<message to='c@d'/>", "<message from='a@b'/>",
                "<message from='a@b' to='@@@'/>", "<message from='a@b@c' to='c@d'/>"}) {
            Mapped<XmppMessage> result = MessageCodec.fromElement(read(stanza));
            assertThat(result).as(stanza).isInstanceOf(Mapped.Failed.class);
            assertThat(((Mapped.Failed<XmppMessage>) result).rejected().condition())
                    .isEqualTo(StanzaErrorCondition.JID_MALFORMED);
        }
    }

    @Test
    void buildsAnErrorReplyAddressedBackWithThePayload() {
        XmlElement original = read("<message from='a@b/r' to='x@sip.example.net' id='q1' type='chat' xml:lang='en'>"
                + "<body>hi</body></message>");
        XmlElement reply = StanzaErrors.errorReply(original,
                StanzaError.of(StanzaErrorCondition.JID_MALFORMED, "bad"), "x@sip.example.net", true);
        assertThat(reply.toXml(NS)).isEqualTo("<message from='x@sip.example.net' to='a@b/r' id='q1' type='error'"
                + " xml:lang='en'><body>hi</body><error type='modify'><jid-malformed"
                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>bad"
                + "</text></error></message>");
    }

    /** RFC 6121 §5.2.3 and §5.2.4: every body and subject is read and written with its own xml:lang. */
    @Test
    void rfc6121_s5_2_3_severalBodiesSurviveARoundTrip() {
        XmppMessage m = new XmppMessage(ROMEO, JULIET, Optional.of("m2"), MessageType.CHAT, Optional.of("en"),
                List.of(LocalizedText.of("Wherefore?"), LocalizedText.in("cs", "Proč?")),
                List.of(LocalizedText.in("cs", "Balkón"), LocalizedText.of("Balcony")), Optional.empty(),
                Optional.empty(), Optional.empty());
        String xml = MessageCodec.toElement(m, NS).toXml(NS);
        assertThat(xml).isEqualTo("<message from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com/balcony'"
                + " id='m2' type='chat' xml:lang='en'><subject xml:lang='cs'>Balkón</subject><subject>Balcony</subject>"
                + "<body>Wherefore?</body><body xml:lang='cs'>Proč?</body></message>");
        XmppMessage back = MessageCodec.fromElement(read(xml)).orThrow();
        assertThat(back).isEqualTo(m);
        assertThat(back.subject()).contains("Balcony");
    }

    /** RFC 6121 §5.2.3: a second body in a language already present (here by inheritance) is dropped. */
    @Test
    void rfc6121_s5_2_3_aSecondBodyInOneLanguageIsDropped() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d' xml:lang='en'>"
                + "<body>one</body><body xml:lang='EN'>two</body><body xml:lang='de'>drei</body></message>")).orThrow();
        assertThat(m.bodies()).containsExactly(LocalizedText.of("one"), LocalizedText.in("de", "drei"));
    }

    @Test
    void rebasingTheLanguageKeepsTheInheritedOneExplicit() {
        XmppMessage m = MessageCodec.fromElement(read("<message from='a@b' to='c@d' xml:lang='en'>"
                + "<subject>Hi</subject><body xml:lang='de'>Hallo</body></message>")).orThrow();
        assertThat(m.lang()).contains("de");
        assertThat(m.subjects()).containsExactly(LocalizedText.in("en", "Hi"));
    }

    /** XEP-0071 §4: the XHTML-IM body follows the plain one; text beside elements goes in spans. */
    @Test
    void writesXhtmlImWithTextRunsInSpans() {
        XhtmlIm html = new XhtmlIm(List.of(new XhtmlIm.Element("p", Map.of(), List.of(new XhtmlIm.Text("Hello "),
                new XhtmlIm.Element("strong", Map.of(), List.of(new XhtmlIm.Text("Juliet"))), new XhtmlIm.Text("!"))),
                new XhtmlIm.Element("ul", Map.of(), List.of(new XhtmlIm.Text(" "),
                        new XhtmlIm.Element("li", Map.of(), List.of(new XhtmlIm.Text("a")))))));
        XmppMessage m = new XmppMessage(ROMEO, JULIET, Optional.empty(), MessageType.NORMAL, Optional.empty(),
                List.of(LocalizedText.of("Hello Juliet!")), List.of(), Optional.empty(), Optional.of(html), Optional.empty());
        assertThat(MessageCodec.toElement(m, NS).toXml(NS)).isEqualTo("<message from='romeo\\40sip.example.org@sip.example.net'"
                + " to='juliet@example.com/balcony'><body>Hello Juliet!</body><html xmlns='http://jabber.org/protocol/xhtml-im'>"
                + "<body xmlns='http://www.w3.org/1999/xhtml'><p><span>Hello </span><strong>Juliet</strong><span>!</span></p>"
                + "<ul><li>a</li></ul></body></html></message>");
    }
}
