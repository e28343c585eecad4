package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.xmpp.s2s.PeerPolicy;

/** The {@code limits} and {@code partners} sections of gateway.yaml. */
class PolicyConfigTest {

    private static final String S2S = """
            xmpp:
              component: {domain: sip.xmpp.test, secret: s3cret}
              domains: [xmpp.test]
              s2s:
                dialback-secret: a-long-enough-secret
                require-tls: false
            sip:
              federated-domains: [sip.test]
            """;

    @Test
    void withoutTheSectionsNothingIsLimitedAndThereAreNoPartners() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE, name -> null);
        assertThat(c.limits()).isEqualTo(LimitSettings.NONE);
        assertThat(c.limits().any()).isFalse();
        assertThat(c.partners()).isEmpty();
    }

    @Test
    void ratesAreReadInEachUnitWithTheirBursts() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + """
                limits:
                  sip-source: {messages: 20/s, subscriptions: 600/m, presence: {rate: 3600/h, burst: 30}}
                  xmpp-domain: {messages: 200/s}
                  xmpp-user: {subscriptions: 5/s}
                  max-tracked: 5000
                """, name -> null);
        LimitSettings l = c.limits();
        assertThat(l.sipSource().rate(Traffic.MESSAGES)).contains(new Rate(20, 20));
        assertThat(l.sipSource().rate(Traffic.SUBSCRIPTIONS)).contains(new Rate(10, 10));
        assertThat(l.sipSource().rate(Traffic.PRESENCE)).contains(new Rate(1, 30));
        assertThat(l.xmppDomain().rate(Traffic.MESSAGES)).contains(new Rate(200, 200));
        assertThat(l.xmppDomain().rate(Traffic.PRESENCE)).isEmpty();
        assertThat(l.xmppUser().rate(Traffic.SUBSCRIPTIONS)).contains(new Rate(5, 5));
        assertThat(l.maxTracked()).isEqualTo(5000);
    }

    @Test
    void registrationsAreLimitedPerSourceAndPerAddressOfRecordOnly() {
        LimitSettings l = GatewayConfig.parse("test.yaml", BASE + """
                limits:
                  sip-source: {registrations: 10/s}
                  sip-aor: {registrations: {rate: 6/m, burst: 3}}
                """, name -> null).limits();
        assertThat(l.sipSource().rate(Traffic.REGISTRATIONS)).contains(new Rate(10, 10));
        assertThat(l.sipAor().rate(Traffic.REGISTRATIONS)).contains(new Rate(0.1, 3));
        assertThat(l.any()).isTrue();
        assertThat(problems(BASE + """
                limits:
                  sip-aor: {messages: 5/s}
                  xmpp-user: {registrations: 5/s}
                """)).anySatisfy(p -> assertThat(p).startsWith("limits.sip-aor.messages"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.xmpp-user.registrations"));
    }

    @Test
    void theShippedFileHasLimitsAndIsValid() {
        GatewayConfig c = GatewayConfig.load(java.nio.file.Path.of("../conf/gateway.yaml"), name -> null);
        assertThat(c.limits().any()).isTrue();
    }

    @Test
    void limitMistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE + """
                limits:
                  sip-source: {messages: fast, subscriptions: 0/s, presence: {burst: 3}}
                  xmpp-user: {messages: {rate: 5/s, burst: 0}, typing: 1/s}
                  xmpp-domains: {}
                  max-tracked: 1
                """)).anySatisfy(p -> assertThat(p).startsWith("limits.sip-source.messages").contains("20/s"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.sip-source.subscriptions"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.sip-source.presence.rate").contains("required"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.xmpp-user.messages.burst"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.xmpp-user.typing"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.xmpp-domains"))
                .anySatisfy(p -> assertThat(p).startsWith("limits.max-tracked"));
    }

    @Test
    void xmppPartnersBecomeTheS2sPeerPolicyAndRefusedOnesAreDenied() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", S2S + """
                partners:
                  - {xmpp: good.example, require-tls: true, auth: [external], limits: {messages: 50/s}}
                  - {xmpp: bad.example, allowed: false}
                """, name -> null);
        var s2s = c.s2s().orElseThrow();
        assertThat(s2s.policyFor("good.example")).isEqualTo(new PeerPolicy(PeerPolicy.TlsRequirement.REQUIRED,
                Set.of(PeerPolicy.AuthMethod.EXTERNAL)));
        assertThat(s2s.isPeerAllowed("good.example")).isTrue();
        assertThat(s2s.isPeerAllowed("bad.example")).isFalse();
        assertThat(s2s.isPeerAllowed("other.example")).isTrue();
        assertThat(c.partners()).extracting(Partner::name).containsExactly("xmpp:good.example", "xmpp:bad.example");
        assertThat(c.partners().get(0).limits().rate(Traffic.MESSAGES)).contains(new Rate(50, 50));
    }

    @Test
    void sipPartnersAreTrustedByAddressOrTlsNameAsTheirAuthSays() throws Exception {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + """
                partners:
                  - {sip: proxy.example, addresses: [203.0.113.0/24], auth: [address, tls]}
                  - {sip: sbc.example, addresses: [198.51.100.7], require-tls: true, auth: [tls]}
                  - {sip: bad.example, addresses: [192.0.2.66], allowed: false, auth: [address]}
                """, name -> null);
        var trust = c.sip().trust();
        assertThat(trust.trustsAddress(InetAddress.getByName("203.0.113.9"))).isTrue();
        assertThat(trust.trustsAddress(InetAddress.getByName("198.51.100.7"))).isFalse();
        assertThat(trust.trustsAddress(InetAddress.getByName("192.0.2.66"))).isFalse();
        assertThat(trust.trustsTlsIdentity(List.of("sbc.example"))).isTrue();
        assertThat(trust.trustsTlsIdentity(List.of("proxy.example"))).isTrue();
        assertThat(c.partners().get(1).requireTls()).isEqualTo(Optional.of(true));
        assertThat(c.partners().get(2).allowed()).isFalse();
    }

    @Test
    void partnerMistakesAreReportedWithTheirPaths() {
        assertThat(problems(S2S.replace("    require-tls: false\n", """
                    require-tls: false
                    peers:
                      - {domain: twice.example, require-tls: true}
                """) + """
                partners:
                  - {xmpp: a.example, sip: a.example}
                  - {xmpp: b.example, addresses: [192.0.2.1], auth: [password]}
                  - {sip: c.example, addresses: [not-an-address], auth: [address, dialback]}
                  - {sip: d.example, auth: [address]}
                  - {xmpp: twice.example}
                  - {xmpp: e.example, colour: red}
                  - {xmpp: e.example}
                """)).anySatisfy(p -> assertThat(p).startsWith("partners[0]").contains("exactly one"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[1].addresses"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[1].auth[0]").contains("dialback, external"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[2].addresses[0]"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[2].auth[1]").contains("address, tls"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[3].auth").contains("addresses"))
                .anySatisfy(p -> assertThat(p).startsWith("xmpp.s2s").contains("twice.example"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[5].colour"))
                .anySatisfy(p -> assertThat(p).startsWith("partners[6].xmpp").contains("twice"));
    }
}
