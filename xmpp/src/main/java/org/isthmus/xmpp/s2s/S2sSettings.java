package org.isthmus.xmpp.s2s;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * How Isthmus federates as an XMPP server of its own (RFC 6120 §13–§14). Domain names are prepared
 * as JID domainparts (RFC 7622 §3.2) when the settings are made, so later comparisons are exact.
 *
 * @param localDomains       the domains Isthmus serves; stanzas to any other domain are refused
 * @param listenHost         the address inbound streams are accepted on
 * @param listenPort         the inbound STARTTLS port (RFC 6120 §14.7: 5269); 0 picks a free port
 * @param directTlsPort      an extra inbound port where TLS starts at once (XEP-0368), if any
 * @param tls                Isthmus's certificate, key and trust anchors; without them no TLS is
 *                           offered or used, so only peers whose policy is {@code OPTIONAL} work
 * @param dialbackSecret     the secret of the dialback keys (XEP-0185 §3); never logged
 * @param defaultPolicy      the policy of every peer without one of its own
 * @param peerPolicies       per-peer-domain policies
 * @param allowedPeers       the only peer domains accepted; empty accepts every domain not denied
 * @param deniedPeers        peer domains always refused, in both directions
 * @param staticRoutes       per-domain addresses used instead of DNS (tests use only these)
 * @param dnsLookups         whether domains without a static route are looked up in DNS (SRV, then
 *                           A/AAAA); when false they are unreachable
 * @param maxStanzaBytes     the largest inbound stanza (RFC 6120 §13.12 item 4)
 * @param connectTimeout     how long one TCP connect may take
 * @param negotiationTimeout how long a stream may take from TCP connect to authenticated
 * @param idleTimeout        a stream that carried no stanza either way for this long is closed
 *                           (whitespace keepalives and pings do not count as traffic)
 * @param maxQueuedStanzas   stanzas held per peer while its outbound stream is negotiated; more fail
 * @param pingInterval       after this long without a byte from the peer on an outbound stream, an
 *                           XEP-0199 ping is sent; see {@link S2sService} for when a stream without an
 *                           answer is closed
 * @param stanzaTimeout      the longest an inbound stanza (or stream header) may take from its first
 *                           byte to its last; a slower one ends the stream with policy-violation
 * @param maxInboundStreams  inbound connections held at once; one more is refused with
 *                           resource-constraint (RFC 6120 §4.9.3.15)
 */
