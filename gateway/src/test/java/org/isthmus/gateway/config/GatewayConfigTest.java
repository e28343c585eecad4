package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.gateway.routing.SipRoute;
import org.isthmus.mapping.address.SipDomainMode;
import org.isthmus.mapping.message.MultilingualBodies;
import org.isthmus.sip.SipHop;
import org.isthmus.xmpp.ComponentSettings;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.PeerPolicy;

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
        assertThat(c.component().orElseThrow().domain()).isEqualTo("sip.xmpp.test");
        assertThat(c.component().orElseThrow().port()).isEqualTo(5347);
        assertThat(c.xmppDomains()).containsExactly("xmpp.test");
        assertThat(c.sip().port()).isEqualTo(5060);
        assertThat(c.sip().transports()).containsExactlyInAnyOrder("udp", "tcp");
        assertThat(c.registrar().domains()).containsExactly("sip.test");
        assertThat(c.messages().errorWindow()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void minimalConfigurationTakesDefaults() {
        GatewayConfig c = parse(MINIMAL);
        assertThat(c.component().orElseThrow().host()).isEqualTo("127.0.0.1");
        assertThat(c.component().orElseThrow().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
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
        assertThat(c.component().orElseThrow().secret()).isEqualTo("from-env");
        assertThat(c.component().orElseThrow().domain()).isEqualTo("sip.xmpp.test");
        assertThat(c.xmppDomains()).isEqualTo(Set.of("xmpp.test"));
        assertThat(c.routes()).isEqualTo(Map.of("sip.example", new SipRoute.Hop(new SipHop("192.0.2.1", 5070, "tcp"))));
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
                    - {domain: sip.example, transport: carrier-pigeon, host: 192.0.2.1}
                    - {domain: other.example}
                messages:
                  error-window: soon
                """);
        assertThat(p).containsExactlyInAnyOrder(
                "xmpp.component.reconect: unknown key; allowed here: connect-timeout, domain, host, max-stanza-bytes, ping-interval, port, reconnect, secret, stanza-timeout",
                "xmpp.component.port: '70000': out of range; allowed: 1 to 65535",
                "xmpp.component.secret: '${NOPE}': environment variable NOPE is not set; set it or give a default as ${NOPE:-value}",
                "xmpp.domains[1]: 'bad domain': is not a valid domain name",
                "sip.listen.transports[1]: 'sctp': allowed: udp, tcp, tls",
                "sip.routes[0].transport: 'carrier-pigeon': allowed: tcp, tls, udp",
                "sip.routes[1]: give exactly one of host (a next hop), outbound-proxy (a SIP URI) or resolve: dns",
                "messages.error-window: 'soon': must be a duration such as 250ms, 5s, 2m or 1h");
    }

    @Test
    void missingRequiredValuesAreNamed() {
        assertThat(problems("sip: {}\n")).contains(
                "xmpp: is required: the XMPP user domains (xmpp.domains) and a link to them (xmpp.component and/or xmpp.s2s)");
        assertThat(problems("xmpp:\n  component: {port: 5347}\n  domains: [xmpp.test]\n")).containsExactlyInAnyOrder(
                "xmpp.component.domain: is required; a domain name such as sip.example.com",
                "xmpp.component.secret: is required; the shared secret of the component, as set with component_secret in prosody.cfg.lua");
        assertThat(problems("xmpp:\n  domains: [xmpp.test]\n")).containsExactly(
                "xmpp: needs a link to the XMPP side: xmpp.component or xmpp.components (XEP-0114) and/or xmpp.s2s (federation)");
    }

    /** Two XMPP servers, each with its component and its user domains; the first component is the default. */
    private static final String TWO_COMPONENTS = """
            xmpp:
              components:
                - {domain: sip.a.test, secret: a-secret, domains: [a.test]}
                - {host: 192.0.2.2, port: 5348, domain: SIP.B.test, secret: "${SECRET}", domains: [b.test, b2.test],
                   ping-interval: 30s}
              domains: [plain.test]
            """;

    @Test
    void severalComponentsEachServeTheirUserDomains() {
        GatewayConfig c = parse(TWO_COMPONENTS);
        assertThat(c.components()).extracting(ComponentSettings::domain).containsExactly("sip.a.test", "sip.b.test");
        assertThat(c.component().orElseThrow().domain()).isEqualTo("sip.a.test");
        ComponentSettings b = c.components().get(1);
        assertThat(b.host()).isEqualTo("192.0.2.2");
        assertThat(b.port()).isEqualTo(5348);
        assertThat(b.secret()).isEqualTo("from-env");
        assertThat(b.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.gatewayDomain()).isEqualTo("sip.a.test");
        assertThat(c.xmppDomains()).containsExactlyInAnyOrder("plain.test", "a.test", "b.test", "b2.test");
        assertThat(c.addresses().componentDomains()).containsExactly("sip.a.test", "sip.b.test");
        assertThat(c.addresses().componentDomainFor("b2.test")).isEqualTo("sip.b.test");
        assertThat(c.addresses().domainsServedBy("sip.a.test")).containsExactlyInAnyOrder("a.test", "plain.test");
        // A SIP request for any user domain is one for the gateway to take (sip.trust).
        assertThat(c.sip().trust().servedDomains()).containsExactlyInAnyOrder("plain.test", "a.test", "b.test", "b2.test");
    }

    @Test
    void aListOfOneComponentIsTheSingleForm() {
        GatewayConfig list = parse("xmpp:\n  components: [{domain: sip.xmpp.test, secret: s3cret}]\n  domains: [xmpp.test]\n");
        GatewayConfig single = parse(MINIMAL);
        assertThat(list.components()).isEqualTo(single.components());
        assertThat(list.addresses().componentDomainFor("xmpp.test")).isEqualTo("sip.xmpp.test");
        assertThat(list.xmppDomains()).isEqualTo(single.xmppDomains());
    }

    @Test
    void componentListProblemsAreNamed() {
        assertThat(problems("""
                xmpp:
                  component: {domain: sip.xmpp.test, secret: s3cret}
                  components: [{domain: sip.b.test, secret: x, domains: [b.test]}]
                  domains: [xmpp.test]
                """)).containsExactly("xmpp.components: give either xmpp.component (one link) or xmpp.components "
                + "(a list of links), not both");
        assertThat(problems("xmpp:\n  components: []\n  domains: [xmpp.test]\n"))
                .containsExactly("xmpp.components: list at least one component link, or remove the key");
        assertThat(problems("xmpp:\n  components: [sip.a.test]\n  domains: [xmpp.test]\n"))
                .containsExactly("xmpp.components[0]: 'sip.a.test': must be a mapping of keys to values");
        assertThat(problems("""
                xmpp:
                  components:
                    - {domain: sip.a.test, secret: a, domains: [a.test], domian: x}
                    - {domain: sip.b.test, port: 0}
                    - {domain: sip.a.test, secret: c, domains: [c.test]}
                    - {domain: sip.d.test, secret: d, domains: [d.test, A.test, sip.b.test]}
                """)).containsExactlyInAnyOrder(
                "xmpp.components[0].domian: unknown key; allowed here: connect-timeout, domain, domains, host, "
                        + "max-stanza-bytes, ping-interval, port, reconnect, secret, stanza-timeout",
                "xmpp.components[1].port: '0': out of range; allowed: 1 to 65535",
                "xmpp.components[1].secret: is required; the shared secret of the component, as set with "
                        + "component_secret in prosody.cfg.lua",
                "xmpp.components[1].domains: is required for every component but the first (which also serves the "
                        + "user domains no component lists): the XMPP user domains its server hosts, e.g. [b.example]",
                "xmpp.components[2].domain: 'sip.a.test': is the domain of xmpp.components[0] already; give each "
                        + "component its own domain (XEP-0114 §3: a component speaks for its domain alone)",
                "xmpp.components[3].domains: 'a.test': is served by xmpp.components[0] already; each user domain is "
                        + "served by one component, the one attached to the XMPP server that hosts it");
        assertThat(problems("""
                xmpp:
                  components:
                    - {domain: sip.a.test, secret: a, domains: [a.test, sip.b.test]}
                    - {domain: sip.b.test, secret: b, domains: [b.test]}
                  domains: [sip.a.test]
                """)).containsExactlyInAnyOrder(
                "xmpp.components[0].domains: 'sip.b.test': is a component domain, the gateway's own; it cannot be a user domain",
                "xmpp.domains: 'sip.a.test': the gateway's own domain cannot be a user domain");
    }

    @Test
    void everyComponentDomainIsTheGatewaysOwn() {
        assertThat(problems(TWO_COMPONENTS + """
                  s2s: {dialback-secret: a-long-enough-secret, require-tls: false, gateway-domain: gw.test}
                sip:
                  federated-domains: [sip.b.test]
                  telephone-domain: sip.b.test
                  registrar: {domains: [sip.b.test]}
                """)).containsExactlyInAnyOrder(
                "xmpp.s2s.gateway-domain: 'gw.test': the first component's domain (xmpp.components[0].domain) "
                        + "is the gateway domain already; remove this",
                "sip.federated-domains: 'sip.b.test': is an XMPP domain (xmpp.domains or the gateway domain); "
                        + "a federated SIP domain must be a SIP domain",
                "sip.telephone-domain: 'sip.b.test': must be a SIP domain, not an XMPP one",
                "sip: 'sip.b.test': is an XMPP domain (xmpp.domains or the gateway domain) and cannot also be a SIP domain");
    }

    @Test
    void aDomainCannotBeOnBothSides() {
        assertThat(problems(MINIMAL + "sip:\n  registrar: {domains: [xmpp.test]}\n"))
                .containsExactly("sip: 'xmpp.test': is an XMPP domain (xmpp.domains or the gateway domain) and cannot also be a SIP domain");
        assertThat(problems("""
                xmpp:
                  component: {domain: gw.test, secret: x}
                  domains: [gw.test]
                """)).containsExactly("xmpp.domains: 'gw.test': the gateway's own domain cannot be a user domain");
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

    /** Federation: the federated SIP domains are served by the s2s service and keep their address. */
    @Test
    void federatedSipDomainsAreServedOverServerToServer() {
        GatewayConfig c = parse(MINIMAL + """
                  s2s:
                    listen: {address: 127.0.0.2, port: 5269}
                    dialback-secret: a-long-enough-secret
                    require-tls: false
                    auth: [dialback]
                    peers:
                      - {domain: xmpp.test, host: 127.0.0.1, port: 15269}
                sip:
                  federated-domains: [sip.test]
                  telephone-domain: pstn.test
                """.replace("xmpp:\n", "xmpp:\n"));
        assertThat(c.s2s()).isPresent();
        assertThat(c.s2s().get().localDomains()).containsExactly("sip.test");
        assertThat(c.s2s().get().staticRoutes()).containsEntry("xmpp.test", new PeerAddress("127.0.0.1", 15269, false));
        assertThat(c.s2s().get().defaultPolicy()).isEqualTo(new PeerPolicy(PeerPolicy.TlsRequirement.OPTIONAL,
                java.util.EnumSet.of(PeerPolicy.AuthMethod.DIALBACK)));
        assertThat(c.addresses().modeOf("sip.test")).isEqualTo(SipDomainMode.FEDERATION);
        assertThat(c.addresses().modeOf("elsewhere.test")).isEqualTo(SipDomainMode.COMPONENT);
        assertThat(c.addresses().telephoneDomain()).contains("pstn.test");
    }

    @Test
    void federationWithoutAComponentNeedsAGatewayDomainOfItsOwn() {
        String s2sOnly = """
                xmpp:
                  domains: [xmpp.test]
                  s2s: {dialback-secret: a-long-enough-secret, require-tls: false}
                sip:
                  federated-domains: [sip.test]
                """;
        assertThat(problems(s2sOnly)).containsExactly("xmpp.s2s.gateway-domain: is required without xmpp.component: "
                + "the gateway's own XMPP domain, under which users of non-federated SIP domains appear");
        GatewayConfig g = parse(s2sOnly.replace("require-tls: false}", "require-tls: false, gateway-domain: gw.test}")
                + "  other-domains: refused\n");
        assertThat(g.component()).isEmpty();
        assertThat(g.gatewayDomain()).isEqualTo("gw.test");
        assertThat(g.s2s().orElseThrow().localDomains()).containsExactlyInAnyOrder("sip.test", "gw.test");
        assertThat(g.addresses().modeOf("elsewhere.test")).isEqualTo(SipDomainMode.REFUSED);
    }

    @Test
    void federationProblemsAreNamed() {
        assertThat(problems(MINIMAL + "sip:\n  federated-domains: [sip.test]\n")).containsExactly(
                "sip.federated-domains: 'sip.test': needs xmpp.s2s: users of these domains keep their address in XMPP, "
                        + "so Isthmus serves them as an XMPP server");
        assertThat(problems(MINIMAL + """
                  s2s: {dialback-secret: short, tls: {chain: /no/such/chain.pem, key: /no/such/key.pem}}
                sip:
                  federated-domains: [xmpp.test]
                """)).containsExactlyInAnyOrder(
                "xmpp.s2s.dialback-secret: '(hidden)': must be at least 16 characters",
                "xmpp.s2s.tls.chain: '/no/such/chain.pem': no readable file there; give the path of the PEM certificate chain for the federated domains",
                "xmpp.s2s.tls.key: '/no/such/key.pem': no readable file there; give the path of the PEM (PKCS#8) private key of that certificate",
                "xmpp.s2s: is required while require-tls is true (RFC 7590); give tls.chain and tls.key, or set require-tls: false for loopback tests".replace("xmpp.s2s: is", "xmpp.s2s.tls: is"),
                "sip.federated-domains: 'xmpp.test': is an XMPP domain (xmpp.domains or the gateway domain); a federated SIP domain must be a SIP domain");
    }

    @Test
    void routesByHopProxyOrDnsAndADefaultRoute() {
        GatewayConfig c = parse(MINIMAL + """
                sip:
                  routes:
                    - {domain: a.test, host: 192.0.2.1}
                    - {domain: b.test, outbound-proxy: "sip:proxy.b.test;transport=tcp"}
                    - {domain: c.test, resolve: dns}
                  default-route: {outbound-proxy: "sip:edge.example.net"}
                messages: {multilingual: alternative}
                """);
        assertThat(c.routes().get("a.test")).isEqualTo(new SipRoute.Hop(new SipHop("192.0.2.1", 5060, "udp")));
        assertThat(c.routes().get("b.test")).isInstanceOf(SipRoute.OutboundProxy.class);
        assertThat(((SipRoute.OutboundProxy) c.routes().get("b.test")).proxy()).hasToString("sip:proxy.b.test;transport=tcp");
        assertThat(c.routes().get("c.test")).isEqualTo(new SipRoute.Dns());
        assertThat(c.defaultRoute()).containsInstanceOf(SipRoute.OutboundProxy.class);
        assertThat(c.messages().multilingual()).isEqualTo(MultilingualBodies.MULTIPART_ALTERNATIVE);
    }

    @Test
    void sipTrustAuthAndDns() {
        GatewayConfig c = parse(MINIMAL + """
                sip:
                  trust: {peers: [127.0.0.1, 10.0.0.0/8], tls-names: [proxy.example.com]}
                  auth:
                    users: [{user: bob, realm: sip.test, password: "${SECRET}"}]
                    client: [{user: gw, realm: carrier.example, password: x}]
                    nonce-lifetime: 1m
                  dns: {servers: ["127.0.0.53", "[::1]:5353"]}
                """);
        assertThat(c.sip().trust().trustedNetworks()).containsExactly("127.0.0.1", "10.0.0.0/8");
        assertThat(c.sip().trust().servedDomains()).containsExactly("xmpp.test");
        assertThat(c.sip().auth().users()).singleElement().satisfies(u -> assertThat(u.password()).contains("from-env"));
        assertThat(c.sip().auth().client()).hasSize(1);
        assertThat(c.sip().dns().servers()).extracting(a -> a.getPort()).containsExactly(53, 5353);
        assertThat(problems(MINIMAL + "sip:\n  listen: {transports: [tls]}\n  dns: {servers: [dns.example]}\n"))
                .containsExactlyInAnyOrder(
                        "sip.listen.transports: 'tls': needs sip.listen.tls with the key and certificate chain",
                        "sip.dns.servers[0]: 'dns.example': must be an IP address with an optional port, e.g. 127.0.0.53 or [::1]:53");
    }

    @Test
    void storeIsEmbeddedInADataDirectoryOrRedis() {
        assertThat(parse(MINIMAL).store()).isEmpty();
        StoreSettings embedded = parse(MINIMAL + "store: {type: embedded, data-dir: /var/lib/isthmus}\n").store().orElseThrow();
        assertThat(embedded.kind()).isEqualTo(StoreSettings.Kind.EMBEDDED);
        assertThat(embedded.dataDir()).contains(Path.of("/var/lib/isthmus"));
        StoreSettings redis = parse(MINIMAL + "store: {type: redis, redis-uri: \"redis://127.0.0.1:6379\"}\n").store().orElseThrow();
        assertThat(redis.kind()).isEqualTo(StoreSettings.Kind.REDIS);
        assertThat(redis.redisUris()).containsExactly("redis://127.0.0.1:6379");
        assertThat(problems(MINIMAL + "store: {type: redis}\n")).containsExactly(
                "store.redis-uri: is required; the Redis server, e.g. redis://127.0.0.1:6379");
        assertThat(problems(MINIMAL + "store: {type: postgres}\n")).containsExactly(
                "store.type: 'postgres': allowed: embedded, redis, redis-cluster");
        assertThat(problems(MINIMAL + "store: {type: redis, redis-uri: \"redis://a:6379\", redis-uris: [\"redis://b:6379\"]}\n"))
                .containsExactly("store.redis-uris: is for type: redis-cluster; a single Redis server takes one redis-uri");
    }

    @Test
    void aRedisClusterIsGivenByItsSeedNodes() {
        StoreSettings cluster = parse(MINIMAL + """
                store:
                  type: redis-cluster
                  redis-uris: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7001/0"]
                """).store().orElseThrow();
        assertThat(cluster.kind()).isEqualTo(StoreSettings.Kind.REDIS_CLUSTER);
        assertThat(cluster.redisUris()).containsExactly("redis://10.0.0.1:7000", "redis://10.0.0.2:7001/0");
        assertThat(parse(MINIMAL + "store: {type: redis-cluster, redis-uris: \"rediss://10.0.0.1:7000\"}\n")
                .store().orElseThrow().redisUris()).containsExactly("rediss://10.0.0.1:7000");

        String example = "e.g. [redis://10.0.0.1:7000, redis://10.0.0.2:7000]";
        assertThat(problems(MINIMAL + "store: {type: redis-cluster}\n")).containsExactly(
                "store.redis-uris: is required; one or more nodes of the Redis Cluster, " + example);
        assertThat(problems(MINIMAL + "store: {type: redis-cluster, redis-uris: []}\n")).containsExactly(
                "store.redis-uris: must list at least one node of the cluster, " + example);
        assertThat(problems(MINIMAL + "store: {type: redis-cluster, redis-uri: \"redis://10.0.0.1:7000\"}\n"))
                .containsExactlyInAnyOrder(
                        "store.redis-uri: 'redis://10.0.0.1:7000': type: redis-cluster takes its nodes as a list under"
                                + " redis-uris, " + example,
                        "store.redis-uris: is required; one or more nodes of the Redis Cluster, " + example);
        assertThat(problems(MINIMAL + """
                store:
                  type: redis-cluster
                  redis-uris:
                    - "redis://10.0.0.1:7000"
                    - "http://10.0.0.2:7000"
                    - "redis://10.0.0.3:7000/2"
                    - "rediss://10.0.0.4:7000"
                    - "redis://10.0.0.1:7000"
                    - "redis:///nohost"
                """)).containsExactly(
                "store.redis-uris[1]: 'http://10.0.0.2:7000': must start with redis:// or rediss://",
                "store.redis-uris[2]: 'redis://10.0.0.3:7000/2': a Redis Cluster has only database 0; drop /2",
                "store.redis-uris[3]: 'rediss://10.0.0.4:7000': uses rediss:// unlike redis-uris[0]; the client"
                        + " reaches the nodes it discovers the way of the first seed, so give every seed the same scheme",
                "store.redis-uris[4]: 'redis://10.0.0.1:7000': is listed twice; list each node once",
                "store.redis-uris[5]: 'redis:///nohost': must name a node of the cluster, e.g. redis://10.0.0.1:7000");
    }
}
