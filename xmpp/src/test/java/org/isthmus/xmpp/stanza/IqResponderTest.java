package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlElement;

class IqResponderTest {

    private static final String NS = Namespaces.COMPONENT_ACCEPT;
    private final IqResponder responder = new IqResponder("sip.example.net");

    private static XmlElement iq(String type, String to, XmlElement... payload) {
        XmlElement.Builder b = XmlElement.builder(NS, "iq").attribute("type", type).attribute("id", "i1")
                .attribute("from", "juliet@example.com/balcony").attribute("to", to);
        for (XmlElement p : payload) {
            b.child(p);
        }
        return b.build();
    }

    private Optional<String> reply(XmlElement iq) {
        return responder.respond(iq).map(e -> e.toXml(NS));
    }

    @Test
    void answersAPingWithAnEmptyResultPerXep0199() {
        assertThat(reply(iq("get", "sip.example.net", XmlElement.builder(IqResponder.PING, "ping").build())))
                .contains("<iq from='sip.example.net' to='juliet@example.com/balcony' id='i1' type='result'/>");
        assertThat(reply(iq("get", "romeo@sip.example.net", XmlElement.builder(IqResponder.PING, "ping").build())))
                .contains("<iq from='romeo@sip.example.net' to='juliet@example.com/balcony' id='i1' type='result'/>");
    }

    @Test
    void describesTheComponentAsASipGatewayPerXep0030() {
        assertThat(reply(iq("get", "sip.example.net", XmlElement.builder(IqResponder.DISCO_INFO, "query").build())))
                .contains("<iq from='sip.example.net' to='juliet@example.com/balcony' id='i1' type='result'>"
                        + "<query xmlns='http://jabber.org/protocol/disco#info'>"
                        + "<identity category='gateway' type='sip' name='Isthmus'/>"
                        + "<feature var='http://jabber.org/protocol/disco#info'/>"
                        + "<feature var='urn:xmpp:ping'/><feature var='jid\\20escaping'/></query></iq>");
    }

    @Test
    void answersDiscoItemsWithAnEmptyList() {
        assertThat(reply(iq("get", "sip.example.net", XmlElement.builder(IqResponder.DISCO_ITEMS, "query").build())))
                .contains("<iq from='sip.example.net' to='juliet@example.com/balcony' id='i1' type='result'>"
                        + "<query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
    }

    @Test
    void answersEveryOtherGetOrSetWithServiceUnavailable() {
        String expected = "<iq from='sip.example.net' to='juliet@example.com/balcony' id='i1' type='error'>"
                + "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
        assertThat(reply(iq("get", "sip.example.net", XmlElement.builder("jabber:iq:version", "query").build())))
                .contains(expected);
        assertThat(reply(iq("set", "sip.example.net", XmlElement.builder("jabber:iq:roster", "query").build())))
                .contains(expected);
        assertThat(reply(iq("set", "sip.example.net", XmlElement.builder(IqResponder.PING, "ping").build())))
                .contains(expected);
    }

    @Test
    void refusesDiscoInfoOnUsersAndNodes() {
        assertThat(reply(iq("get", "romeo@sip.example.net", XmlElement.builder(IqResponder.DISCO_INFO, "query").build())))
                .hasValueSatisfying(x -> assertThat(x).contains("<service-unavailable"));
        assertThat(reply(iq("get", "sip.example.net",
                XmlElement.builder(IqResponder.DISCO_INFO, "query").attribute("node", "n").build())))
                .hasValueSatisfying(x -> assertThat(x).contains("<item-not-found"));
    }

    @Test
    void refusesMalformedRequestsPerRfc6120Section8_2_3() {
        assertThat(reply(iq("get", "sip.example.net"))).hasValueSatisfying(x -> assertThat(x).contains("<bad-request"));
        assertThat(reply(iq("bogus", "sip.example.net", XmlElement.builder(IqResponder.PING, "ping").build())))
                .hasValueSatisfying(x -> assertThat(x).contains("<bad-request"));
        assertThat(reply(iq("get", "a@@b", XmlElement.builder(IqResponder.PING, "ping").build())))
                .hasValueSatisfying(x -> assertThat(x).startsWith("<iq from='sip.example.net'").contains("<jid-malformed"));
    }

    @Test
    void neverAnswersResultsErrorsOrStanzasWithoutAReplyAddress() {
        assertThat(reply(iq("result", "sip.example.net"))).isEmpty();
        assertThat(reply(iq("error", "sip.example.net"))).isEmpty();
        XmlElement anonymous = XmlElement.builder(NS, "iq").attribute("type", "get").attribute("id", "x")
                .child(XmlElement.builder(IqResponder.PING, "ping").build()).build();
        assertThat(reply(anonymous)).isEmpty();
    }

    @Test
    void repliesFromTheComponentDomainWhenAddressedElsewhere() {
        assertThat(reply(iq("get", "other.example", XmlElement.builder(IqResponder.PING, "ping").build())))
                .hasValueSatisfying(x -> assertThat(x).startsWith("<iq from='sip.example.net'"));
    }
}