public record S2sSettings(Set<String> localDomains, String listenHost, int listenPort, OptionalInt directTlsPort,
                          Optional<S2sTls> tls, String dialbackSecret, PeerPolicy defaultPolicy,
                          Map<String, PeerPolicy> peerPolicies, Set<String> allowedPeers, Set<String> deniedPeers,
                          Map<String, PeerAddress> staticRoutes, boolean dnsLookups, int maxStanzaBytes,
                          Duration connectTimeout, Duration negotiationTimeout, Duration idleTimeout,
                          int maxQueuedStanzas, Duration pingInterval, Duration stanzaTimeout,
                          int maxInboundStreams) {

    /** The default TCP connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The default time from TCP connect to an authenticated stream. */
    public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = Duration.ofSeconds(30);
    /** The default idle time after which a stream is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** The default ping interval, as on the component link: well inside common NAT and firewall idle timeouts. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(90);
    /** The shortest ping interval accepted. */
    public static final Duration MIN_PING_INTERVAL = Duration.ofMillis(10);
    /** The default number of stanzas queued per peer during negotiation. */
    public static final int DEFAULT_MAX_QUEUED_STANZAS = 100;
    /** The default number of inbound connections held at once. */
    public static final int DEFAULT_MAX_INBOUND_STREAMS = 1000;
    /** The smallest stanza limit allowed. */
    public static final int MIN_STANZA_BYTES = 1024;
    /** The shortest dialback secret accepted: shorter ones can be guessed offline (XEP-0185 §5). */
    public static final int MIN_SECRET_LENGTH = 16;

    public S2sSettings {
        Objects.requireNonNull(localDomains, "localDomains");
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(directTlsPort, "directTlsPort");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(dialbackSecret, "dialbackSecret");
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Objects.requireNonNull(peerPolicies, "peerPolicies");
        Objects.requireNonNull(allowedPeers, "allowedPeers");
        Objects.requireNonNull(deniedPeers, "deniedPeers");
        Objects.requireNonNull(staticRoutes, "staticRoutes");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(negotiationTimeout, "negotiationTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (localDomains.isEmpty()) {
            throw new IllegalArgumentException("localDomains is empty");
        }
        localDomains = Set.copyOf(prepareAll(localDomains, "localDomains"));
        if (listenHost.isBlank()) {
            throw new IllegalArgumentException("listenHost is blank");
        }
        checkPort(listenPort, "listenPort");
        directTlsPort.ifPresent(p -> checkPort(p, "directTlsPort"));
        if (directTlsPort.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("directTlsPort needs tls settings");
        }
        if (dialbackSecret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("dialbackSecret must have at least " + MIN_SECRET_LENGTH + " characters");
        }
        Map<String, PeerPolicy> policies = new LinkedHashMap<>();
        peerPolicies.forEach((d, p) -> policies.put(prepare(d, "peerPolicies"), Objects.requireNonNull(p, d)));
        peerPolicies = Map.copyOf(policies);
        allowedPeers = Set.copyOf(prepareAll(allowedPeers, "allowedPeers"));
        deniedPeers = Set.copyOf(prepareAll(deniedPeers, "deniedPeers"));
        Map<String, PeerAddress> routes = new LinkedHashMap<>();
        staticRoutes.forEach((d, a) -> routes.put(prepare(d, "staticRoutes"), Objects.requireNonNull(a, d)));
        staticRoutes = Map.copyOf(routes);
        if (maxStanzaBytes < MIN_STANZA_BYTES) {
            throw new IllegalArgumentException("maxStanzaBytes must be at least " + MIN_STANZA_BYTES);
        }
        checkPositive(connectTimeout, "connectTimeout");
        checkPositive(negotiationTimeout, "negotiationTimeout");
        checkPositive(idleTimeout, "idleTimeout");
        if (maxQueuedStanzas < 1) {
            throw new IllegalArgumentException("maxQueuedStanzas must be positive");
        }
        Objects.requireNonNull(pingInterval, "pingInterval");
        checkPositive(pingInterval, "pingInterval");
        if (pingInterval.compareTo(MIN_PING_INTERVAL) < 0) {
            throw new IllegalArgumentException("pingInterval must be at least " + MIN_PING_INTERVAL.toMillis() + " ms");
        }
        Objects.requireNonNull(stanzaTimeout, "stanzaTimeout");
        checkPositive(stanzaTimeout, "stanzaTimeout");
        if (maxInboundStreams < 1) {
            throw new IllegalArgumentException("maxInboundStreams must be positive");
        }
    }

    /** Settings with the default stanza timeout and inbound stream limit. */
    public S2sSettings(Set<String> localDomains, String listenHost, int listenPort, OptionalInt directTlsPort,
                       Optional<S2sTls> tls, String dialbackSecret, PeerPolicy defaultPolicy,
                       Map<String, PeerPolicy> peerPolicies, Set<String> allowedPeers, Set<String> deniedPeers,
                       Map<String, PeerAddress> staticRoutes, boolean dnsLookups, int maxStanzaBytes,
                       Duration connectTimeout, Duration negotiationTimeout, Duration idleTimeout,
                       int maxQueuedStanzas, Duration pingInterval) {
        this(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy, peerPolicies,
                allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout, negotiationTimeout,
                idleTimeout, maxQueuedStanzas, pingInterval, XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT,
                DEFAULT_MAX_INBOUND_STREAMS);
    }

    /** Settings with the default ping interval: the constructor before pings existed. */
    public S2sSettings(Set<String> localDomains, String listenHost, int listenPort, OptionalInt directTlsPort,
                       Optional<S2sTls> tls, String dialbackSecret, PeerPolicy defaultPolicy,
                       Map<String, PeerPolicy> peerPolicies, Set<String> allowedPeers, Set<String> deniedPeers,
                       Map<String, PeerAddress> staticRoutes, boolean dnsLookups, int maxStanzaBytes,
                       Duration connectTimeout, Duration negotiationTimeout, Duration idleTimeout,
                       int maxQueuedStanzas) {
        this(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy, peerPolicies,
                allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout, negotiationTimeout,
                idleTimeout, maxQueuedStanzas, DEFAULT_PING_INTERVAL);
    }

    /**
     * Settings with the default policy, no per-peer rules, DNS lookups on, and the default limits.
     */
    public static S2sSettings of(Set<String> localDomains, String listenHost, int listenPort, Optional<S2sTls> tls,
                                 String dialbackSecret) {
        return new S2sSettings(localDomains, listenHost, listenPort, OptionalInt.empty(), tls, dialbackSecret,
                PeerPolicy.DEFAULT, Map.of(), Set.of(), Set.of(), Map.of(), true,
                XmppStreamDecoder.DEFAULT_MAX_STANZA_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_NEGOTIATION_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_QUEUED_STANZAS);
    }

    /** A copy that reaches {@code domain} at {@code address} and never uses DNS. */
    public S2sSettings withStaticRoute(String domain, PeerAddress address) {
        Map<String, PeerAddress> routes = new LinkedHashMap<>(staticRoutes);
        routes.put(prepare(domain, "domain"), address);
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, deniedPeers, routes, false, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy with another default policy. */
    public S2sSettings withDefaultPolicy(PeerPolicy policy) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, policy,
                peerPolicies, allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy with an XEP-0368 direct TLS listener on {@code port}. */
    public S2sSettings withDirectTlsPort(int port) {
        return new S2sSettings(localDomains, listenHost, listenPort, OptionalInt.of(port), tls, dialbackSecret,
                defaultPolicy, peerPolicies, allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes,
                connectTimeout, negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy with other limits. */
    public S2sSettings withLimits(int stanzaBytes, Duration negotiation, Duration idle) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, deniedPeers, staticRoutes, dnsLookups, stanzaBytes, connectTimeout,
                negotiation, idle, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy with another XEP-0199 ping interval for outbound streams. */
    public S2sSettings withPingInterval(Duration interval) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, interval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy that refuses these peer domains. */
    public S2sSettings withDeniedPeers(Set<String> denied) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, denied, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** A copy with another stanza timeout and inbound stream limit. */
    public S2sSettings withBounds(Duration stanzaTimeout, int maxInboundStreams) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, deniedPeers, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /**
     * A copy with another partner policy: the default and per-peer policies and the allowed and denied
     * peers, which a configuration reload may change while the service runs.
     */
    public S2sSettings withPolicies(PeerPolicy policy, Map<String, PeerPolicy> policies, Set<String> allowed,
                                    Set<String> denied) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, policy,
                policies, allowed, denied, staticRoutes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /**
     * A copy whose static routes are {@code routes}, all of them, which a configuration reload may change
     * while the service runs; DNS lookups stay as they are for the domains without one.
     */
    public S2sSettings withStaticRoutes(Map<String, PeerAddress> routes) {
        return new S2sSettings(localDomains, listenHost, listenPort, directTlsPort, tls, dialbackSecret, defaultPolicy,
                peerPolicies, allowedPeers, deniedPeers, routes, dnsLookups, maxStanzaBytes, connectTimeout,
                negotiationTimeout, idleTimeout, maxQueuedStanzas, pingInterval, stanzaTimeout, maxInboundStreams);
    }

    /** This with the partner policy of {@code other} (see {@link #withPolicies}). */
    public S2sSettings withPoliciesOf(S2sSettings other) {
        return withPolicies(other.defaultPolicy, other.peerPolicies, other.allowedPeers, other.deniedPeers);
    }

    /** The policy for a peer domain (prepared). */
    public PeerPolicy policyFor(String peerDomain) {
        return peerPolicies.getOrDefault(peerDomain, defaultPolicy);
    }

    /** Whether streams with this peer domain (prepared) are allowed at all. */
    public boolean isPeerAllowed(String peerDomain) {
        return !deniedPeers.contains(peerDomain) && !localDomains.contains(peerDomain)
                && (allowedPeers.isEmpty() || allowedPeers.contains(peerDomain));
    }

    /** Everything but the dialback secret, which must never reach a log. */
    @Override
    public String toString() {
        return "S2sSettings[localDomains=" + localDomains + ", listen=" + listenHost + ":" + listenPort
                + ", directTlsPort=" + directTlsPort + ", tls=" + tls + ", dialbackSecret=***"
                + ", defaultPolicy=" + defaultPolicy + ", peerPolicies=" + peerPolicies
                + ", allowedPeers=" + allowedPeers + ", deniedPeers=" + deniedPeers
                + ", staticRoutes=" + staticRoutes + ", dnsLookups=" + dnsLookups
                + ", maxStanzaBytes=" + maxStanzaBytes + ", connectTimeout=" + connectTimeout
                + ", negotiationTimeout=" + negotiationTimeout + ", idleTimeout=" + idleTimeout
                + ", maxQueuedStanzas=" + maxQueuedStanzas + ", pingInterval=" + pingInterval
                + ", stanzaTimeout=" + stanzaTimeout + ", maxInboundStreams=" + maxInboundStreams + "]";
    }

    /** A domain name prepared as a JID domainpart, or empty when it is not one. */
    static Optional<String> preparedDomain(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        Mapped<Jid> jid = Jid.parse(text);
        if (!jid.isOk() || jid.orThrow().local().isPresent() || jid.orThrow().resource().isPresent()) {
            return Optional.empty();
        }
        return Optional.of(jid.orThrow().domain());
    }

    private static String prepare(String domain, String what) {
        return preparedDomain(domain).orElseThrow(
                () -> new IllegalArgumentException(what + ": '" + domain + "' is not a valid domain"));
    }

    private static Set<String> prepareAll(Set<String> domains, String what) {
        Set<String> prepared = new LinkedHashSet<>();
        for (String d : domains) {
            prepared.add(prepare(d, what));
        }
        return prepared;
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not in 0..65535");
        }
    }

    private static void checkPositive(Duration d, String what) {
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be positive and under 2^31 ms");
        }
    }
}
