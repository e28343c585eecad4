package org.isthmus.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipSettings;
import org.isthmus.xmpp.ComponentSettings;

/**
 * The whole gateway configuration, read from YAML and validated. {@link #load} either returns a
 * configuration in which every value has been checked, or throws {@link ConfigException} listing
 * every problem with its YAML path, the value and what is allowed.
 *
 * @param component   the XEP-0114 link to the XMPP server
 * @param xmppDomains the XMPP domains whose users SIP users reach through the gateway
 * @param sip         the SIP listening points
 * @param registrar   the built-in registrar
 * @param routes      static routes: SIP domain to the next hop for requests to its users
 * @param messages    message relaying settings
 */
public record GatewayConfig(ComponentSettings component, Set<String> xmppDomains, SipSettings sip,
                            RegistrarSettings registrar, Map<String, SipHop> routes, MessageSettings messages) {

    static final int DEFAULT_SIP_PORT = 5060;
    static final int DEFAULT_COMPONENT_PORT = 5347;

    public GatewayConfig {
        xmppDomains = Set.copyOf(xmppDomains);
        routes = Map.copyOf(routes);
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
        List<ConfigProblem> problems = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "", "is empty; start from conf/gateway.yaml")));
        }
        if (!root.isObject()) {
            throw new ConfigException(source, List.of(new ConfigProblem("(file)", "", "must be a YAML mapping at the top level")));
        }
        ConfigNode top = new ConfigNode(root, "", problems, environment);
        top.allowOnly("xmpp", "sip", "messages");

        ConfigNode xmpp = top.object("xmpp");
        xmpp.allowOnly("component", "domains");
        ConfigNode comp = xmpp.object("component");
        comp.allowOnly("host", "port", "domain", "secret", "reconnect", "connect-timeout", "max-stanza-bytes");
        String compHost = comp.text("host", "127.0.0.1");
        int compPort = comp.integer("port", DEFAULT_COMPONENT_PORT, 1, 65535);
        String compDomain = domain(comp, "domain", true).orElse("invalid");
        String secret = comp.requiredText("secret",
                "the shared secret of the component, as set with component_secret in prosody.cfg.lua").orElse("");
        ConfigNode reconnect = comp.object("reconnect");
        reconnect.allowOnly("initial", "max");
        Duration initial = reconnect.duration("initial", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(5));
        Duration max = reconnect.duration("max", Duration.ofSeconds(60), Duration.ofMillis(10), Duration.ofHours(1));
        if (max.compareTo(initial) < 0) {
            reconnect.problem("max", ConfigNode.format(max), "must not be shorter than reconnect.initial ("
                    + ConfigNode.format(initial) + ")");
        }
        Duration connectTimeout = comp.duration("connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
        int maxStanza = comp.integer("max-stanza-bytes", 262_144, 10_000, 16 * 1024 * 1024);

        Set<String> xmppDomains = domains(xmpp, "domains");
        if (xmppDomains.isEmpty() && !xmpp.isMissing()) {
            xmpp.problem("domains", "", "list at least one XMPP domain whose users SIP users may reach, e.g. [xmpp.example]");
        } else if (xmpp.isMissing()) {
            top.problem("xmpp", "", "is required: the component link (xmpp.component) and the XMPP user domains (xmpp.domains)");
        }
        if (xmppDomains.contains(compDomain)) {
            xmpp.problem("domains", compDomain, "the component's own domain (xmpp.component.domain) cannot be a user domain");
        }

        ConfigNode sip = top.object("sip");
        sip.allowOnly("listen", "registrar", "routes", "user-agent");
        ConfigNode listen = sip.object("listen");
        listen.allowOnly("address", "port", "transports", "advertised-host");
        String address = listen.text("address", "127.0.0.1");
        int sipPort = listen.integer("port", DEFAULT_SIP_PORT, 1, 65535);
        Set<String> transports = new LinkedHashSet<>();
        List<String> tl = listen.texts("transports");
        for (int i = 0; i < tl.size(); i++) {
            String t = tl.get(i).toLowerCase(java.util.Locale.ROOT);
            if (!t.equals("udp") && !t.equals("tcp")) {
                problems.add(new ConfigProblem(listen.path() + ".transports[" + i + "]", tl.get(i), "allowed: udp, tcp"));
            } else {
                transports.add(t);
            }
        }
        if (transports.isEmpty()) {
            transports.addAll(List.of("udp", "tcp"));
        }
        Optional<String> advertised = listen.text("advertised-host");
        String userAgent = sip.text("user-agent", "Isthmus/0.1");

        ConfigNode reg = sip.object("registrar");
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

        Map<String, SipHop> routes = new LinkedHashMap<>();
        for (ConfigNode r : sip.objects("routes")) {
            r.allowOnly("domain", "host", "port", "transport");
            Optional<String> d = domain(r, "domain", true);
            Optional<String> host = r.requiredText("host", "the IP address or host name of the next hop for this domain");
            int port = r.integer("port", DEFAULT_SIP_PORT, 1, 65535);
            String transport = r.choice("transport", "udp", Set.of("udp", "tcp"));
            if (d.isPresent() && host.isPresent()) {
                if (routes.putIfAbsent(d.get(), new SipHop(host.get(), port, transport)) != null) {
                    r.problem("domain", d.get(), "has a route already; give each SIP domain one route");
                }
            }
        }
        for (String d : regDomains) {
            if (routes.containsKey(d)) {
                sip.problem("routes", d, "is a registrar domain too; its users are reached at their registered contacts, so remove one");
            }
        }
        Set<String> sipDomains = new LinkedHashSet<>(regDomains);
        sipDomains.addAll(routes.keySet());
        for (String d : sipDomains) {
            if (xmppDomains.contains(d) || d.equals(compDomain)) {
                sip.problem(null, d, "is an XMPP domain (xmpp.domains or xmpp.component.domain) and cannot also be a SIP domain");
            }
        }

        ConfigNode msg = top.object("messages");
        msg.allowOnly("error-window", "max-body-bytes");
        Duration window = msg.duration("error-window", Duration.ofMillis(250), Duration.ZERO, Duration.ofSeconds(30));
        int maxBody = msg.integer("max-body-bytes", 8_000, 1, 1024 * 1024);

        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new GatewayConfig(
                new ComponentSettings(compHost, compPort, compDomain, secret, initial, max, connectTimeout, maxStanza),
                xmppDomains,
                new SipSettings(address, sipPort, transports, advertised, userAgent),
                new RegistrarSettings(regDomains, minExpires, maxExpires, defExpires),
                routes,
                new MessageSettings(window, maxBody));
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
