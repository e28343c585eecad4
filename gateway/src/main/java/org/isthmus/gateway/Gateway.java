package org.isthmus.gateway;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.admin.AdminEndpoints;
import org.isthmus.gateway.admin.AdminServer;
import org.isthmus.gateway.cluster.Membership;
import org.isthmus.gateway.config.AdminSettings;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.config.StoreSettings;
import org.isthmus.gateway.e2e.E2eGuard;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.RecentErrors;
import org.isthmus.gateway.policy.PolicyGate;
import org.isthmus.gateway.presence.MirrorRecord;
import org.isthmus.gateway.presence.PresenceLinks;
import org.isthmus.gateway.presence.SubscriptionMirror;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.gateway.routing.Lanes;
import org.isthmus.gateway.routing.Router;
import org.isthmus.gateway.routing.TestIm;
import org.isthmus.gateway.store.EmbeddedStore;
import org.isthmus.gateway.store.MeteredStateStore;
import org.isthmus.gateway.store.RedisStore;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.sip.SipEdge;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.sip.SipTrust;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscriptionDialog;
import org.isthmus.xmpp.ComponentLink;
import org.isthmus.xmpp.ComponentSettings;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.s2s.PeerPolicy;
import org.isthmus.xmpp.s2s.S2sService;
import org.isthmus.xmpp.s2s.S2sSettings;

