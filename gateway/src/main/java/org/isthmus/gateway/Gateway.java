package org.isthmus.gateway;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.config.StoreSettings;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.gateway.routing.Router;
import org.isthmus.gateway.store.EmbeddedStore;
import org.isthmus.gateway.store.RedisStore;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.sip.SipEdge;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.xmpp.ComponentLink;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.s2s.S2sService;

/**
 * One running gateway: the XMPP side (an XEP-0114 component link, server-to-server federation, or
 * both) and the SIP edge, joined by the {@link Router}. The only place the parts are wired together.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ScheduledExecutorService timer;
    private final Registrar registrar;
    private final Router router;
    private final Optional<ComponentLink> component;
    private final Optional<S2sService> s2s;
    private final SipEdge sip;
    private final Optional<StateStore> store;
    private boolean closed;

    public Gateway(GatewayConfig config) {
        this.config = config;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "isthmus-timer");
            t.setDaemon(true);
            return t;
        });
        AddressMapper addresses = new AddressMapper(config.addresses());
        this.store = config.store().map(Gateway::openStore);
        this.registrar = new Registrar(config.registrar(), Clock.systemUTC(), store);
        // The router sends through the edges, and the edges call up into the router: the methods read
        // the edge fields only when a message flows, after the constructor has assigned them.
        this.router = new Router(addresses, config.messages(), registrar, config.routes(), config.defaultRoute(),
                this::sendToXmpp, this::sendToSip, timer);
        this.component = config.component().map(c -> new ComponentLink(c, router));
        this.s2s = config.s2s().map(s -> new S2sService(s, router));
        this.sip = new SipEdge(config.sip(), router);
    }

    /**
     * A stanza leaves by the link that serves its sender's domain: the component for the gateway's own
     * domain, federation for the federated SIP domains (XEP-0114 §3 and RFC 6120 §13.1 both refuse a
     * stanza from a domain the stream does not speak for).
     */
    private CompletableFuture<Void> sendToXmpp(XmppMessage message) {
        String from = message.from().domain();
        if (component.isPresent() && from.equals(config.gatewayDomain())) {
            return component.get().send(message);
        }
        if (s2s.isPresent() && config.s2s().orElseThrow().localDomains().contains(from)) {
            return s2s.get().send(message);
        }
        return CompletableFuture.failedFuture(new XmppException("no XMPP link serves " + from
                + "; message id=" + message.id().orElse("-") + " not sent", StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                null));
    }

    private static StateStore openStore(StoreSettings settings) {
        if (settings.kind() == StoreSettings.Kind.REDIS) {
            RedisStore redis = RedisStore.connect(settings.redisUri().orElseThrow());
            LOG.info("state store: Redis {} (fsync on every write: {})", settings.redisUri().get(), redis.fsyncsEveryWrite());
            return redis;
        }
        EmbeddedStore embedded = EmbeddedStore.open(settings.dataDir().orElseThrow());
        LOG.info("state store: {}", embedded.file());
        return embedded;
    }

    private CompletableFuture<SipOutcome> sendToSip(SipPagerMessage message, SipTarget target) {
        return sip.sendMessage(message, target);
    }

    /** Starts listening for SIP and federation, and connecting the component; throws if a port cannot be bound. */
    public void start() {
        LOG.info("starting: gateway domain {}, XMPP domains {}, component {}, federation {}, SIP on {}:{} {}",
                config.gatewayDomain(), config.xmppDomains(),
                config.component().map(c -> c.domain() + " -> " + c.host() + ":" + c.port()).orElse("off"),
                config.s2s().map(s -> s.localDomains() + " on " + s.listenHost() + ":" + s.listenPort()).orElse("off"),
                config.sip().bindAddress(), config.sip().port(), config.sip().transports());
        if (store.isEmpty()) {
            LOG.info("no state store configured: registrations are kept in memory and lost on restart");
        }
        // Before SIP listens, so no REGISTER races the restore.
        registrar.restore().toCompletableFuture().join();
        sip.start();
        s2s.ifPresent(S2sService::start);
        component.ifPresent(ComponentLink::start);
    }

    /** Whether the component link is up (true when there is none: federation needs no standing link). */
    public boolean isXmppUp() {
        return component.map(ComponentLink::isUp).orElse(true);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping");
        try {
            component.ifPresent(ComponentLink::close);
            s2s.ifPresent(S2sService::close);
        } finally {
            try {
                sip.close();
                store.ifPresent(StateStore::close);
            } finally {
                timer.shutdownNow();
                try {
                    timer.awaitTermination(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        LOG.info("stopped");
    }
}
