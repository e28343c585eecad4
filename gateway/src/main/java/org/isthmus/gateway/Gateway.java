package org.isthmus.gateway;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.gateway.routing.Router;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.AddressRules;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.sip.SipEdge;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.xmpp.ComponentLink;

/**
 * One running gateway: the XMPP component link and the SIP edge, joined by the {@link Router}. The
 * only place the parts are wired together.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ScheduledExecutorService timer;
    private final Registrar registrar;
    private final Router router;
    private final ComponentLink xmpp;
    private final SipEdge sip;
    private boolean closed;

    public Gateway(GatewayConfig config) {
        this.config = config;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "isthmus-timer");
            t.setDaemon(true);
            return t;
        });
        // Component mode for every SIP domain until gateway.yaml says otherwise (federated domains,
        // the default for other domains and the telephone domain are AddressRules' other settings).
        AddressMapper addresses = new AddressMapper(AddressRules.component(config.component().domain(), config.xmppDomains()));
        this.registrar = new Registrar(config.registrar(), Clock.systemUTC());
        // The router sends through the edges, and the edges call up into the router: the methods read
        // the edge fields only when a message flows, after the constructor has assigned them.
        this.router = new Router(addresses, config.messages(), registrar, config.routes(),
                this::sendToXmpp, this::sendToSip, timer);
        this.xmpp = new ComponentLink(config.component(), router);
        this.sip = new SipEdge(config.sip(), router);
    }

    private CompletableFuture<Void> sendToXmpp(XmppMessage message) {
        return xmpp.send(message);
    }

    private CompletableFuture<SipOutcome> sendToSip(SipPagerMessage message, SipTarget target) {
        return sip.sendMessage(message, target);
    }

    /** Starts listening for SIP and connecting to the XMPP server; throws if SIP cannot listen. */
    public void start() {
        LOG.info("starting: component {} -> {}:{}, SIP on {}:{} {}, XMPP domains {}",
                config.component().domain(), config.component().host(), config.component().port(),
                config.sip().bindAddress(), config.sip().port(), config.sip().transports(), config.xmppDomains());
        sip.start();
        xmpp.start();
    }

    /** Whether the XMPP link is up (SIP listens from {@link #start()} on). */
    public boolean isXmppUp() {
        return xmpp.isUp();
    }

    /** The registrar, for tests that check bindings. */
    Registrar registrar() {
        return registrar;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping");
        try {
            xmpp.close();
        } finally {
            try {
                sip.close();
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
