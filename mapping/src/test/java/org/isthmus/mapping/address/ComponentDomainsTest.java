package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Several component domains: the gateway attached to server A as {@code sip.a.test} (users of a.test)
 * and to server B as {@code sip.b.test} (users of b.test and b2.test), with {@code sip.a.test} the default
 * that also serves plain.test, which no component names. A SIP user appears under the component of
 * the XMPP user it talks to (XEP-0114 §3), escaped per XEP-0106.
 */
class ComponentDomainsTest {

    private final AddressRules rules = AddressRules.component("sip.a.test", Set.of("a.test", "plain.test"))
            .withComponent("sip.a.test", Set.of("a.test"))
            .withComponent("sip.b.test", Set.of("b.test", "b2.test"))
            .withTelephoneDomain("pstn.test");
    private final AddressMapper mapper = new AddressMapper(rules);

    private static ImUri im(String sip) {
        return ImUri.fromSip(SipUri.parse(sip).orThrow()).orThrow();
    }

    private static Jid jid(String text) {
        return Jid.parse(text).orThrow();
    }

    @Test
    void rulesKnowEveryComponentAndTheDomainsEachServes() {
        assertThat(rules.componentDomain()).isEqualTo("sip.a.test");
        assertThat(rules.componentDomains()).containsExactly("sip.a.test", "sip.b.test");
        assertThat(rules.xmppDomains()).containsExactlyInAnyOrder("a.test", "plain.test", "b.test", "b2.test");
        assertThat(rules.componentDomainFor("a.test")).isEqualTo("sip.a.test");
        assertThat(rules.componentDomainFor("b2.test")).isEqualTo("sip.b.test");
        // Not named by any component: the default.
        assertThat(rules.componentDomainFor("plain.test")).isEqualTo("sip.a.test");
        assertThat(rules.componentDomainFor("sip.test")).isEqualTo("sip.a.test");
        assertThat(rules.domainsServedBy("sip.a.test")).containsExactlyInAnyOrder("a.test", "plain.test");
        assertThat(rules.domainsServedBy("sip.b.test")).containsExactlyInAnyOrder("b.test", "b2.test");
        assertThat(rules.domainsServedBy("nowhere.test")).isEmpty();
        assertThat(rules.isComponentDomain("sip.b.test")).isTrue();
        assertThat(rules.modeOf("sip.b.test")).isEqualTo(SipDomainMode.REFUSED);
        assertThat(mapper.componentDomains()).containsExactly("sip.a.test", "sip.b.test");
    }

    /** SIP to XMPP: the component is chosen by the XMPP counterpart's domain; the localpart is XEP-0106 §4.2. */
    @ParameterizedTest(name = "{0} to a user of {1} -> {2}")
    @CsvSource({
        "sip:bob@sip.test, a.test, bob\\40sip.test@sip.a.test",
        "sip:bob@sip.test, b.test, bob\\40sip.test@sip.b.test",
        "sip:bob@sip.test, b2.test, bob\\40sip.test@sip.b.test",
        "sip:bob@sip.test, plain.test, bob\\40sip.test@sip.a.test",
        "sip:o'malley@sip.test;gr=desk, b.test, o\\27malley\\40sip.test@sip.b.test/desk",
        "sip:a%20b%2Fc@sip.test, b.test, a\\20b\\2fc\\40sip.test@sip.b.test",
        "sip:+1-212-555-0100@carrier.test;user=phone, b.test, +12125550100@sip.b.test",
        "sip:+1-212-555-0100@carrier.test;user=phone, a.test, +12125550100@sip.a.test",
    })
    void sipUserAppearsUnderTheComponentOfTheCounterpart(String sip, String counterpart, String expected) {
        Jid j = mapper.toJid(SipUri.parse(sip).orThrow(), counterpart).orThrow();
        assertThat(j).hasToString(expected);
        assertThat(Jid.parse(j.toString()).orThrow()).isEqualTo(j);
    }

