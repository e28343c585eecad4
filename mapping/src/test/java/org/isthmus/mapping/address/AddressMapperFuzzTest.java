package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;

/**
 * Fuzzes {@link AddressMapper} with arbitrary UTF-8 text, read both as a SIP-side URI and as a JID, under
 * several deployments: neither direction throws, and every mapping is one to one as the mapper promises
 * (RFC 7247 §6, XEP-0106): a URI that maps to a JID comes back from that JID as an address that maps to
 * the same JID, also through its wire text, and a JID that maps to the SIP side comes back from there
 * (without its resource where that is a {@code tel:} URI).
 */
class AddressMapperFuzzTest {

    /** A mapper, and the XMPP user domain on the other end of the conversations it maps. */
    private record Deployment(AddressMapper mapper, String counterpart) {
    }

    private static final AddressRules MIXED = AddressRules.component("gw.example", Set.of("xmpp.example"))
            .withFederatedDomains(Set.of("fed.example", "παράδειγμα.δοκιμή"))
            .withSipDomain("other.example", SipDomainMode.REFUSED)
            .withTelephoneDomain("tel.example");

    private static final List<Deployment> DEPLOYMENTS = List.of(
            new Deployment(new AddressMapper(MIXED), "xmpp.example"),
            new Deployment(new AddressMapper(MIXED.withOtherSipDomains(SipDomainMode.FEDERATION)), "xmpp.example"),
            new Deployment(new AddressMapper(AddressRules.component("gw.example", Set.of("xmpp.example", "b.example"))
                    .withComponent("gw.b.example", Set.of("b.example"))), "b.example"));

    @FuzzTest
    void mapsBack(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Mapped<AddressUri> uri = AddressUri.parse(text);
        Mapped<Jid> jid = Jid.parse(text);
        for (Deployment d : DEPLOYMENTS) {
            if (uri instanceof Mapped.Ok<AddressUri> ok) {
                fromSipSide(d, ok.value());
            }
            if (jid instanceof Mapped.Ok<Jid> ok) {
                fromXmppSide(d, ok.value());
            }
        }
    }

    private static void fromSipSide(Deployment d, AddressUri uri) {
        AddressMapper mapper = d.mapper();
        if (uri instanceof SipUri sip) {
            mapper.fromSip(sip);
        }
        if (uri instanceof ImUri im && mapper.toJid(im) instanceof Mapped.Ok<Jid> ok) {
            ImUri back = mapper.fromJid(ok.value()).orThrow();
            assertThat(mapper.toJid(back).orThrow()).isEqualTo(ok.value());
            assertThat(mapper.fromJid(mapper.toJid(back).orThrow()).orThrow()).isEqualTo(back);
        }
        if (mapper.toJid(uri, d.counterpart()) instanceof Mapped.Ok<Jid> ok) {
            Jid jid = ok.value();
            assertThat(Jid.parse(jid.toString()).orThrow()).isEqualTo(jid);
            AddressUri back = mapper.toSipAddress(jid).orThrow();
            // Without a telephone domain a number goes back as tel:, which has no place for the SIP
            // instance a user=phone URI's gr gave the resourcepart (as fromXmppSide below).
            Jid expected = back instanceof TelUri ? jid.bare() : jid;
            assertThat(mapper.toJid(back, d.counterpart()).orThrow()).isEqualTo(expected);
            assertThat(mapper.toJid(AddressUri.parse(back.toString()).orThrow(), d.counterpart()).orThrow())
                    .isEqualTo(expected);
        }
    }

    private static void fromXmppSide(Deployment d, Jid jid) {
        AddressMapper mapper = d.mapper();
        // A JID under a component is seen by the XMPP users that component serves.
        String counterpart = mapper.rules().domainsServedBy(jid.domain()).stream().findFirst().orElse(d.counterpart());
        if (mapper.fromJid(jid) instanceof Mapped.Ok<ImUri> ok) {
            assertThat(mapper.toJid(ok.value(), counterpart).orThrow()).isEqualTo(jid);
            mapper.toSipUri(ok.value());
        }
        if (mapper.toSipAddress(jid) instanceof Mapped.Ok<AddressUri> ok) {
            // A tel: URI has no place for the resource (AddressMapper#toSipAddress says so).
            Jid expected = ok.value() instanceof TelUri ? jid.bare() : jid;
            assertThat(mapper.toJid(ok.value(), counterpart).orThrow()).isEqualTo(expected);
            assertThat(mapper.toJid(AddressUri.parse(ok.value().toString()).orThrow(), counterpart).orThrow())
                    .isEqualTo(expected);
        }
    }
}