/**
 * One running gateway: the XMPP side (XEP-0114 component links, one per configured component domain,
 * server-to-server federation, or both) and the SIP edge, joined by the {@link Router}. The only place
 * the parts are wired together.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    /** How long past the error window shutdown waits for the last SIP messages' answers. */
    private static final Duration DRAIN_MARGIN = Duration.ofSeconds(1);
    /** How long shutdown waits for the SIP answers to messages read while the XMPP links closed. */
    private static final Duration LINK_CLOSE_DRAIN = Duration.ofSeconds(2);
    /** How long shutdown waits for the answers to the NOTIFYs and SUBSCRIBEs that end subscriptions. */
    private static final Duration PRESENCE_SHUTDOWN_WAIT = Duration.ofSeconds(5);
    /** The retry-after given to SIP watchers whose subscription ends on shutdown (RFC 6665 §4.2.2). */
    private static final long PRESENCE_RETRY_AFTER_SECONDS = 60;

    private final ScheduledExecutorService timer;
    private final Registrar registrar;
    private final Router router;
    /** The component links by prepared component domain, the default first. */
    private final Map<String, ComponentLink> components;
    private final Optional<S2sService> s2s;
    private final SipEdge sip;
    private final Optional<StateStore> store;
    private final Lanes lanes;
    private final Optional<SubscriptionMirror> mirror;
    private final Optional<Membership> membership;
    private final SessionTable sessions;
    private final PrometheusMeterRegistry registry;
    private final AutoCloseable jvmMeters;
    private final Optional<AdminServer> admin;
    private final PolicyGate gate;
    private final E2eGuard e2e;
    private final GatewayMeters meters;
    private boolean closed;

    public Gateway(GatewayConfig config) {
        this.config = config;
        ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "isthmus-timer");
            t.setDaemon(true);
            return t;
        });
        // A cancelled task (a presence timer set again) leaves the queue at once, not at its due time:
        // with many subscriptions the superseded tasks would otherwise fill the heap (issue 7).
        clock.setRemoveOnCancelPolicy(true);
        this.timer = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMeters meters = new GatewayMeters(registry);
        this.meters = meters;
        this.jvmMeters = meters.bindJvm();
        AddressMapper addresses = new AddressMapper(config.addresses());
        RecentErrors errors = new RecentErrors();
        this.store = config.store().map(s -> new MeteredStateStore(openStore(s), meters));
        this.registrar = new Registrar(config.registrar(), Clock.systemUTC(), store);
        // The router sends through the edges, and the edges call up into the router: the methods read
        // the edge fields only when a message flows, after the constructor has assigned them.
        this.e2e = new E2eGuard(config.e2e(), addresses, config.gatewayDomain(), meters);
        this.router = new Router(addresses, config.messages(), registrar, config.routes(), config.defaultRoute(),
                this::sendToXmpp, this::sendToSip, timer, meters, errors, e2e);
        // Both edges hand everything up through the gate: partner policy and abuse limits first.
        this.gate = new PolicyGate(router, router, new Replies(), config.limits(), config.partners(), meters);
        Map<String, ComponentLink> links = new LinkedHashMap<>();
        for (ComponentSettings c : config.components()) {
            links.put(c.preparedDomain(), new ComponentLink(c, gate));
        }
        this.components = Collections.unmodifiableMap(links);
        this.s2s = config.s2s().map(s -> new S2sService(s, gate));
        this.sip = new SipEdge(config.sip().withLogBodies(config.logging().logBodies()), gate);
        this.lanes = new Lanes(Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(30));
        this.membership = config.cluster().flatMap(c -> store.map(s -> new Membership(s, c, timer)));
        this.mirror = config.presence().enabled()
                ? Optional.of(new SubscriptionMirror(addresses, config.presence(), new Edges(), store, lanes, timer,
                        Clock.systemUTC(), membership, meters))
                : Optional.empty();
        mirror.ifPresent(router::attach);
        this.sessions = new SessionTable(this::links, registrar, mirror, router);
        components.forEach((domain, link) -> meters.xmppLink(domain, "component", link::isUp));
        meters.sipEdge(sip::isListening, sip::messageTransactionsHeld, sip::messageTransactionsRefused);
        meters.lanes(lanes::busyLanes);
        mirror.ifPresent(m -> meters.subscriptions(() -> m.snapshot("").stream().map(MirrorRecord::state).toList()));
        this.admin = config.admin().map(a -> new AdminServer(a, AdminServer.Limits.DEFAULTS,
                new AdminEndpoints(sessions, sip::isListening, registry, errors, config.addresses(), a.testIm()
                        ? Optional.of(new TestIm(router, this::testLink)) : Optional.empty())));
    }

    /** Where the admin API listens, once started (with {@code admin.port: 0}, the port taken). */
    public Optional<InetSocketAddress> adminAddress() {
        return admin.flatMap(AdminServer::address);
    }

    /** What the gateway holds right now, read-only (for the admin API). */
    public SessionTable sessions() {
        return sessions;
    }

    private List<SessionTable.Link> links() {
        List<SessionTable.Link> out = new ArrayList<>();
        components.forEach((domain, link) -> out.add(new SessionTable.Link(domain, "component", link.isUp())));
        config.s2s().ifPresent(s -> out.add(new SessionTable.Link(String.join(",", s.localDomains()), "s2s", true)));
        return out;
    }

    /** For test-im: the XMPP link a stanza from {@code fromDomain} would leave by ({@link #linkFor}). */
    private Optional<TestIm.Link> testLink(String fromDomain) {
        ComponentLink component = components.get(fromDomain);
        if (component != null) {
            ComponentSettings c = config.components().stream().filter(s -> s.preparedDomain().equals(fromDomain))
                    .findFirst().orElseThrow();
            return Optional.of(new TestIm.Link("XEP-0114 component link " + fromDomain + " to " + c.host() + ":"
                    + c.port(), component.isUp()));
        }
        if (s2s.isPresent() && config.s2s().orElseThrow().localDomains().contains(fromDomain)) {
            return Optional.of(new TestIm.Link("server-to-server federation (RFC 6120 §13) from " + fromDomain, true));
        }
        return Optional.empty();
    }

    /** The mirror's view of the edges. */
    private final class Edges implements PresenceLinks {
        @Override
        public CompletableFuture<Void> sendPresence(XmppPresence presence) {
            String from = presence.from().domain();
            return linkFor(from).map(link -> link.send(presence)).orElseGet(() -> noLink(from, "presence"));
        }

        @Override
        public CompletableFuture<Void> sendSubscription(XmppSubscription subscription) {
            String from = subscription.from().domain();
            return linkFor(from).map(link -> link.send(subscription)).orElseGet(() -> noLink(from, "presence"));
        }

        @Override
        public CompletableFuture<SubscribeOutcome> subscribe(SipUri presentity, SipUri watcher, long expires,
                                                             SipTarget target) {
            return sip.sendSubscribe(presentity, watcher, expires, target);
        }

        @Override
        public CompletableFuture<SubscribeOutcome> refresh(SubscriptionDialog dialog, long expires) {
            return sip.refreshSubscribe(dialog, expires);
        }

        @Override
        public CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, SubscriptionState state,
                                                       Optional<PresenceDocument> document) {
            return sip.sendNotify(dialog, state, document);
        }

        @Override
        public CompletableFuture<NotifyOutcome> notifySecured(SubscriptionDialog dialog, SubscriptionState state,
                                                              SecuredObject object,
                                                              Optional<String> authenticationResults) {
            return sip.sendNotify(dialog, state, object, authenticationResults);
        }

        @Override
        public Mapped<SipTarget> route(SipUri contact) {
            return router.route(contact);
        }
    }

    /** The gate's error replies to refused stanzas, sent like any other stanza; a failure is only logged. */
    private final class Replies implements PolicyGate.XmppReplies {
        @Override
        public void message(XmppMessage reply) {
            logFailure(sendToXmpp(reply), "message", reply.to().toString());
        }

        @Override
        public void presence(XmppPresence reply) {
            String from = reply.from().domain();
            logFailure(linkFor(from).map(link -> link.send(reply)).orElseGet(() -> noLink(from, "presence")),
                    "presence", reply.to().toString());
        }

        @Override
        public void subscription(XmppSubscription reply) {
            String from = reply.from().domain();
            logFailure(linkFor(from).map(link -> link.send(reply)).orElseGet(() -> noLink(from, "presence")),
                    "presence", reply.to().toString());
        }

        private void logFailure(CompletableFuture<Void> sent, String kind, String to) {
            sent.whenComplete((ok, e) -> {
                if (e != null) {
                    LOG.debug("error {} to {} not sent: {}", kind, to, e.getMessage());
                }
            });
        }
    }

    /**
     * What {@link #reload} did: the new partner policy, limits and SIP trust are in force; the sections
     * listed in {@code restartNeeded} changed too, but only a restart applies them.
     *
     * @param restartNeeded the configuration sections whose change waits for a restart
     */
    public record Reload(List<String> restartNeeded) {
        public Reload {
            restartNeeded = List.copyOf(restartNeeded);
        }
    }

    /**
     * Applies a new, already validated configuration while running: the partner policy and the abuse
     * limits (at the gate), the SIP trust ({@code sip.trust} and SIP partners), the s2s peer policies
     * (streams with peers no longer allowed are ended) and static routes (a peer whose route changed is
     * reached at its new address from its next connection on), and the
     * {@code e2e} mode and trust store. Listen addresses and ports, TLS files, component links, domains,
     * SIP routes, the store and the rest are what they were at start; those that differ in {@code next}
     * are returned as needing a restart.
     */
    public synchronized Reload reload(GatewayConfig next) {
        List<String> restart = new ArrayList<>();
        if (!config.components().equals(next.components())) {
            restart.add("xmpp.component(s)");
        }
        if (!config.s2s().map(Gateway::withoutPolicy).equals(next.s2s().map(Gateway::withoutPolicy))) {
            restart.add("xmpp.s2s (all but the peer policies)");
        }
        if (!config.addresses().equals(next.addresses())) {
            restart.add("xmpp.domains and the SIP domain rules");
        }
        if (!config.sip().withTrust(SipTrust.NONE).equals(next.sip().withTrust(SipTrust.NONE))) {
            restart.add("sip.listen, sip.auth, sip.dns or sip.user-agent");
        }
        if (!config.registrar().equals(next.registrar())) {
            restart.add("sip.registrar");
        }
        if (!config.routes().equals(next.routes()) || !config.defaultRoute().equals(next.defaultRoute())) {
            restart.add("sip.routes");
        }
        if (!config.messages().equals(next.messages())) {
            restart.add("messages");
        }
        if (!config.store().equals(next.store())) {
            restart.add("store");
        }
        if (!config.presence().equals(next.presence())) {
            restart.add("presence");
        }
        if (!config.cluster().equals(next.cluster())) {
            restart.add("cluster");
        }
        if (!config.admin().equals(next.admin())) {
            restart.add("admin");
        }
        if (!config.logging().equals(next.logging())) {
            restart.add("logging");
        }
        gate.update(next.limits(), next.partners());
        sip.updateTrust(next.sip().trust());
        if (s2s.isPresent() && next.s2s().isPresent()) {
            s2s.get().updatePolicy(next.s2s().get());
        }
        e2e.update(next.e2e());
        LOG.info("configuration reloaded: partners {}, limits {}", next.partners().stream().map(p -> p.name()
                + (p.allowed() ? "" : " (refused)")).toList(), next.limits().any() ? "set" : "none");
        if (!restart.isEmpty()) {
            LOG.warn("configuration reloaded, but these changes need a restart to take effect: {}", restart);
        }
        meters.configReload(restart.isEmpty() ? "applied" : "restart_needed");
        return new Reload(restart);
    }

    /** A reload whose file is not valid: counted; the running configuration stays. */
    public void reloadRefused() {
        meters.configReload("invalid");
    }

    /** The same settings with a blank peer policy, to compare what only a restart changes. */
    private static S2sSettings withoutPolicy(S2sSettings s) {
        return s.withPolicies(PeerPolicy.DEFAULT, Map.of(), Set.of(), Set.of()).withStaticRoutes(Map.of());
    }

    private static CompletableFuture<Void> noLink(String from, String what) {
        return CompletableFuture.failedFuture(new XmppException("no XMPP link serves " + from + "; " + what
                + " not sent", StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND, null));
    }

    private CompletableFuture<Void> sendToXmpp(XmppMessage message) {
        String from = message.from().domain();
        return linkFor(from).map(link -> link.send(message)).orElseGet(() -> CompletableFuture.failedFuture(
                new XmppException("no XMPP link serves " + from + "; message id=" + message.id().orElse("-")
                        + " not sent", StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND, null)));
    }

    /**
     * The link a stanza from {@code fromDomain} leaves by: the component link of that component
     * domain, or federation for the federated SIP domains (XEP-0114 §3 and RFC 6120 §13.1 both refuse
     * a stanza from a domain the stream does not speak for); empty when no link speaks for it.
     */
    private Optional<XmppLink> linkFor(String fromDomain) {
        ComponentLink component = components.get(fromDomain);
        if (component != null) {
            return Optional.of(new ComponentRoute(component));
        }
        if (s2s.isPresent() && config.s2s().orElseThrow().localDomains().contains(fromDomain)) {
            return Optional.of(new FederationRoute(s2s.get()));
        }
        return Optional.empty();
    }

    /** An outbound XMPP stream as {@link #linkFor} chooses it; each kind of stanza is one method. */
    private interface XmppLink {
        CompletableFuture<Void> send(XmppMessage message);

        CompletableFuture<Void> send(XmppPresence presence);

        CompletableFuture<Void> send(XmppSubscription subscription);
    }

    /** Through an XEP-0114 component link. */
    private record ComponentRoute(ComponentLink link) implements XmppLink {
        @Override
        public CompletableFuture<Void> send(XmppMessage message) {
            return link.send(message);
        }

        @Override
        public CompletableFuture<Void> send(XmppPresence presence) {
            return link.send(presence);
        }

        @Override
        public CompletableFuture<Void> send(XmppSubscription subscription) {
            return link.send(subscription);
        }
    }

    /** Through server-to-server federation. */
    private record FederationRoute(S2sService s2s) implements XmppLink {
        @Override
        public CompletableFuture<Void> send(XmppMessage message) {
            return s2s.send(message);
        }

        @Override
        public CompletableFuture<Void> send(XmppPresence presence) {
            return s2s.send(presence);
        }

        @Override
        public CompletableFuture<Void> send(XmppSubscription subscription) {
            return s2s.send(subscription);
        }
    }

    private static StateStore openStore(StoreSettings settings) {
        if (settings.kind() != StoreSettings.Kind.EMBEDDED) {
            RedisStore redis = settings.kind() == StoreSettings.Kind.REDIS_CLUSTER
                    ? RedisStore.connectCluster(settings.redisUris()) : RedisStore.connect(settings.redisUris().get(0));
            LOG.info("state store: {} (fsync on every write: {})", redis, redis.fsyncsEveryWrite());
            return redis;
        }
        EmbeddedStore embedded = EmbeddedStore.open(settings.dataDir().orElseThrow());
        LOG.info("state store: {}", embedded.file());
        return embedded;
    }

    private CompletableFuture<SipOutcome> sendToSip(SipPagerMessage message, SipTarget target) {
        return sip.sendMessage(message, target);
    }

    /** Starts listening for SIP and federation, and connecting the components; throws if a port cannot be bound. */
    public void start() {
        LOG.info("starting: gateway domain {}, XMPP domains {}, components {}, federation {}, SIP on {}:{} {}",
                config.gatewayDomain(), config.xmppDomains(), components.isEmpty() ? "off" : components.keySet(),
                config.s2s().map(s -> s.localDomains() + " on " + s.listenHost() + ":" + s.listenPort()).orElse("off"),
                config.sip().bindAddress(), config.sip().port(), config.sip().transports());
        for (ComponentSettings c : config.components()) {
            LOG.info("component {} -> {}:{} for XMPP domains {}", c.preparedDomain(), c.host(), c.port(),
                    config.addresses().domainsServedBy(c.preparedDomain()));
        }
        if (config.logging().logBodies()) {
            LOG.warn("logging.log-bodies is true: the SIP wire trace (TRACE) and JAIN-SIP's DEBUG may record message "
                    + "bodies; set it to false outside a test bed");
        }
        if (store.isEmpty()) {
            LOG.info("no state store configured: registrations are kept in memory and lost on restart");
        }
        // First, so that /health can say why the gateway is not ready while it restores and connects.
        admin.ifPresent(this::startAdmin);
        // Before SIP listens, so no REGISTER races the restore.
        registrar.restore().toCompletableFuture().join();
        // Announced before restoring, so that no sibling takes this node's pairs while it starts.
        membership.ifPresent(m -> m.announce().toCompletableFuture().join());
        // Also before SIP listens, so that an in-dialog SUBSCRIBE or NOTIFY finds its dialog.
        mirror.ifPresent(m -> m.restore().toCompletableFuture().join());
        sip.start();
        s2s.ifPresent(S2sService::start);
        mirror.ifPresent(SubscriptionMirror::resume);
        membership.ifPresent(m -> m.start(() -> mirror.ifPresent(SubscriptionMirror::takeOver)));
        if (components.isEmpty()) {
            // Federation has no standing link whose coming up would trigger the probes.
            mirror.ifPresent(SubscriptionMirror::onXmppLinkUp);
        }
        components.values().forEach(ComponentLink::start);
    }

    private void startAdmin(AdminServer server) {
        AdminSettings settings = config.admin().orElseThrow();
        InetSocketAddress at = server.start();
        String host = at.getAddress() instanceof Inet6Address ? "[" + at.getHostString() + "]" : at.getHostString();
        LOG.info("admin API on http://{}:{}/ (/status, /health, /metrics, /api/links, ...), token {}, test-im {}",
                host, at.getPort(), settings.token().isPresent() ? "required" : "not required",
                settings.testIm() ? "on" : "off");
        if (!settings.isLoopback() && settings.token().isEmpty()) {
            LOG.warn("the admin API listens on {} without a token: whoever reaches the port reads every session; "
                    + "set admin.token", settings.address());
        }
    }

    /**
     * Whether every component link is up (true when there is none: federation needs no standing
     * link); while one is down, the users of the domains it serves cannot be reached.
     */
    public boolean isXmppUp() {
        return components.values().stream().allMatch(ComponentLink::isUp);
    }

    private void closeMeters() {
        try {
            jvmMeters.close();
        } catch (Exception e) {
            LOG.debug("JVM meters not closed cleanly: {}", e.toString());
        }
        registry.close();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping");
        try {
            // Stop accepting, then, while the links are still up: every message handed to the other side
            // gets its final answer or an error to its sender, and subscriptions that nothing will carry on
            // are ended (with a store they are kept).
            router.stopAccepting();
            if (!router.drain(config.messages().errorWindow().plus(DRAIN_MARGIN))) {
                LOG.warn("stopping: {} messages still waited for their answer and were failed", router.failInFlight());
            }
            mirror.ifPresent(m -> m.shutdown(PRESENCE_SHUTDOWN_WAIT, PRESENCE_RETRY_AFTER_SECONDS));
            // What the XMPP server sent before it read our closing tag is still processed (RFC 6120 §4.4)
            // and, with no way left to refuse it, relayed; the SIP edge stays up until it is answered.
            router.relayWhileLinksClose();
            components.values().forEach(ComponentLink::close);
            s2s.ifPresent(S2sService::close);
            if (!router.drain(LINK_CLOSE_DRAIN)) {
                LOG.warn("stopping: messages read while the links closed got no SIP answer within {}", LINK_CLOSE_DRAIN);
            }
        } finally {
            try {
                sip.close();
                lanes.close();
                membership.ifPresent(Membership::close);
                store.ifPresent(StateStore::close);
            } finally {
                timer.shutdownNow();
                try {
                    timer.awaitTermination(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // Last, so that /health answers (and says why not ready) until the end.
                admin.ifPresent(AdminServer::close);
                closeMeters();
            }
        }
        LOG.info("stopped");
    }
}