    /** XMPP to SIP: every component domain maps back, escapes undone (XEP-0106 §4.3). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "bob\\40sip.test@sip.a.test, sip:bob@sip.test",
        "bob\\40sip.test@sip.b.test, sip:bob@sip.test",
        "o\\27malley\\40sip.test@sip.b.test/desk, sip:o'malley@sip.test;gr=desk",
        "a\\20b\\2fc\\40sip.test@sip.b.test, sip:a%20b/c@sip.test",
    })
    void everyComponentDomainMapsBack(String jid, String sip) {
        ImUri address = mapper.fromJid(jid(jid)).orThrow();
        assertThat(address.toSip()).hasToString(sip);
        assertThat(mapper.toJid(address, jid(jid).domain().substring("sip.".length()))).isEqualTo(Mapped.ok(jid(jid)));
    }

    @Test
    void telephoneNumbersMapBackFromEveryComponentDomain() {
        assertThat(mapper.toSipAddress(jid("+12125550100@sip.b.test")).orThrow())
                .hasToString("sip:+12125550100@pstn.test;user=phone");
        AddressMapper noTelephoneDomain = new AddressMapper(AddressRules.component("sip.a.test", Set.of("a.test"))
                .withComponent("sip.b.test", Set.of("b.test")));
        assertThat(noTelephoneDomain.toSipAddress(jid("+12125550100@sip.b.test")).orThrow())
                .hasToString("tel:+12125550100");
    }

    @Test
    void withoutACounterpartTheDefaultComponentIsUsed() {
        assertThat(mapper.toJid(im("sip:bob@sip.test")).orThrow()).hasToString("bob\\40sip.test@sip.a.test");
        assertThat(mapper.toJid((AddressUri) SipUri.parse("sip:bob@sip.test").orThrow()).orThrow())
                .hasToString("bob\\40sip.test@sip.a.test");
    }

    @Test
    void xmppUsersKeepTheirAddressWhateverTheCounterpart() {
        assertThat(mapper.toJid(im("sip:alice@b.test"), "a.test").orThrow()).hasToString("alice@b.test");
        assertThat(mapper.fromJid(jid("alice@b.test/phone")).orThrow().toSip()).hasToString("sip:alice@b.test;gr=phone");
    }

    @Test
    void componentDomainsHaveNoUsersAndAreNoSipDomains() {
        assertThat(condition(mapper.toJid(im("sip:x@sip.b.test"), "b.test"))).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
        // An escaped address naming another component domain would loop through the gateway.
        assertThat(condition(mapper.fromJid(jid("x\\40sip.b.test@sip.a.test")))).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
        assertThat(condition(mapper.fromJid(jid("x\\40b.test@sip.a.test")))).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /** The canonical form is checked against the JID's own component, so sip.b.test JIDs are not refused. */
    @Test
    void nonCanonicalJidUnderASecondComponentNamesItsCanonicalForm() {
        Mapped<ImUri> r = mapper.fromJid(jid("a\\5cb\\40sip.test@sip.b.test"));
        assertThat(condition(r)).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
        assertThat(((Mapped.Failed<ImUri>) r).rejected().text()).contains("@sip.b.test'");
    }

    @Test
    void rulesRefuseOverlaps() {
        AddressRules base = AddressRules.component("sip.a.test", Set.of("a.test"));
        assertThatThrownBy(() -> base.withComponent("sip.b.test", Set.of("b.test")).withComponent("sip.c.test", Set.of("b.test")))
                .isInstanceOf(MappingException.class).hasMessageContaining("served by two components");
        assertThatThrownBy(() -> base.withComponent("a.test", Set.of()))
                .isInstanceOf(MappingException.class).hasMessageContaining("cannot also be an XMPP user domain");
        assertThatThrownBy(() -> base.withComponent("sip.b.test", Set.of("b.test")).withSipDomain("sip.b.test", SipDomainMode.FEDERATION))
                .isInstanceOf(MappingException.class).hasMessageContaining("cannot also be a SIP domain");
        assertThatThrownBy(() -> base.withComponent("sip.b.test", Set.of("b.test")).withTelephoneDomain("sip.b.test"))
                .isInstanceOf(MappingException.class).hasMessageContaining("telephone domain");
        Map<String, Set<String>> twice = new LinkedHashMap<>();
        twice.put("sip.b.test", Set.of());
        twice.put("SIP.B.test.", Set.of());
        assertThatThrownBy(() -> new AddressRules("sip.a.test", Set.of("a.test"), Map.of(), SipDomainMode.COMPONENT,
                Optional.empty(), twice)).isInstanceOf(MappingException.class).hasMessageContaining("given twice");
        assertThatThrownBy(() -> new AddressRules("sip.a.test", Set.of("a.test"), Map.of(), SipDomainMode.COMPONENT,
                Optional.empty(), Map.of("sip.b.test", Set.of("b.test"))))
                .isInstanceOf(MappingException.class).hasMessageContaining("not an XMPP user domain");
    }

    @Test
    void domainsArePrepared() {
        AddressRules r = AddressRules.component("SIP.A.test.", Set.of("A.test")).withComponent("Sip.B.Test", Set.of("B.test."));
        assertThat(r.componentDomains()).containsExactly("sip.a.test", "sip.b.test");
        assertThat(r.componentDomainFor("b.test")).isEqualTo("sip.b.test");
    }

    private static StanzaErrorCondition condition(Mapped<?> mapped) {
        assertThat(mapped.isOk()).as("expected a rejection, got %s", mapped).isFalse();
        return ((Mapped.Failed<?>) mapped).rejected().condition();
    }
}
