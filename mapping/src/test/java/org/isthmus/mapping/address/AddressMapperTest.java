package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

class AddressMapperTest {

    /** The walking skeleton's deployment: XMPP users on xmpp.test, the component sip.xmpp.test. */
    private final AddressMapper skeleton = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));

    /** The RFC 7247 tables treat sip.example and xmpp.example as XMPP-reachable domains. */
    private final AddressMapper rfc = new AddressMapper("gw.example", Set.of("sip.example", "xmpp.example"));

    @Test
    void componentForm_sipUserIsEscapedUnderTheComponentDomain() {
        ImUri bob = ImUri.fromSip(SipUri.parse("sip:bob@sip.test").orThrow()).orThrow();
        Jid jid = skeleton.toJid(bob).orThrow();
        assertThat(jid).hasToString("bob\\40sip.test@sip.xmpp.test");
        assertThat(skeleton.fromJid(jid).orThrow().toSip()).hasToString("sip:bob@sip.test");
    }

    @Test
    void componentForm_xmppUserKeepsTheirAddress() {
        ImUri alice = ImUri.fromSip(SipUri.parse("sip:alice@xmpp.test").orThrow()).orThrow();
        assertThat(skeleton.toJid(alice).orThrow()).hasToString("alice@xmpp.test");
        assertThat(skeleton.fromJid(Jid.parse("alice@xmpp.test/phone").orThrow()).orThrow().toSip())
                .hasToString("sip:alice@xmpp.test;gr=phone");
    }

    /** RFC 7247 §6.4, the three examples of the SIP-to-XMPP table. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "sip:f%C3%BC@sip.example, fü@sip.example",
        "sip:o'malley@sip.example, o\\27malley@sip.example",
        "sip:foo@sip.example;gr=bar, foo@sip.example/bar",
    })
    void rfc7247_s6_4_examples(String sip, String jid) {
        ImUri im = ImUri.fromSip(SipUri.parse(sip).orThrow()).orThrow();
        assertThat(rfc.toJid(im).orThrow()).hasToString(jid);
    }

    /** RFC 7247 §6.5, the three examples of the XMPP-to-SIP table. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "m\\26m@xmpp.example, sip:m&m@xmpp.example",
        "tschüss@xmpp.example, sip:tsch%C3%BCss@xmpp.example",
        "baz@xmpp.example/qux, sip:baz@xmpp.example;gr=qux",
    })
    void rfc7247_s6_5_examples(String jid, String sip) {
        assertThat(rfc.fromJid(Jid.parse(jid).orThrow()).orThrow().toSip()).hasToString(sip);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "sip:o'malley@sip.test", "sip:a%20b@sip.test", "sip:a&b/c@sip.test", "sip:back%5Cslash@sip.test",
        "sip:f%C3%BC@xn--bcher-kva.test", "sip:+15551234;phone-context=x@sip.test", "sip:a%5C40b@sip.test",
    })
    void componentForm_roundTrips(String sip) {
        SipUri uri = SipUri.parse(sip).orThrow();
        ImUri im = ImUri.fromSip(uri).orThrow();
        Jid jid = skeleton.toJid(im).orThrow();
        assertThat(jid.domain()).isEqualTo("sip.xmpp.test");
        assertThat(Jid.parse(jid.toString()).orThrow()).isEqualTo(jid);
        ImUri back = skeleton.fromJid(jid).orThrow();
        assertThat(back).isEqualTo(new ImUri(im.user().toLowerCase(java.util.Locale.ROOT),
                Jid.prepareDomain(im.host()).orThrow(), im.instance()));
        assertThat(back.toSip()).isEqualTo(SipUri.parse(uri.toString().toLowerCase(java.util.Locale.ROOT)).orThrow());
    }

    @Test
    void componentJidWithoutEscapedAtIsNotFound() {
        Mapped<ImUri> r = skeleton.fromJid(Jid.parse("bob@sip.xmpp.test").orThrow());
        assertThat(((Mapped.Failed<ImUri>) r).rejected().condition()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    @Test
    void componentJidThatNamesAnXmppUserIsRefusedToAvoidALoop() {
        Mapped<ImUri> r = skeleton.fromJid(Jid.parse("alice\\40xmpp.test@sip.xmpp.test").orThrow());
        assertThat(((Mapped.Failed<ImUri>) r).rejected().condition()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    @Test
    void unknownXmppDomainIsRemoteServerNotFound() {
        Mapped<ImUri> r = skeleton.fromJid(Jid.parse("eve@elsewhere.test").orThrow());
        assertThat(((Mapped.Failed<ImUri>) r).rejected().condition())
                .isEqualTo(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
    }
}
