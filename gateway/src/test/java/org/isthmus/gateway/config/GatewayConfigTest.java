package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.sip.SipHop;

class GatewayConfigTest {

    private static final String MINIMAL = """
            xmpp:
              component: {domain: sip.xmpp.test, secret: s3cret}
              domains: [xmpp.test]
            """;

    private static GatewayConfig parse(String yaml) {
        return GatewayConfig.parse("test.yaml", yaml, Map.of("SECRET", "from-env")::get);
    }

    private static List<String> problems(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.problems().stream().map(ConfigProblem::describe).toList();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void theShippedConfigurationIsValid() {
        GatewayConfig c = GatewayConfig.load(Path.of("../conf/gateway.yaml"), name -> null);
        assertThat(c.component().domain()).isEqualTo("sip.xmpp.test");
        assertThat(c.component().port()).isEqualTo(5347);
        assertThat(c.xmppDomains()).containsExactly("xmpp.test");
        assertThat(c.sip().port()).isEqualTo(5060);
        assertThat(c.sip().transports()).containsExactlyInAnyOrder("udp", "tcp");
        assertThat(c.registrar().domains()).containsExactly("sip.test");
        assertThat(c.messages().errorWindow()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theDockerComposeConfigurationIsValid() {
        GatewayConfig c = GatewayConfig.load(Path.of("../conf/docker/gateway.yaml"), name -> null);
        assertThat(c.component().host()).isEqualTo("prosody");
        assertThat(c.sip().bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.sip().advertisedHost()).contains("127.0.0.1");
    }

    @Test
    void minimalConfigurationTakesDefaults() {
        GatewayConfig c = parse(MINIMAL);
        assertThat(c.component().host()).isEqualTo("127.0.0.1");
        assertThat(c.component().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.sip().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.messages().maxBodyBytes()).isEqualTo(8000);
        assertThat(c.routes()).isEmpty();
    }

    @Test
    void routesAndEnvironmentValues() {
        GatewayConfig c = parse("""
                xmpp:
                  component: {domain: SIP.Xmpp.Test., secret: "${SECRET}"}
                  domains: xmpp.test
                sip:
                  routes:
                    - {domain: sip.example, host: 192.0.2.1, port: 5070, transport: TCP}
                """);
        assertThat(c.component().secret()).isEqualTo("from-env");
        assertThat(c.component().domain()).isEqualTo("sip.xmpp.test");
        assertThat(c.xmppDomains()).isEqualTo(Set.of("xmpp.test"));
        assertThat(c.routes()).isEqualTo(Map.of("sip.example", new SipHop("192.0.2.1", 5070, "tcp")));
    }

    @Test
    void everyProblemIsReportedWithItsPathValueAndFix() {
        List<String> p = problems("""
                xmpp:
                  component: {domain: sip.xmpp.test, port: 70000, secret: "${NOPE}", reconect: {}}
                  domains: [xmpp.test, "bad domain"]
                sip:
                  listen: {transports: [udp, sctp]}
                  routes:
                    - {domain: sip.example, transport: carrier-pigeon}
                messages:
                  error-window: soon
                """);
        assertThat(p).containsExactlyInAnyOrder(
                "xmpp.component.reconect: unknown key; allowed here: connect-timeout, domain, host, max-stanza-bytes, port, reconnect, secret",
                "xmpp.component.port: '70000': out of range; allowed: 1 to 65535",
                "xmpp.component.secret: '${NOPE}': environment variable NOPE is not set; set it or give a default as ${NOPE:-value}",
                "xmpp.domains[1]: 'bad domain': is not a valid domain name",
                "sip.listen.transports[1]: 'sctp': allowed: udp, tcp",
                "sip.routes[0].host: is required; the IP address or host name of the next hop for this domain",
                "sip.routes[0].transport: 'carrier-pigeon': allowed: tcp, udp",
                "messages.error-window: 'soon': must be a duration such as 250ms, 5s, 2m or 1h");
    }

    @Test
    void missingRequiredValuesAreNamed() {
        assertThat(problems("sip: {}\n")).contains(
                "xmpp.component.domain: is required; a domain name such as sip.example.com",
                "xmpp.component.secret: is required; the shared secret of the component, as set with component_secret in prosody.cfg.lua");
    }

    @Test
    void aDomainCannotBeOnBothSides() {
        assertThat(problems(MINIMAL + "sip:\n  registrar: {domains: [xmpp.test]}\n"))
                .containsExactly("sip: 'xmpp.test': is an XMPP domain (xmpp.domains or xmpp.component.domain) and cannot also be a SIP domain");
        assertThat(problems("""
                xmpp:
                  component: {domain: gw.test, secret: x}
                  domains: [gw.test]
                """)).containsExactly("xmpp.domains: 'gw.test': the component's own domain (xmpp.component.domain) cannot be a user domain");
    }

    @Test
    void inconsistentIntervals() {
        assertThat(problems(MINIMAL + "sip:\n  registrar: {min-expires: 600, max-expires: 60}\n"))
                .containsExactly("sip.registrar.max-expires: '60': must be at least min-expires (600)");
        assertThat(problems(MINIMAL.replace("secret: s3cret", "secret: s3cret, reconnect: {initial: 5s, max: 1s}")))
                .containsExactly("xmpp.component.reconnect.max: '1s': must not be shorter than reconnect.initial (5s)");
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThatThrownBy(() -> parse("xmpp:\n  component: {domain: a\n  b: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML at line");
    }

    @Test
    void missingFileSaysWhatToDo() {
        assertThatThrownBy(() -> GatewayConfig.load(Path.of("no/such/gateway.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no such file; pass --config");
    }
}
