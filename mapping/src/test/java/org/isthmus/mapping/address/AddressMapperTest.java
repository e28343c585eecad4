package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
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

    /**
     * A carrier interconnect (RFC 7247 §5): XMPP users on xmpp.example, SIP users of sip.example
     * federated, those of pstn.example reached through the component, unknown domains refused, and
     * numbers sent to pstn.example.
     */
    private final AddressMapper carrier = new AddressMapper(AddressRules.component("gw.xmpp.example", Set.of("xmpp.example"))
            .withFederatedDomains(Set.of("sip.example", "example.net"))
            .withSipDomain("pstn.example", SipDomainMode.COMPONENT)
            .withOtherSipDomains(SipDomainMode.REFUSED)
            .withTelephoneDomain("pstn.example"));

    /** RFC 7247 §6: federation maps sip:juliet@sip.example to juliet@sip.example and back, per domain. */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource({
        "sip:juliet@sip.example, juliet@sip.example",
        "sip:juliet@sip.example;gr=balcony, juliet@sip.example/balcony",
        "sip:o'malley@sip.example, o\\27malley@sip.example",
        "sip:romeo@pstn.example, romeo\\40pstn.example@gw.xmpp.example",
        "sip:alice@xmpp.example, alice@xmpp.example",
        "sip:f%C3%BC@sip.example, fü@sip.example",
    })
    void rfc7247_s6_perDomainModes(String sip, String jid) {
        Jid mapped = carrier.toJid(AddressUri.parse(sip).orThrow()).orThrow();
        assertThat(mapped).hasToString(jid);
        assertThat(carrier.toSipAddress(mapped).orThrow()).hasToString(sip);
    }

    @Test
    void refusedDomainIsRemoteServerNotFound() {
        assertThat(condition(carrier.toJid(AddressUri.parse("sip:eve@elsewhere.example").orThrow())))
                .isEqualTo(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
        assertThat(condition(carrier.fromJid(Jid.parse("eve\\40elsewhere.example@gw.xmpp.example").orThrow())))
                .isEqualTo(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
        assertThat(condition(carrier.fromJid(Jid.parse("eve@elsewhere.example").orThrow())))
                .isEqualTo(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
    }

    /** A federated user has one JID: the component spelling of the same address is refused, not conflated. */
    @Test
    void federatedUserThroughTheComponentIsRefused() {
        assertThat(condition(carrier.fromJid(Jid.parse("juliet\\40sip.example@gw.xmpp.example").orThrow())))
                .isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /** Federation as the default for unlisted SIP domains. */
    @Test
    void federationByDefault() {
        AddressMapper open = new AddressMapper(AddressRules.component("gw.xmpp.example", Set.of("xmpp.example"))
                .withOtherSipDomains(SipDomainMode.FEDERATION));
        assertThat(open.toJid(AddressUri.parse("sip:romeo@anywhere.example").orThrow()).orThrow())
                .hasToString("romeo@anywhere.example");
        assertThat(open.fromJid(Jid.parse("romeo@anywhere.example").orThrow()).orThrow())
                .hasToString("im:romeo@anywhere.example");
    }

    /**
     * RFC 3922 §4.1.1, §4.1.2, §5.1.1, §5.1.2 (XMPP to CPIM: the resource is removed, im: or pres:
     * prepended) and §4.2.1, §4.2.2 (CPIM to XMPP: the scheme and Formal-name removed).
     */
    @ParameterizedTest(name = "{0}: {1} <-> {2}")
    @CsvSource({
        "4.1.1, juliet@example.com/balcony, im:juliet@example.com",
        "4.1.2, romeo@example.net/orchard, im:romeo@example.net",
        "5.1.1, juliet@example.com/balcony, pres:juliet@example.com",
        "5.1.2, romeo@example.net/orchard, im:romeo@example.net",
    })
    void rfc3922_s4_and_s5_xmppToCpim(String section, String jid, String cpim) {
        AddressMapper rfc3922 = new AddressMapper(AddressRules.component("gw.example.com", Set.of("example.com"))
                .withFederatedDomains(Set.of("example.net")));
        ImUri im = rfc3922.fromJid(Jid.parse(jid).orThrow()).orThrow().bare();
        assertThat(cpim.startsWith("pres:") ? im.toPres().toString() : im.toString()).isEqualTo(cpim);
    }

    @ParameterizedTest(name = "{0}: {1} <-> {2}")
    @CsvSource(delimiter = '|', value = {
        "4.2.1|Romeo Montague <im:romeo@example.net>|romeo@example.net",
        "4.2.2|Juliet Capulet <im:juliet@example.com>|juliet@example.com",
    })
    void rfc3922_s4_2_cpimToXmpp(String section, String cpim, String jid) {
        AddressMapper rfc3922 = new AddressMapper(AddressRules.component("gw.example.com", Set.of("example.com"))
                .withFederatedDomains(Set.of("example.net")));
        assertThat(rfc3922.toJid(AddressUri.parse(cpim).orThrow()).orThrow()).hasToString(jid);
    }

    /** RFC 3922 §3.2/§3.3 with the characters of §3.1, in XEP-0106's notation (RFC 7247 §6.4 step 5). */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource({
        "im:m&m@example.com, m\\26m@example.com",
        "im:d'artagnan@example.com, d\\27artagnan@example.com",
        "pres:a/b@example.com, a\\2fb@example.com",
        "im:tsch%C3%BCss@example.com, tschüss@example.com",
    })
    void rfc3922_s3_characters(String cpim, String jid) {
        AddressMapper rfc3922 = new AddressMapper(AddressRules.component("gw.example.com", Set.of("example.com")));
        assertThat(rfc3922.toJid(AddressUri.parse(cpim).orThrow()).orThrow()).hasToString(jid);
        ImUri back = rfc3922.fromJid(Jid.parse(jid).orThrow()).orThrow();
        assertThat(cpim.startsWith("pres:") ? back.toPres().toString() : back.toString()).isEqualTo(cpim);
    }

    /**
     * XEP-0106 §5.3 examples 17–23 with "cr%zy" written "cr%25zy" (the examples' bare "%zy" is no
     * percent-encoding, RFC 3986 §2.1, and is refused): sip: URI to escaped JID and back.
     */
    @Test
    void xep0106_s5_3_examples17to23() {
        AddressMapper xep = new AddressMapper(AddressRules.component("gw.example.org", Set.of())
                .withFederatedDomains(Set.of("example.com")));
        assertThat(SipUri.parse("sip:here%27s_a_wild_%26_%2Fcr%zy%2F_address@example.com").isOk()).isFalse();
        SipUri sip = SipUri.parse("sip:here%27s_a_wild_%26_%2Fcr%25zy%2F_address@example.com").orThrow();
        assertThat(sip.user()).contains("here's_a_wild_&_/cr%zy/_address");
        Jid jid = xep.toJid(sip).orThrow();
        assertThat(jid).hasToString("here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address@example.com");
        AddressUri back = xep.toSipAddress(jid).orThrow();
        assertThat(back).isEqualTo(sip);
        assertThat(back).hasToString("sip:here's_a_wild_&_/cr%25zy/_address@example.com");
    }

    /**
     * Telephone numbers (RFC 7247 §6.1 leaves them out of scope): tel: and user=phone URIs map to the
     * number under the component domain (RFC 3966 §5.1.4, RFC 3261 §19.1.6), back to user=phone at
     * the telephone domain.
     */
    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource({
        "tel:+1-201-555-0123, +12015550123@gw.xmpp.example, sip:+12015550123@pstn.example;user=phone",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone, +12125551212@gw.xmpp.example, sip:+12125551212@pstn.example;user=phone",
        "sip:+12125551212@pstn.example;user=phone;gr=x, +12125551212@gw.xmpp.example/x, sip:+12125551212@pstn.example;user=phone;gr=x",
        "tel:+1-201-555-0123;ext=42, +12015550123;ext=42@gw.xmpp.example, sip:+12015550123;ext=42@pstn.example;user=phone",
        "sip:+12125551212@pstn.example, +12125551212@gw.xmpp.example, sip:+12125551212@pstn.example;user=phone",
    })
    void telephoneNumbers(String uri, String jid, String back) {
        Jid mapped = carrier.toJid(AddressUri.parse(uri).orThrow()).orThrow();
        assertThat(mapped).hasToString(jid);
        assertThat(carrier.toSipAddress(mapped).orThrow()).hasToString(back);
        assertThat(carrier.fromJid(mapped).orThrow().host()).isEqualTo("pstn.example");
    }

    @Test
    void telephoneNumberWithoutTelephoneDomainGoesBackAsTel() {
        Jid jid = skeleton.toJid(AddressUri.parse("tel:+1-201-555-0123").orThrow()).orThrow();
        assertThat(jid).hasToString("+12015550123@sip.xmpp.test");
        assertThat(skeleton.toSipAddress(jid).orThrow()).isEqualTo(TelUri.parse("tel:+12015550123").orThrow());
        assertThat(condition(skeleton.fromJid(jid))).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /**
     * A SIP user whose name reads like a number with parameters is a user at its domain, not a number:
     * the escaped '@' in its JID says so, and its JID maps back to it (a fuzzing find).
     */
    @Test
    void userNamedLikeANumberWithParametersMapsBack() {
        SipUri sip = SipUri.parse("sip:+1-555;user=ph7@sip.test").orThrow();
        Jid jid = skeleton.toJid(sip).orThrow();
        assertThat(jid).hasToString("+1-555;user=ph7\\40sip.test@sip.xmpp.test");
        assertThat(skeleton.toSipAddress(jid).orThrow()).isEqualTo(sip);
    }

    /** RFC 3966 §5.1.5: a local number has no meaning outside its context. */
    @Test
    void rfc3966_s5_1_5_localNumberIsRefused() {
        assertThat(condition(carrier.toJid(AddressUri.parse("tel:7042;phone-context=example.com").orThrow())))
                .isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /**
     * One identity, one JID: spellings that would map to the same SIP address as another JID are
     * refused with jid-malformed (XEP-0106 §4.3 leaves a lone backslash unescaped; the number's
     * canonical form has no separators; the host inside a component localpart is written prepared).
     */
    @ParameterizedTest
    @ValueSource(strings = {"a\\5cb@xmpp.example", "a\\5cb@sip.example", "+1-212-555-1212@gw.xmpp.example",
            "romeo\\40pstn.example.@gw.xmpp.example", "romeo\\40xn--pstn-exa.example@gw.xmpp.example"})
    void nonCanonicalJidsAreRefused(String text) {
        Jid jid = Jid.parse(text).orThrow();
        assertThat(condition(carrier.fromJid(jid))).isIn(StanzaErrorCondition.JID_MALFORMED,
                StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
        assertThat(carrier.toSipAddress(jid).isOk()).isFalse();
    }

    /**
     * RFC 7247 §6.2 step 3 and §7.1 (jid-malformed, 400): user parts that no escaping turns into a
     * localpart are refused: a leading or trailing space (XEP-0106 §4.1 rule 6), a symbol or a
     * compatibility character (PRECIS IdentifierClass), more than 1023 octets.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sip:%20bob@sip.example", "sip:bob%20@sip.example", "sip:%E2%99%9A@sip.example",
            "sip:henry%E2%85%A3@sip.example", "sip:a%07b@sip.example", "sip:%E3%80%80bob@sip.example"})
    void userPartsThatCannotBeEscapedAreJidMalformed(String sip) {
        assertThat(condition(carrier.toJid(AddressUri.parse(sip).orThrow()))).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    @Test
    void overLongUserIsJidMalformed() {
        assertThat(condition(carrier.toJid(SipUri.of("a".repeat(1024), "sip.example")))).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
        assertThat(carrier.toJid(SipUri.of("a".repeat(1023), "sip.example")).isOk()).isTrue();
        // In component mode the host counts too.
        assertThat(condition(carrier.toJid(SipUri.of("a".repeat(1010), "pstn.example")))).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    /** Width forms are mapped before escaping (RFC 7613 §3.3.1), so a fullwidth "@" is escaped like "@". */
    @Test
    void fullwidthCharactersAreEscapedAfterWidthMapping() {
        Jid jid = carrier.toJid(SipUri.of("a\uFF20b\uFF3C2f", "sip.example")).orThrow();
        assertThat(jid).hasToString("a\\40b\\5c2f@sip.example");
        assertThat(carrier.fromJid(jid).orThrow().user()).isEqualTo("a@b\\2f");
    }

    /**
     * Preparation (NFC) may merge an escape's last hex digit with a following combining mark: a user
     * that only looked like an escape is escaped as prepared, one whose escape would be destroyed is
     * refused (jid-malformed), so the JID always maps back to the same user.
     */
    @Test
    void combiningMarksAfterEscapes() {
        Jid jid = carrier.toJid(SipUri.of("\\3a\u0301", "sip.example")).orThrow();
        assertThat(jid).hasToString("\\3\u00E1@sip.example");
        assertThat(carrier.fromJid(jid).orThrow().user()).isEqualTo("\\3\u00E1");
        assertThat(condition(carrier.toJid(SipUri.of(":\u0301", "sip.example")))).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    @Test
    void rulesRefuseLoops() {
        assertThatThrownBy(() -> AddressRules.component("gw.example", Set.of("xmpp.example"))
                .withFederatedDomains(Set.of("xmpp.example"))).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> AddressRules.component("gw.example", Set.of("xmpp.example"))
                .withTelephoneDomain("gw.example")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> AddressRules.component("gw.example", Set.of("gw.example")))
                .isInstanceOf(MappingException.class);
        assertThat(AddressRules.component("GW.Example.", Set.of("XMPP.example")).componentDomain()).isEqualTo("gw.example");
    }

    private static StanzaErrorCondition condition(Mapped<?> mapped) {
        assertThat(mapped.isOk()).as("expected a rejection, got %s", mapped).isFalse();
        return ((Mapped.Failed<?>) mapped).rejected().condition();
    }
}
