package org.isthmus.gateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.isthmus.gateway.routing.SipRoute;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.AddressRules;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipDomainMode;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.MultilingualBodies;
import org.isthmus.sip.DigestCredential;
import org.isthmus.sip.SipAuth;
import org.isthmus.sip.SipDns;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipMessageLimits;
import org.isthmus.sip.SipPresence;
import org.isthmus.sip.SipSettings;
import org.isthmus.sip.SipTls;
import org.isthmus.sip.SipTrust;
import org.isthmus.xmpp.ComponentSettings;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.PeerPolicy;
import org.isthmus.xmpp.s2s.S2sSettings;
import org.isthmus.xmpp.s2s.S2sTls;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * The whole gateway configuration, read from YAML and validated. {@link #load} either returns a
 * configuration in which every value has been checked, or throws {@link ConfigException} listing
 * every problem with its YAML path, the value and what is allowed.
 *
 * <p>The XMPP side is reached through XEP-0114 component links (one, or one per XMPP server or
 * virtual host, each with its own component domain and the XMPP user domains it serves), through
 * server-to-server federation (RFC 6120 §13) for the SIP domains whose users keep their address in
 * XMPP (RFC 7247 §6), or both.
 *
 * @param components   the XEP-0114 links to XMPP servers, the default (first) one first; empty without
 * @param s2s          the server-to-server service, if configured
 * @param addresses    the address rules: the gateway's XMPP domains (the component domains), the XMPP
 *                     user domains and which component serves each, and how each SIP domain appears
 *                     in XMPP
 * @param sip          the SIP listening points, trust, authentication and DNS
 * @param registrar    the built-in registrar
 * @param routes       per SIP domain, how its users are reached when they are not registered here
 * @param defaultRoute how users of any other SIP domain are reached, if at all
 * @param messages     message relaying settings
 * @param store        where state that must survive a restart is kept; without one, registrations live
 *                     in memory only
 * @param presence     the presence subscription mirror's settings
 * @param cluster      when several nodes share the store: this node's name and the takeover timing
 * @param admin        the admin HTTP server (health, metrics, sessions), if configured
 * @param logging      the log format, and whether message bodies may be logged
 * @param limits       the abuse limits (token buckets per SIP source, XMPP domain and XMPP user)
 * @param partners     the per-partner policy, XMPP peer domains and SIP peers, in the order written
 * @param e2e          what is checked of end-to-end secured objects (RFC 3923)
 */
public record GatewayConfig(List<ComponentSettings> components, Optional<S2sSettings> s2s, AddressRules addresses,
                            SipSettings sip, RegistrarSettings registrar, Map<String, SipRoute> routes,
                            Optional<SipRoute> defaultRoute, MessageSettings messages, Optional<StoreSettings> store,
                            PresenceSettings presence, Optional<ClusterSettings> cluster,
                            Optional<AdminSettings> admin, LoggingSettings logging, LimitSettings limits,
                            List<Partner> partners,
                            E2eSettings e2e) {

    static final int DEFAULT_SIP_PORT = 5060;
    static final int DEFAULT_COMPONENT_PORT = 5347;
    static final int DEFAULT_S2S_PORT = 5269;

    /** RFC 6750 §2.1 b64token, at least 16 characters so that it cannot be guessed. */
    private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]{16,}=*");

    /** The keys of one component link, in {@code xmpp.component} and in each item of {@code xmpp.components}. */
    private static final List<String> COMPONENT_KEYS = List.of("host", "port", "domain", "secret", "reconnect",
            "connect-timeout", "max-stanza-bytes", "ping-interval", "stanza-timeout");

    /** A component link being read: where it is in the file, its settings, and the user domains it lists. */
    private record Component(ConfigNode node, ComponentSettings settings, Set<String> domains) {
    }

    public GatewayConfig {
        components = List.copyOf(components);
        partners = List.copyOf(partners);
        routes = Map.copyOf(routes);
    }

    /** The first component link, whose domain is the default gateway domain; the only one in most deployments. */
    public Optional<ComponentSettings> component() {
        return components.stream().findFirst();
    }

    /** The XMPP domains whose users SIP users reach through the gateway. */
    public Set<String> xmppDomains() {
        return addresses.xmppDomains();
    }

    /**
     * The gateway's default XMPP domain, under which SIP users of component-mode domains appear when
     * their XMPP counterpart's domain is served by no other component.
     */
    public String gatewayDomain() {
        return addresses.componentDomain();
    }

    /** Reads and validates a configuration file. */
    public static GatewayConfig load(Path file) {
        return load(file, System::getenv);
    }

    static GatewayConfig load(Path file, Function<String, String> environment) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("(file)", "",
                    "no such file; pass --config with the path of a gateway.yaml (see conf/gateway.yaml)")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("(file)", "",
                    "cannot be read: " + e.getMessage())));
        }
        return parse(file.toString(), text, environment);
    }

    /** Validates configuration text; {@code source} names it in messages. */
    public static GatewayConfig parse(String source, String yaml, Function<String, String> environment) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "",
                    "is not valid YAML" + where + ": " + e.getOriginalMessage())));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "", "is empty; start from conf/gateway.yaml")));
        }
        if (!root.isObject()) {
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "", "must be a YAML mapping at the top level")));
        }
        List<ConfigProblem> problems = new ArrayList<>();
        ConfigNode top = new ConfigNode(root, "", problems, environment);
        top.allowOnly("xmpp", "sip", "messages", "store", "presence", "cluster", "admin", "logging", "limits",
                "partners", "e2e");
        Reader reader = new Reader(top, problems);
        GatewayConfig config = reader.read();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return config;
    }

    /** One pass over the file; every section adds its problems and continues with defaults. */
    private static final class Reader {
        private final ConfigNode top;
        private final List<ConfigProblem> problems;

        Reader(ConfigNode top, List<ConfigProblem> problems) {
            this.top = top;
            this.problems = problems;
        }

        GatewayConfig read() {
            List<Partner> partners = partners(top);
            LimitSettings limits = limits(top.object("limits"));
            ConfigNode xmpp = top.object("xmpp");
            xmpp.allowOnly("component", "components", "s2s", "domains");
            if (xmpp.isMissing()) {
                top.problem("xmpp", "", "is required: the XMPP user domains (xmpp.domains) and a link to them "
                        + "(xmpp.component and/or xmpp.s2s)");
            }
            Set<String> listedDomains = domains(xmpp, "domains");
            List<Component> components = components(xmpp);
            Set<String> componentDomains = new LinkedHashSet<>();
            Set<String> xmppDomains = new LinkedHashSet<>(listedDomains);
            for (Component c : components) {
                componentDomains.add(c.settings().domain());
                xmppDomains.addAll(c.domains());
            }
            if (xmppDomains.isEmpty() && !xmpp.isMissing()) {
                xmpp.problem("domains", "", "list at least one XMPP domain whose users SIP users may reach, e.g. [xmpp.example]");
            }

            ConfigNode sip = top.object("sip");
            sip.allowOnly("listen", "registrar", "routes", "default-route", "user-agent", "federated-domains",
                    "other-domains", "telephone-domain", "trust", "auth", "dns");
            Set<String> federated = domains(sip, "federated-domains");
            String others = sip.choice("other-domains", "component", Set.of("component", "refused"));
            Optional<String> telephone = domain(sip, "telephone-domain", false);

            ConfigNode s2sNode = xmpp.object("s2s");
            Optional<String> s2sGatewayDomain = s2sNode.isMissing() ? Optional.empty()
                    : domain(s2sNode, "gateway-domain", false);
            String gatewayDomain = componentDomains.stream().findFirst()
                    .or(() -> s2sGatewayDomain)
                    .orElse(null);
            if (!components.isEmpty() && s2sGatewayDomain.isPresent()) {
                s2sNode.problem("gateway-domain", s2sGatewayDomain.get(), "the first component's domain ("
                        + components.get(0).node().path() + ".domain) is the gateway domain already; remove this");
            }
            if (!xmpp.has("component") && !xmpp.has("components") && s2sNode.isMissing() && !xmpp.isMissing()) {
                xmpp.problem(null, "", "needs a link to the XMPP side: xmpp.component or xmpp.components (XEP-0114) "
                        + "and/or xmpp.s2s (federation)");
            }
            if (gatewayDomain == null && !s2sNode.isMissing()) {
                s2sNode.problem("gateway-domain", "", "is required without xmpp.component: the gateway's own XMPP "
                        + "domain, under which users of non-federated SIP domains appear");
            }
            if (!federated.isEmpty() && s2sNode.isMissing()) {
                sip.problem("federated-domains", String.join(", ", federated),
                        "needs xmpp.s2s: users of these domains keep their address in XMPP, so Isthmus serves them "
                                + "as an XMPP server");
            }
            Set<String> ownDomains = new LinkedHashSet<>(componentDomains);
            if (gatewayDomain != null) {
                ownDomains.add(gatewayDomain);
            }
            checkDisjoint(listedDomains, xmppDomains, ownDomains, federated, telephone, xmpp, sip);
            Set<String> localS2sDomains = new LinkedHashSet<>(federated);
            if (components.isEmpty() && gatewayDomain != null) {
                localS2sDomains.add(gatewayDomain);
            }
            Optional<S2sSettings> s2s = s2sNode.isMissing() ? Optional.empty() : s2s(s2sNode, localS2sDomains, partners);

            SipSettings sipSettings = sipSettings(sip, xmppDomains, partners);
            RegistrarSettings registrar = registrar(sip.object("registrar"));
            Map<String, SipRoute> routes = new LinkedHashMap<>();
            for (ConfigNode r : sip.objects("routes")) {
                r.allowOnly("domain", "host", "port", "transport", "outbound-proxy", "resolve");
                Optional<String> d = domain(r, "domain", true);
                Optional<SipRoute> route = route(r, sipSettings);
                if (d.isPresent() && route.isPresent() && routes.putIfAbsent(d.get(), route.get()) != null) {
                    r.problem("domain", d.get(), "has a route already; give each SIP domain one route");
                }
            }
            ConfigNode def = sip.object("default-route");
            def.allowOnly("host", "port", "transport", "outbound-proxy", "resolve");
            Optional<SipRoute> defaultRoute = def.isMissing() ? Optional.empty() : route(def, sipSettings);
            for (String d : registrar.domains()) {
                if (routes.containsKey(d)) {
                    sip.problem("routes", d, "is a registrar domain too; its users are reached at their registered "
                            + "contacts, so remove one");
                }
            }
            Set<String> sipDomains = new LinkedHashSet<>(registrar.domains());
            sipDomains.addAll(routes.keySet());
            for (String d : sipDomains) {
                if (xmppDomains.contains(d) || ownDomains.contains(d)) {
                    sip.problem(null, d, "is an XMPP domain (xmpp.domains or the gateway domain) and cannot also be a SIP domain");
                }
            }

            MessageSettings messages = messages(top.object("messages"));
            Optional<StoreSettings> store = store(top.object("store"));
            PresenceSettings presence = presence(top.object("presence"));
            Optional<ClusterSettings> cluster = cluster(top.object("cluster"), store);
            Optional<AdminSettings> admin = admin(top.object("admin"));
            LoggingSettings logging = logging(top.object("logging"));
            E2eSettings e2e = e2e(top.object("e2e"));

            AddressRules rules = null;
            if (problems.isEmpty()) {
                try {
                    rules = AddressRules.component(gatewayDomain, xmppDomains).withFederatedDomains(federated)
                            .withOtherSipDomains(others.equals("refused") ? SipDomainMode.REFUSED : SipDomainMode.COMPONENT);
                    for (Component c : components) {
                        rules = rules.withComponent(c.settings().domain(), c.domains());
                    }
                    if (telephone.isPresent()) {
                        rules = rules.withTelephoneDomain(telephone.get());
                    }
                } catch (MappingException e) {
                    top.problem("xmpp", "", "the domains overlap in a way that would loop: " + e.getMessage());
                }
            }
            List<ComponentSettings> links = components.stream().map(Component::settings).toList();
            return problems.isEmpty()
                    ? new GatewayConfig(links, s2s, rules, sipSettings, registrar, routes, defaultRoute, messages, store,
                    presence, cluster, admin, logging, limits, partners, e2e)
                    : null;
        }

        /**
         * A domain may stand in one role only: each overlap would make an address map to itself. The
         * user domains the components list are checked against the gateway's own in {@link #components}.
         */
        private void checkDisjoint(Set<String> listedDomains, Set<String> xmppDomains, Set<String> ownDomains,
                                   Set<String> federated, Optional<String> telephone, ConfigNode xmpp, ConfigNode sip) {
            for (String d : listedDomains) {
                if (ownDomains.contains(d)) {
                    xmpp.problem("domains", d, "the gateway's own domain cannot be a user domain");
                }
            }
            for (String f : federated) {
                if (xmppDomains.contains(f) || ownDomains.contains(f)) {
                    sip.problem("federated-domains", f, "is an XMPP domain (xmpp.domains or the gateway domain); "
                            + "a federated SIP domain must be a SIP domain");
                }
            }
            if (telephone.isPresent() && (xmppDomains.contains(telephone.get()) || ownDomains.contains(telephone.get()))) {
                sip.problem("telephone-domain", telephone.get(), "must be a SIP domain, not an XMPP one");
            }
        }

        /**
         * The component links: {@code xmpp.component} (one link, serving every user domain) or
         * {@code xmpp.components} (a list, each item with the user domains it serves; the first also
         * serves those no item lists). Only links whose settings are valid are returned.
         */
        private List<Component> components(ConfigNode xmpp) {
            if (xmpp.has("component") && xmpp.has("components")) {
                xmpp.problem("components", "", "give either xmpp.component (one link) or xmpp.components "
                        + "(a list of links), not both");
                return List.of();
            }
            if (xmpp.has("component")) {
                ConfigNode comp = xmpp.object("component");
                if (comp.isMissing()) {
                    return List.of();
                }
                comp.allowOnly(COMPONENT_KEYS.toArray(String[]::new));
                return componentSettings(comp).map(s -> List.of(new Component(comp, s, Set.of()))).orElse(List.of());
            }
            if (!xmpp.has("components")) {
                return List.of();
            }
            List<ConfigNode> items = xmpp.objects("components");
            if (items.isEmpty() && !hasProblemUnder(xmpp.path() + ".components")) {
                xmpp.problem("components", "", "list at least one component link, or remove the key");
            }
            List<Component> out = new ArrayList<>();
            Map<String, String> domainOwners = new LinkedHashMap<>();
            Map<String, String> servedBy = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(COMPONENT_KEYS);
            keys.add("domains");
            for (int i = 0; i < items.size(); i++) {
                ConfigNode item = items.get(i);
                item.allowOnly(keys.toArray(String[]::new));
                Optional<ComponentSettings> settings = componentSettings(item);
                Set<String> served = domains(item, "domains");
                if (served.isEmpty() && i > 0 && !hasProblemUnder(item.path() + ".domains")) {
                    item.problem("domains", "", "is required for every component but the first (which also serves "
                            + "the user domains no component lists): the XMPP user domains its server hosts, e.g. [b.example]");
                }
                for (String d : served) {
                    String other = servedBy.putIfAbsent(d, item.path());
                    if (other != null) {
                        item.problem("domains", d, "is served by " + other + " already; each user domain is served "
                                + "by one component, the one attached to the XMPP server that hosts it");
                    }
                }
                if (settings.isEmpty()) {
                    continue;
                }
                String other = domainOwners.putIfAbsent(settings.get().domain(), item.path());
                if (other != null) {
                    item.problem("domain", settings.get().domain(), "is the domain of " + other + " already; give each "
                            + "component its own domain (XEP-0114 §3: a component speaks for its domain alone)");
                    continue;
                }
                out.add(new Component(item, settings.get(), served));
            }
            for (Component c : out) {
                for (String d : c.domains()) {
                    if (domainOwners.containsKey(d)) {
                        c.node().problem("domains", d, "is a component domain, the gateway's own; it cannot be a user domain");
                    }
                }
            }
            return out;
        }

        private boolean hasProblemUnder(String path) {
            return problems.stream().anyMatch(p -> p.path().equals(path) || p.path().startsWith(path + "[")
                    || p.path().startsWith(path + "."));
        }

        /** One component link's settings, or empty when any of them has a problem (recorded). */
        private Optional<ComponentSettings> componentSettings(ConfigNode comp) {
            int before = problems.size();
            String host = comp.text("host", "127.0.0.1");
            int port = comp.integer("port", DEFAULT_COMPONENT_PORT, 1, 65535);
            Optional<String> domain = domain(comp, "domain", true);
            Optional<String> secret = comp.requiredText("secret",
                    "the shared secret of the component, as set with component_secret in prosody.cfg.lua");
            ConfigNode reconnect = comp.object("reconnect");
            reconnect.allowOnly("initial", "max");
            Duration initial = reconnect.duration("initial", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(5));
            Duration max = reconnect.duration("max", Duration.ofSeconds(60), Duration.ofMillis(10), Duration.ofHours(1));
            if (max.compareTo(initial) < 0) {
                reconnect.problem("max", ConfigNode.format(max), "must not be shorter than reconnect.initial ("
                        + ConfigNode.format(initial) + ")");
            }
            Duration connectTimeout = comp.duration("connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100),
                    Duration.ofMinutes(5));
            int maxStanza = comp.integer("max-stanza-bytes", 262_144, 10_000, 16 * 1024 * 1024);
            Duration ping = comp.duration("ping-interval", ComponentSettings.DEFAULT_PING_INTERVAL, Duration.ofMillis(100),
                    Duration.ofHours(1));
            Duration stanzaTimeout = comp.duration("stanza-timeout", XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT,
                    Duration.ofSeconds(1), Duration.ofHours(1));
            if (problems.size() > before) {
                return Optional.empty();
            }
            return Optional.of(new ComponentSettings(host, port, domain.get(), secret.get(), initial, max,
                    connectTimeout, maxStanza, ping, stanzaTimeout));
        }

        private Optional<S2sSettings> s2s(ConfigNode s2s, Set<String> localDomains, List<Partner> partners) {
            int before = problems.size();
            s2s.allowOnly("gateway-domain", "listen", "tls", "dialback-secret", "require-tls", "auth", "dns", "peers",
                    "allow", "deny", "idle-timeout", "max-stanza-bytes", "ping-interval", "stanza-timeout",
                    "negotiation-timeout", "max-inbound-streams");
            ConfigNode listen = s2s.object("listen");
            listen.allowOnly("address", "port", "direct-tls-port");
            String address = listen.text("address", "127.0.0.1");
            int port = listen.integer("port", DEFAULT_S2S_PORT, 1, 65535);
            OptionalInt directTls = listen.text("direct-tls-port").isPresent()
                    ? OptionalInt.of(listen.integer("direct-tls-port", 5270, 1, 65535)) : OptionalInt.empty();
            Optional<S2sTls> tls = Optional.empty();
            ConfigNode tlsNode = s2s.object("tls");
            if (!tlsNode.isMissing()) {
                tlsNode.allowOnly("chain", "key", "trust");
                Optional<Path> chain = tlsNode.readableFile("chain", true, "the PEM certificate chain for the federated domains");
                Optional<Path> key = tlsNode.readableFile("key", true, "the PEM (PKCS#8) private key of that certificate");
                Optional<Path> trust = tlsNode.readableFile("trust", false, "the PEM CA certificates to trust for peers");
                if (chain.isPresent() && key.isPresent()) {
                    tls = Optional.of(new S2sTls(chain.get(), key.get(), trust));
                }
            }
            Optional<String> secret = s2s.requiredText("dialback-secret",
                    "a random secret of at least " + S2sSettings.MIN_SECRET_LENGTH + " characters for XEP-0185 dialback keys");
            if (secret.isPresent() && secret.get().length() < S2sSettings.MIN_SECRET_LENGTH) {
                s2s.problem("dialback-secret", "(hidden)", "must be at least " + S2sSettings.MIN_SECRET_LENGTH + " characters");
            }
            PeerPolicy defaultPolicy = policy(s2s, PeerPolicy.DEFAULT);
            Map<String, PeerPolicy> policies = new LinkedHashMap<>();
            Map<String, PeerAddress> routes = new LinkedHashMap<>();
            for (ConfigNode peer : s2s.objects("peers")) {
                peer.allowOnly("domain", "host", "port", "direct-tls", "require-tls", "auth");
                Optional<String> d = domain(peer, "domain", true);
                Optional<String> host = peer.text("host");
                int peerPort = peer.integer("port", DEFAULT_S2S_PORT, 1, 65535);
                boolean peerDirect = peer.bool("direct-tls", false);
                PeerPolicy p = policy(peer, defaultPolicy);
                if (d.isPresent()) {
                    policies.put(d.get(), p);
                    host.ifPresent(h -> routes.put(d.get(), new PeerAddress(h, peerPort, peerDirect)));
                }
            }
            Set<String> allow = domains(s2s, "allow");
            Set<String> deny = domains(s2s, "deny");
            Set<String> peersWithPolicy = new LinkedHashSet<>();
            for (ConfigNode peer : s2s.objects("peers")) {
                if (peer.has("require-tls") || peer.has("auth")) {
                    domain(peer, "domain", false).ifPresent(peersWithPolicy::add);
                }
            }
            for (Partner partner : partners) {
                if (partner.kind() != Partner.Kind.XMPP) {
                    continue;
                }
                String d = partner.domain();
                if (peersWithPolicy.contains(d) || allow.contains(d) || deny.contains(d)) {
                    s2s.problem(null, d, "has a policy in partners and in xmpp.s2s (peers' require-tls/auth, allow "
                            + "or deny); keep it in partners only");
                    continue;
                }
                policies.put(d, partnerPolicy(partner, defaultPolicy));
                if (!partner.allowed()) {
                    deny.add(d);
                } else if (!allow.isEmpty()) {
                    allow.add(d);
                }
            }
            boolean dns = s2s.bool("dns", true);
            Duration idle = s2s.duration("idle-timeout", S2sSettings.DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(10), Duration.ofHours(24));
            int maxStanza = s2s.integer("max-stanza-bytes", 262_144, 10_000, 16 * 1024 * 1024);
            Duration ping = s2s.duration("ping-interval", S2sSettings.DEFAULT_PING_INTERVAL, Duration.ofMillis(100),
                    Duration.ofHours(1));
            Duration stanzaTimeout = s2s.duration("stanza-timeout", XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT,
                    Duration.ofSeconds(1), Duration.ofHours(1));
            Duration negotiation = s2s.duration("negotiation-timeout", S2sSettings.DEFAULT_NEGOTIATION_TIMEOUT,
                    Duration.ofSeconds(1), Duration.ofMinutes(10));
            int maxInbound = s2s.integer("max-inbound-streams", S2sSettings.DEFAULT_MAX_INBOUND_STREAMS, 1, 1_000_000);
            if (tls.isEmpty() && defaultPolicy.tlsRequired()) {
                s2s.problem("tls", "", "is required while require-tls is true (RFC 7590); give tls.chain and tls.key, "
                        + "or set require-tls: false for loopback tests");
            }
            if (localDomains.isEmpty()) {
                s2s.problem(null, "", "serves no domain: list sip.federated-domains (or give gateway-domain)");
            }
            if (problems.size() > before) {
                return Optional.empty();
            }
            try {
                return Optional.of(new S2sSettings(localDomains, address, port, directTls, tls, secret.get(), defaultPolicy,
                        policies, allow, deny, routes, dns, maxStanza, S2sSettings.DEFAULT_CONNECT_TIMEOUT,
                        negotiation, idle, S2sSettings.DEFAULT_MAX_QUEUED_STANZAS, ping, stanzaTimeout, maxInbound));
            } catch (RuntimeException e) {
                s2s.problem(null, "", e.getMessage());
                return Optional.empty();
            }
        }

        /** The s2s policy of an XMPP partner; what it leaves out comes from {@code fallback}. */
        private static PeerPolicy partnerPolicy(Partner partner, PeerPolicy fallback) {
            Set<PeerPolicy.AuthMethod> methods = EnumSet.noneOf(PeerPolicy.AuthMethod.class);
            for (String a : partner.auth()) {
                methods.add(a.equals("external") ? PeerPolicy.AuthMethod.EXTERNAL : PeerPolicy.AuthMethod.DIALBACK);
            }
            boolean tls = partner.requireTls().orElse(fallback.tlsRequired());
            return new PeerPolicy(tls ? PeerPolicy.TlsRequirement.REQUIRED : PeerPolicy.TlsRequirement.OPTIONAL,
                    methods.isEmpty() ? fallback.methods() : methods);
        }

        /** The {@code partners} list; see {@link Partner}. */
        private List<Partner> partners(ConfigNode top) {
            List<Partner> out = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (ConfigNode p : top.objects("partners")) {
                p.allowOnly("xmpp", "sip", "addresses", "allowed", "require-tls", "auth", "limits");
                boolean xmpp = p.has("xmpp");
                if (xmpp == p.has("sip")) {
                    p.problem(null, "", "give exactly one of xmpp: (an XMPP peer domain) or sip: (a SIP peer's domain)");
                    continue;
                }
                Partner.Kind kind = xmpp ? Partner.Kind.XMPP : Partner.Kind.SIP;
                Optional<String> d = domain(p, xmpp ? "xmpp" : "sip", true);
                List<String> addresses = p.texts("addresses");
                if (xmpp && !addresses.isEmpty()) {
                    p.problem("addresses", String.join(", ", addresses), "is for SIP partners; an XMPP partner is "
                            + "known by its domain, which it proves with SASL EXTERNAL or dialback");
                }
                List<String> valid = new ArrayList<>();
                for (int i = 0; i < addresses.size(); i++) {
                    try {
                        new SipTrust(Set.of(), List.of(addresses.get(i)), Set.of());
                        valid.add(addresses.get(i));
                    } catch (RuntimeException e) {
                        p.problem("addresses[" + i + "]", addresses.get(i), "must be an IP address or CIDR block, "
                                + "e.g. 192.0.2.10 or 10.0.0.0/8");
                    }
                }
                boolean allowed = p.bool("allowed", true);
                Optional<Boolean> requireTls = p.has("require-tls") ? Optional.of(p.bool("require-tls", true))
                        : Optional.empty();
                Set<String> auth = new LinkedHashSet<>();
                List<String> rawAuth = p.texts("auth");
                Set<String> methods = xmpp ? Set.of("external", "dialback") : Set.of("address", "tls");
                for (int i = 0; i < rawAuth.size(); i++) {
                    String a = rawAuth.get(i).toLowerCase(Locale.ROOT);
                    if (!methods.contains(a)) {
                        p.problem("auth[" + i + "]", rawAuth.get(i), "allowed for " + (xmpp ? "an XMPP" : "a SIP")
                                + " partner: " + String.join(", ", new java.util.TreeSet<>(methods)));
                    } else {
                        auth.add(a);
                    }
                }
                if (!xmpp && auth.contains("address") && addresses.isEmpty()) {
                    p.problem("auth", "address", "needs the partner's addresses (addresses: [192.0.2.10])");
                }
                Limits limits = limitsOf(p.object("limits"));
                if (d.isPresent() && !seen.add(kind + " " + d.get())) {
                    p.problem(xmpp ? "xmpp" : "sip", d.get(), "is listed twice; give each partner one entry");
                    continue;
                }
                d.ifPresent(domain -> out.add(new Partner(kind, domain, xmpp ? List.of() : valid, allowed, requireTls, auth,
                        limits)));
            }
            return out;
        }

        /** The {@code limits} section; without it nothing is limited. */
        private LimitSettings limits(ConfigNode node) {
            if (node.isMissing()) {
                return LimitSettings.NONE;
            }
            node.allowOnly("sip-source", "xmpp-domain", "xmpp-user", "sip-aor", "max-tracked");
            Limits sip = limitsOf(node.object("sip-source"), Traffic.MESSAGES, Traffic.SUBSCRIPTIONS,
                    Traffic.PRESENCE, Traffic.REGISTRATIONS);
            Limits domain = limitsOf(node.object("xmpp-domain"));
            Limits user = limitsOf(node.object("xmpp-user"));
            Limits aor = limitsOf(node.object("sip-aor"), Traffic.REGISTRATIONS);
            int max = node.integer("max-tracked", LimitSettings.DEFAULT_MAX_TRACKED, 100, 10_000_000);
            return new LimitSettings(sip, domain, user, aor, max);
        }

        /** One set of rates: {@code messages}, {@code subscriptions}, {@code presence}. */
        private Limits limitsOf(ConfigNode node) {
            return limitsOf(node, Traffic.MESSAGES, Traffic.SUBSCRIPTIONS, Traffic.PRESENCE);
        }

        /** One set of rates, of the kinds of traffic given. */
        private Limits limitsOf(ConfigNode node, Traffic... kinds) {
            node.allowOnly(java.util.Arrays.stream(kinds).map(Traffic::key).toArray(String[]::new));
            Map<Traffic, Rate> rates = new java.util.EnumMap<>(Traffic.class);
            for (Traffic t : kinds) {
                rate(node, t.key()).ifPresent(r -> rates.put(t, r));
            }
            return new Limits(rates);
        }

        /** A rate: {@code 20/s}, {@code 600/m}, {@code 3600/h}, or {@code {rate: 20/s, burst: 40}}. */
        private Optional<Rate> rate(ConfigNode node, String key) {
            if (!node.has(key)) {
                return Optional.empty();
            }
            String hint = "must be a rate such as 20/s, 600/m or 3600/h, or {rate: 20/s, burst: 40}";
            if (node.isMapping(key)) {
                ConfigNode r = node.object(key);
                r.allowOnly("rate", "burst");
                Optional<String> text = r.requiredText("rate", "the sustained rate, e.g. 20/s");
                Optional<Rate> rate = text.flatMap(Rate::parse);
                if (text.isPresent() && rate.isEmpty()) {
                    r.problem("rate", text.get(), hint);
                }
                int burst = r.integer("burst", rate.map(Rate::burst).orElse(1), 1, 1_000_000);
                return rate.map(x -> x.withBurst(burst));
            }
            Optional<String> text = node.text(key);
            Optional<Rate> rate = text.flatMap(Rate::parse);
            if (text.isPresent() && rate.isEmpty()) {
                node.problem(key, text.get(), hint);
            }
            return rate;
        }

        private PeerPolicy policy(ConfigNode node, PeerPolicy fallback) {
            boolean requireTls = node.bool("require-tls", fallback.tlsRequired());
            List<String> auth = node.texts("auth");
            Set<PeerPolicy.AuthMethod> methods = EnumSet.noneOf(PeerPolicy.AuthMethod.class);
            for (int i = 0; i < auth.size(); i++) {
                switch (auth.get(i).toLowerCase(Locale.ROOT)) {
                    case "external" -> methods.add(PeerPolicy.AuthMethod.EXTERNAL);
                    case "dialback" -> methods.add(PeerPolicy.AuthMethod.DIALBACK);
                    default -> node.problem("auth[" + i + "]", auth.get(i), "allowed: external, dialback");
                }
            }
            return new PeerPolicy(requireTls ? PeerPolicy.TlsRequirement.REQUIRED : PeerPolicy.TlsRequirement.OPTIONAL,
                    methods.isEmpty() ? fallback.methods() : methods);
        }

        private SipSettings sipSettings(ConfigNode sip, Set<String> xmppDomains, List<Partner> partners) {
            ConfigNode listen = sip.object("listen");
            listen.allowOnly("address", "port", "transports", "advertised-host", "tls", "max-message-bytes", "max-headers",
                    "max-header-bytes", "message-timeout", "max-tcp-connections", "max-message-transactions");
            String address = listen.text("address", "127.0.0.1");
            int port = listen.integer("port", DEFAULT_SIP_PORT, 1, 65535);
            Set<String> transports = new LinkedHashSet<>();
            List<String> tl = listen.texts("transports");
            for (int i = 0; i < tl.size(); i++) {
                String t = tl.get(i).toLowerCase(Locale.ROOT);
                if (!SipSettings.TRANSPORTS.contains(t)) {
                    problems.add(new ConfigProblem(listen.path() + ".transports[" + i + "]", tl.get(i), "allowed: udp, tcp, tls"));
                } else {
                    transports.add(t);
                }
            }
            if (transports.isEmpty()) {
                transports.addAll(List.of("udp", "tcp"));
            }
            Optional<SipTls> tls = Optional.empty();
            ConfigNode tlsNode = listen.object("tls");
            if (!tlsNode.isMissing()) {
                tlsNode.allowOnly("port", "key", "chain", "trust");
                int tlsPort = tlsNode.integer("port", SipSettings.DEFAULT_TLS_PORT, 1, 65535);
                Optional<Path> key = tlsNode.readableFile("key", true, "the PEM private key of the SIP certificate");
                Optional<Path> chain = tlsNode.readableFile("chain", true, "the PEM certificate chain, the edge's own first");
                Optional<Path> trust = tlsNode.readableFile("trust", false, "the PEM CA certificates to trust for peers");
                if (key.isPresent() && chain.isPresent()) {
                    tls = Optional.of(new SipTls(tlsPort, key.get(), chain.get(), trust));
                }
            } else if (transports.contains("tls")) {
                listen.problem("transports", "tls", "needs sip.listen.tls with the key and certificate chain");
            }
            if (tls.isEmpty() && transports.remove("tls") && transports.isEmpty()) {
                // Reported above; build with the defaults so nothing is said twice.
                transports.addAll(List.of("udp", "tcp"));
            }
            Optional<String> advertised = listen.text("advertised-host");
            String userAgent = sip.text("user-agent", "Isthmus/0.1");
            SipMessageLimits limits = messageLimits(listen);

            ConfigNode trustNode = sip.object("trust");
            trustNode.allowOnly("peers", "tls-names");
            List<String> peers = new ArrayList<>(trustNode.texts("peers"));
            Set<String> tlsNames = new LinkedHashSet<>(trustNode.texts("tls-names"));
            for (Partner partner : partners) {
                // A trusted SIP partner is trusted the way sip.trust trusts: by address and/or TLS name.
                if (partner.kind() == Partner.Kind.SIP && partner.allowed()) {
                    if (partner.auth().contains("address")) {
                        peers.addAll(partner.addresses());
                    }
                    if (partner.auth().contains("tls")) {
                        tlsNames.add(partner.domain());
                    }
                }
            }

            ConfigNode authNode = sip.object("auth");
            authNode.allowOnly("users", "credentials-file", "client", "nonce-lifetime");
            List<DigestCredential> users = new ArrayList<>(credentials(authNode, "users"));
            Optional<Path> file = authNode.readableFile("credentials-file", false,
                    "an htdigest-style file of user:realm:HA1 lines");
            if (file.isPresent()) {
                try {
                    users.addAll(DigestCredential.readFile(file.get()));
                } catch (RuntimeException e) {
                    authNode.problem("credentials-file", file.get().toString(), e.getMessage());
                }
            }
            List<DigestCredential> client = credentials(authNode, "client");
            Duration nonce = authNode.duration("nonce-lifetime", SipAuth.DEFAULT_NONCE_LIFETIME, Duration.ofSeconds(10),
                    Duration.ofHours(1));

            ConfigNode dnsNode = sip.object("dns");
            dnsNode.allowOnly("servers", "timeout");
            List<InetSocketAddress> servers = new ArrayList<>();
            List<String> sl = dnsNode.texts("servers");
            for (int i = 0; i < sl.size(); i++) {
                Optional<InetSocketAddress> a = socketAddress(sl.get(i), 53);
                if (a.isEmpty()) {
                    problems.add(new ConfigProblem(dnsNode.path() + ".servers[" + i + "]", sl.get(i),
                            "must be an IP address with an optional port, e.g. 127.0.0.53 or [::1]:53"));
                } else {
                    servers.add(a.get());
                }
            }
            Duration dnsTimeout = dnsNode.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1));
            try {
                // With its TLS settings from the start, so that transports may list tls (or only tls).
                SipSettings settings = new SipSettings(address, port, transports, advertised, userAgent, tls,
                        SipTrust.NONE, SipAuth.NONE, SipDns.SYSTEM, SipPresence.DEFAULT);
                settings = settings.withTrust(new SipTrust(xmppDomains, peers, tlsNames)).withMessageLimits(limits);
                if (!users.isEmpty() || !client.isEmpty()) {
                    settings = settings.withAuth(new SipAuth(users, client, nonce));
                }
                if (!servers.isEmpty() || dnsTimeout.compareTo(SipDns.SYSTEM.timeout()) != 0) {
                    settings = settings.withDns(new SipDns(servers, SipDns.Records.EMPTY, false, dnsTimeout));
                }
                return settings;
            } catch (RuntimeException e) {
                sip.problem(null, "", e.getMessage());
                return SipSettings.of("127.0.0.1", DEFAULT_SIP_PORT, "Isthmus");
            }
        }

        /** {@code sip.listen}'s bounds on one received message (RFC 3261 §18.3 leaves them to us). */
        private SipMessageLimits messageLimits(ConfigNode listen) {
            SipMessageLimits d = SipMessageLimits.DEFAULT;
            int maxMessage = listen.integer("max-message-bytes", d.maxMessageBytes(), SipMessageLimits.MIN_MESSAGE_BYTES,
                    65536);
            int maxHeaders = listen.integer("max-headers", d.maxHeaders(), 10, 10_000);
            int maxHeaderBytes = listen.integer("max-header-bytes", d.maxHeaderBytes(), 256, 65536);
            if (maxHeaderBytes > maxMessage) {
                listen.problem("max-header-bytes", Integer.toString(maxHeaderBytes),
                        "must not be more than max-message-bytes (" + maxMessage + ")");
                maxHeaderBytes = maxMessage;
            }
            Duration timeout = listen.duration("message-timeout", d.messageTimeout(), Duration.ofSeconds(1),
                    Duration.ofMinutes(10));
            int connections = listen.integer("max-tcp-connections", d.maxTcpConnections(), 1, 100_000);
            int transactions = listen.integer("max-message-transactions", d.maxMessageTransactions(), 100, 10_000_000);
            return new SipMessageLimits(maxMessage, maxHeaders, maxHeaderBytes, timeout, connections, transactions);
        }

        private List<DigestCredential> credentials(ConfigNode node, String key) {
            List<DigestCredential> out = new ArrayList<>();
            for (ConfigNode c : node.objects(key)) {
                c.allowOnly("user", "realm", "password");
                Optional<String> user = c.requiredText("user", "the user name");
                Optional<String> realm = c.requiredText("realm", "the digest realm, usually the SIP domain");
                Optional<String> password = c.requiredText("password", "the password (or use ${ENV_VAR})");
                if (user.isPresent() && realm.isPresent() && password.isPresent()) {
                    out.add(DigestCredential.ofPassword(user.get(), realm.get(), password.get()));
                }
            }
            return out;
        }

        private Optional<SipRoute> route(ConfigNode r, SipSettings sip) {
            Optional<String> host = r.text("host");
            Optional<String> proxy = r.text("outbound-proxy");
            boolean resolve = r.text("resolve").isPresent();
            int ways = (host.isPresent() ? 1 : 0) + (proxy.isPresent() ? 1 : 0) + (resolve ? 1 : 0);
            if (ways != 1) {
                r.problem(null, "", "give exactly one of host (a next hop), outbound-proxy (a SIP URI) or resolve: dns");
                return Optional.empty();
            }
            if (resolve) {
                r.choice("resolve", "dns", Set.of("dns"));
                return Optional.of(new SipRoute.Dns());
            }
            if (proxy.isPresent()) {
                Mapped<SipUri> uri = SipUri.parse(proxy.get());
                if (!uri.isOk()) {
                    r.problem("outbound-proxy", proxy.get(), "must be a SIP URI such as sip:proxy.example.com;transport=tcp");
                    return Optional.empty();
                }
                return Optional.of(new SipRoute.OutboundProxy(uri.orThrow()));
            }
            int port = r.integer("port", DEFAULT_SIP_PORT, 1, 65535);
            String transport = r.choice("transport", "udp", Set.of("udp", "tcp", "tls"));
            if (!sip.transports().contains(transport)) {
                r.problem("transport", transport, "is not enabled in sip.listen.transports");
            }
            return Optional.of(new SipRoute.Hop(new SipHop(host.get(), port, transport)));
        }

        private RegistrarSettings registrar(ConfigNode reg) {
            reg.allowOnly("domains", "min-expires", "max-expires", "default-expires");
            Set<String> regDomains = domains(reg, "domains");
            int minExpires = reg.integer("min-expires", 60, 1, 86_400);
            int maxExpires = reg.integer("max-expires", 7200, 1, 604_800);
            int defExpires = reg.integer("default-expires", 3600, 1, 604_800);
            if (maxExpires < minExpires) {
                reg.problem("max-expires", String.valueOf(maxExpires), "must be at least min-expires (" + minExpires + ")");
            } else if (defExpires < minExpires || defExpires > maxExpires) {
                reg.problem("default-expires", String.valueOf(defExpires),
                        "must lie between min-expires (" + minExpires + ") and max-expires (" + maxExpires + ")");
            }
            return new RegistrarSettings(regDomains, minExpires, maxExpires, defExpires);
        }

        private Optional<StoreSettings> store(ConfigNode node) {
            if (node.isMissing()) {
                return Optional.empty();
            }
            node.allowOnly("type", "data-dir", "redis-uri", "redis-uris");
            String type = node.choice("type", "embedded", Set.of("embedded", "redis", "redis-cluster"));
            if (type.equals("redis")) {
                return redisServer(node);
            }
            if (type.equals("redis-cluster")) {
                return redisCluster(node);
            }
            String dir = node.text("data-dir", "data");
            return Optional.of(new StoreSettings(StoreSettings.Kind.EMBEDDED, Optional.of(Path.of(dir)), List.of()));
        }

        private Optional<StoreSettings> redisServer(ConfigNode node) {
            if (node.has("redis-uris")) {
                node.problem("redis-uris", "", "is for type: redis-cluster; a single Redis server takes one redis-uri");
            }
            Optional<String> uri = node.requiredText("redis-uri", "the Redis server, e.g. redis://127.0.0.1:6379");
            if (uri.isPresent() && !isRedisScheme(uri.get())) {
                node.problem("redis-uri", uri.get(), "must start with redis:// or rediss://");
            }
            return uri.map(u -> new StoreSettings(StoreSettings.Kind.REDIS, Optional.empty(), List.of(u)));
        }

        /** The seed nodes of a Redis Cluster: the client learns every other node from the first that answers. */
        private Optional<StoreSettings> redisCluster(ConfigNode node) {
            String example = "e.g. [redis://10.0.0.1:7000, redis://10.0.0.2:7000]";
            if (node.has("redis-uri")) {
                node.problem("redis-uri", node.text("redis-uri").orElse(""),
                        "type: redis-cluster takes its nodes as a list under redis-uris, " + example);
            }
            List<String> seeds = node.texts("redis-uris");
            if (seeds.isEmpty()) {
                node.problem("redis-uris", "", node.has("redis-uris")
                        ? "must list at least one node of the cluster, " + example
                        : "is required; one or more nodes of the Redis Cluster, " + example);
                return Optional.empty();
            }
            for (int i = 0; i < seeds.size(); i++) {
                String seed = seeds.get(i);
                Optional<String> problem = redisSeedProblem(seed, seeds.get(0), seeds.subList(0, i).contains(seed));
                if (problem.isPresent()) {
                    node.problem("redis-uris[" + i + "]", seed, problem.get());
                }
            }
            return Optional.of(new StoreSettings(StoreSettings.Kind.REDIS_CLUSTER, Optional.empty(), seeds));
        }

        /** What is wrong with one seed node of a Redis Cluster, if anything; {@code first} is the first seed. */
        private static Optional<String> redisSeedProblem(String seed, String first, boolean repeated) {
            if (!isRedisScheme(seed)) {
                return Optional.of("must start with redis:// or rediss://");
            }
            URI uri;
            try {
                uri = new URI(seed);
            } catch (URISyntaxException e) {
                return Optional.of("is not a URI (" + e.getReason() + "); write redis://host:port");
            }
            if (uri.getHost() == null) {
                return Optional.of("must name a node of the cluster, e.g. redis://10.0.0.1:7000");
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            if (!(path.isEmpty() || path.equals("/") || path.equals("/0"))) {
                return Optional.of("a Redis Cluster has only database 0; drop " + path);
            }
            if (isRedisScheme(first) && !uri.getScheme().equals(first.substring(0, first.indexOf(':')))) {
                return Optional.of("uses " + uri.getScheme() + ":// unlike redis-uris[0]; the client reaches the nodes"
                        + " it discovers the way of the first seed, so give every seed the same scheme");
            }
            if (repeated) {
                return Optional.of("is listed twice; list each node once");
            }
            return Optional.empty();
        }

        private static boolean isRedisScheme(String uri) {
            return uri.startsWith("redis://") || uri.startsWith("rediss://");
        }

        private Optional<ClusterSettings> cluster(ConfigNode node, Optional<StoreSettings> store) {
            if (node.isMissing()) {
                return Optional.empty();
            }
            node.allowOnly("node-id", "heartbeat", "takeover-after");
            Optional<String> id = node.requiredText("node-id", "this node's name, unique among the nodes, e.g. isthmus-1");
            if (id.isPresent() && !id.get().matches("[A-Za-z0-9._-]{1,64}")) {
                node.problem("node-id", id.get(), "may hold only letters, digits, '.', '_' and '-' (1 to 64)");
            }
            Duration heartbeat = node.duration("heartbeat", Duration.ofSeconds(5), Duration.ofMillis(100),
                    Duration.ofMinutes(1));
            Duration takeover = node.duration("takeover-after", Duration.ofSeconds(15), Duration.ofMillis(300),
                    Duration.ofMinutes(10));
            if (takeover.compareTo(heartbeat.multipliedBy(2)) < 0) {
                node.problem("takeover-after", takeover.toString(), "must be at least twice the heartbeat ("
                        + heartbeat + "), or a slow node is taken for dead");
            }
            if (store.isEmpty() || store.get().kind() == StoreSettings.Kind.EMBEDDED) {
                node.problem(null, "", "needs a store the nodes share: set store.type to redis or redis-cluster");
            }
            return id.map(i -> new ClusterSettings(i, heartbeat, takeover));
        }

        /**
         * End-to-end objects: {@code verify} off (the default), pass, tag or reject; {@code trust-store},
         * a PEM file of one or more certificates, required unless verify is off.
         */
        private E2eSettings e2e(ConfigNode node) {
            node.allowOnly("verify", "trust-store");
            String verify = node.choice("verify", "off", Set.of("off", "pass", "tag", "reject"));
            E2eSettings.Verify mode = E2eSettings.Verify.valueOf(verify.toUpperCase(java.util.Locale.ROOT));
            if (mode == E2eSettings.Verify.OFF) {
                if (node.text("trust-store").isPresent()) {
                    node.problem("trust-store", node.text("trust-store").get(), "is read only when verify is pass, tag "
                            + "or reject; set verify, or remove trust-store");
                }
                return E2eSettings.off();
            }
            Optional<java.nio.file.Path> file = node.readableFile("trust-store", true,
                    "a PEM file of the certificates trusted to sign (CA or signer certificates)");
            if (file.isEmpty()) {
                return E2eSettings.off();
            }
            List<java.security.cert.X509Certificate> certs = new ArrayList<>();
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(file.get())) {
                for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificates(in)) {
                    certs.add((java.security.cert.X509Certificate) c);
                }
            } catch (java.io.IOException | java.security.cert.CertificateException e) {
                node.problem("trust-store", file.get().toString(), "is not a file of PEM certificates ("
                        + e.getMessage() + "); give one or more -----BEGIN CERTIFICATE----- blocks");
                return E2eSettings.off();
            }
            if (certs.isEmpty()) {
                node.problem("trust-store", file.get().toString(), "holds no certificate; give one or more "
                        + "-----BEGIN CERTIFICATE----- blocks");
                return E2eSettings.off();
            }
            return new E2eSettings(mode, file, certs);
        }

        /** The admin HTTP server; without the section there is none. */
        private Optional<AdminSettings> admin(ConfigNode node) {
            if (node.isMissing()) {
                return Optional.empty();
            }
            node.allowOnly("address", "port", "token", "test-im");
            String address = node.text("address", AdminSettings.DEFAULT_ADDRESS);
            if (!isIpLiteral(address)) {
                node.problem("address", address, "must be an IP address: 127.0.0.1 (loopback, the default), ::1, "
                        + "or 0.0.0.0 for every interface");
                address = AdminSettings.DEFAULT_ADDRESS;
            }
            int port = node.integer("port", AdminSettings.DEFAULT_PORT, 0, 65535);
            Optional<String> token = node.text("token");
            if (token.isPresent() && !BEARER_TOKEN.matcher(token.get()).matches()) {
                node.problem("token", "(hidden)", "must be 16 or more of the characters a bearer token allows "
                        + "(letters, digits, - . _ ~ + /, then = padding; RFC 6750 §2.1), e.g. from openssl rand -hex 24");
                token = Optional.empty();
            }
            boolean testIm = node.bool("test-im", false);
            if (testIm && token.isEmpty()) {
                // test-im sends messages in users' names: only a holder of the token may ask for one,
                // even on loopback, where any local account could otherwise reach the port.
                node.problem("test-im", "true", "needs admin.token: whoever may call POST /api/test-im sends "
                        + "messages as any user; set admin.token (e.g. from openssl rand -hex 24) or remove test-im");
            }
            return Optional.of(new AdminSettings(address, port, token, testIm && token.isPresent()));
        }

        /** The log format and the body-logging switch; without the section, text and no bodies. */
        private LoggingSettings logging(ConfigNode node) {
            node.allowOnly("format", "log-bodies");
            String format = node.choice("format", "text", Set.of("text", "json"));
            boolean bodies = node.bool("log-bodies", LoggingSettings.DEFAULT.logBodies());
            return new LoggingSettings(format.equals("json") ? LoggingSettings.Format.JSON : LoggingSettings.Format.TEXT,
                    bodies);
        }

        private PresenceSettings presence(ConfigNode node) {
            node.allowOnly("enabled", "subscribe-expires", "retry", "coalesce", "restore-rate");
            PresenceSettings d = PresenceSettings.defaults();
            boolean enabled = node.bool("enabled", d.enabled());
            int expires = node.integer("subscribe-expires", (int) d.subscribeExpires(), 60, 86_400);
            ConfigNode retry = node.object("retry");
            retry.allowOnly("initial", "max");
            Duration initial = retry.duration("initial", d.retryInitial(), Duration.ofSeconds(1), Duration.ofHours(1));
            Duration max = retry.duration("max", d.retryMax(), Duration.ofSeconds(1), Duration.ofDays(1));
            if (max.compareTo(initial) < 0) {
                retry.problem("max", max.toString(), "must be at least retry.initial (" + initial + ")");
            }
            Duration coalesce = node.duration("coalesce", d.coalesce(), Duration.ZERO, Duration.ofMinutes(1));
            int rate = node.integer("restore-rate", d.restoreRate(), 1, 100_000);
            return new PresenceSettings(enabled, expires, initial, max, coalesce, rate);
        }

        private MessageSettings messages(ConfigNode msg) {
            msg.allowOnly("error-window", "max-body-bytes", "multilingual");
            Duration window = msg.duration("error-window", Duration.ofMillis(250), Duration.ZERO, Duration.ofSeconds(30));
            int maxBody = msg.integer("max-body-bytes", 8_000, 1, 1024 * 1024);
            String multilingual = msg.choice("multilingual", "primary", Set.of("primary", "alternative"));
            return new MessageSettings(window, maxBody, multilingual.equals("alternative")
                    ? MultilingualBodies.MULTIPART_ALTERNATIVE : MultilingualBodies.PRIMARY_ONLY);
        }
    }

    /** {@code ip}, {@code ip:port} or {@code [ipv6]:port}; only literals, so reading the file does no lookup. */
    static Optional<InetSocketAddress> socketAddress(String text, int defaultPort) {
        String host = text;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return Optional.empty();
                }
                port = parsePort(rest.substring(1));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = parsePort(text.substring(text.indexOf(':') + 1));
        }
        if (port < 1 || !isIpLiteral(host)) {
            // Only literals: a text like 999.1.1.1 would otherwise be looked up as a host name.
            return Optional.empty();
        }
        try {
            // A literal (checked above) is parsed, never looked up.
            return Optional.of(new InetSocketAddress(java.net.InetAddress.getByName(host), port));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** An IPv4 literal in dotted-quad form or an IPv6 literal (no brackets); a host name never passes. */
    static boolean isIpLiteral(String text) {
        if (text.contains(":")) {
            if (!text.matches("[0-9A-Fa-f:.]+")) {
                return false;
            }
            try {
                // With a colon the JDK parses an IPv6 literal and never looks the text up.
                return java.net.InetAddress.getByName(text) != null;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p >= 1 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Set<String> domains(ConfigNode node, String key) {
        Set<String> out = new LinkedHashSet<>();
        List<String> raw = node.texts(key);
        for (int i = 0; i < raw.size(); i++) {
            Mapped<Jid> jid = Jid.of(null, raw.get(i), null);
            if (!jid.isOk()) {
                node.problem(key + "[" + i + "]", raw.get(i), "is not a valid domain name");
            } else if (!out.add(jid.orThrow().domain())) {
                node.problem(key + "[" + i + "]", raw.get(i), "is listed twice");
            }
        }
        return out;
    }

    private static Optional<String> domain(ConfigNode node, String key, boolean required) {
        Optional<String> raw = required ? node.requiredText(key, "a domain name such as sip.example.com") : node.text(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Mapped<Jid> jid = Jid.of(null, raw.get(), null);
        if (!jid.isOk()) {
            node.problem(key, raw.get(), "is not a valid domain name");
            return Optional.empty();
        }
        return Optional.of(jid.orThrow().domain());
    }
}
