package org.isthmus.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.PeerUnavailableException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.PublishOutcome;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscriptionDialog;
import org.isthmus.sip.stack.EdgeSipStack;
import org.isthmus.sip.stack.PinnedHopRouter;
import org.isthmus.sip.stack.ServerIdentityPolicy;
import org.isthmus.sip.stack.Slf4jServerLogger;
import org.isthmus.sip.stack.Slf4jStackLogger;
import org.isthmus.sip.stack.TlsContexts;

/**
 * The SIP edge: one JAIN-SIP stack listening on UDP and/or TCP on one port and TLS on another (IPv4 or
 * IPv6), answering requests through a {@link SipHandler} and sending pager-mode MESSAGE requests
 * (RFC 3428) and presence requests: NOTIFY as notifier, SUBSCRIBE as subscriber (RFC 6665, RFC 3856) and
 * PUBLISH (RFC 3903). Subscription dialogs are values the gateway stores ({@link SubscriptionDialog});
 * the edge keeps none beyond a SUBSCRIBE's Timer N.
 *
 * <p>Routing of sent requests: the edge picks the hops itself (see {@link SipTarget}): a static hop, or
 * what RFC 3263 finds for the outbound proxy (sent as a pre-loaded Route, RFC 3261 §8.1.2) or the
 * Request-URI, trying the next after a transport error, timeout or 503 (RFC 3263 §4.3), and switching a
 * request larger than 1300 bytes from UDP to TCP as RFC 3261 §18.1.1 requires (JAIN-SIP does not). Each
 * hop is handed to the stack through {@link PinnedHopRouter}, a {@code javax.sip.address.Router} that
 * answers with it for the transaction being created.
 *
 * <p>Security: TLS certificates come from PEM files into an {@code SSLContext} of the edge's own (no
 * JVM-wide properties); a TLS server must be named by the domain it was looked up for (RFC 5922 §7.2);
 * requests from served domains pass the {@link SipTrust} policy; REGISTER is digest-authenticated when
 * users are configured, and challenges to sent requests are answered with {@link SipAuth#client()}.
 *
 * <p>Threads: JAIN-SIP runs listener callbacks on a pool with per-Call-ID affinity
 * ({@code REENTRANT_LISTENER}); the handler is called there and must not block. One timer thread of the
 * edge's own runs the handler and safety time limits; DNS lookups run on one Netty thread.
 */
public final class SipEdge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipEdge.class);

    /**
     * Threads that receive UDP and run the listener for what they receive (no hand-off between them:
     * {@code InlineUdpMessageProcessor}); the listener does not block, so a few keep both cores busy.
     */
    private static final int THREAD_POOL_SIZE = 2;

    /** RFC 3261 §17.1.1.1: T1, the round-trip time estimate, unless the edge's timers set another. */
    private static final Duration DEFAULT_T1 = Duration.ofMillis(500);

    /** How long an outbound TCP connect may take before the request fails with 503. */
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private final SipSettings settings;
    private final SipHandler handler;
    private final EdgeTimers timers;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Running running;
    /** The trust policy in force; {@link #updateTrust} replaces it while the edge runs. */
    private volatile SipTrust trust;

    public SipEdge(SipSettings settings, SipHandler handler) {
        this(settings, handler, EdgeTimers.DEFAULT);
    }

    SipEdge(SipSettings settings, SipHandler handler, EdgeTimers timers) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.trust = settings.trust();
    }

    /**
     * Replaces the trust policy of {@link SipSettings#trust()} (a configuration reload): requests
     * received from now on are checked against {@code newTrust}.
     */
    public void updateTrust(SipTrust newTrust) {
        this.trust = Objects.requireNonNull(newTrust, "newTrust");
    }

    /** The trust policy in force. */
    public SipTrust trust() {
        return trust;
    }

    /**
     * Creates the stack and its listening points, one per configured transport on the same port.
     *
     * @throws SipException if the edge was started or closed before, or a listening point cannot be
     *                      created (port in use, address not local)
     */
    public void start() {
        if (closed.get()) {
            throw new SipException("SIP edge is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new SipException("SIP edge already started");
        }
        Optional<SSLContext> tls = Optional.empty();
        if (settings.tls().isPresent()) {
            SipTls t = settings.tls().get();
            try {
                tls = Optional.of(TlsContexts.fromPem(t.privateKey(), t.certificateChain(), t.trustedCertificates()));
            } catch (IOException | GeneralSecurityException e) {
                throw new SipException("cannot load the TLS key and certificates: " + e.getMessage(), e);
            }
        }
        SipStackImpl stack;
        try {
            stack = new EdgeSipStack(properties(tls), tls, CONNECT_TIMEOUT_MS, settings.messageLimits());
        } catch (PeerUnavailableException e) {
            throw new SipException("cannot create the SIP stack: " + e.getMessage(), e);
        }
        stack.setTlsSecurityPolicy(new ServerIdentityPolicy());
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "isthmus-sip-timer-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        DnsLookup dns = null;
        try {
            List<ListeningPoint> points = new ArrayList<>();
            for (String transport : settings.transports()) {
                int port = settings.portOf(transport);
                try {
                    points.add(stack.createListeningPoint(settings.bindAddress(), port, transport));
                } catch (Exception e) {
                    throw new SipException("cannot listen on " + transport + " " + settings.bindAddress() + ":"
                            + port + ": " + rootMessage(e), e);
                }
            }
            SipProvider provider = stack.createSipProvider(points.get(0));
            for (ListeningPoint point : points.subList(1, points.size())) {
                provider.addListeningPoint(point);
            }
            MessageFactory messages = new MessageFactoryImpl();
            HeaderFactory headers = new HeaderFactoryImpl();
            AddressFactory addresses = new AddressFactoryImpl();
            Header userAgent = headers.createHeader("User-Agent", settings.userAgent());
            Header server = headers.createHeader("Server", settings.userAgent());
            dns = DnsLookup.of(settings.dns());
            // MESSAGE over UDP keeps its transaction in the edge (MessageFlights), not in JAIN-SIP.
            Optional<MessageFlights> flights = ((EdgeSipStack) stack).datagramSender()
                    .map(wire -> new MessageFlights(wire, scheduler, timers.retransmitT1().orElse(DEFAULT_T1),
                            MessageFlights.T4));
            UserAgentClient uac = new UserAgentClient(provider, (PinnedHopRouter) stack.getRouter(), messages,
                    headers, addresses, scheduler, timers, settings, sentByHost(), userAgent,
                    new ServerLocator(dns, settings.transports()), flights);
            Responder responder = new Responder(messages, scheduler, timers, server);
            PresenceClient presenceClient = new PresenceClient(uac, messages, headers, addresses, scheduler,
                    userAgent, Clock.systemUTC());
            PresenceServer presenceServer = new PresenceServer(responder, headers, presenceClient, uac, handler,
                    settings.presence(), Clock.systemUTC());
            MessageTransactions messageTransactions = new MessageTransactions(
                    ((EdgeSipStack) stack).datagramSender(), settings.messageLimits().maxMessageTransactions(),
                    timers.retransmitT1().orElse(DEFAULT_T1));
            // Timer J of every Completed MESSAGE transaction over UDP, checked once a second (RFC 3261 §17.2.2).
            scheduler.scheduleWithFixedDelay(messageTransactions::sweep, 1, 1, TimeUnit.SECONDS);
            UserAgentServer uas = new UserAgentServer(stack, provider, messages, headers, addresses, handler,
                    responder, presenceServer, settings, () -> trust, new DigestServer(settings.auth(), Clock.systemUTC()),
                    messageTransactions);
            provider.addSipListener(new Listener(uas, uac));
            stack.start();
            running = new Running(stack, scheduler, uac, presenceClient, dns, messageTransactions);
            LOG.info("SIP edge listening on {} port {}{} {}", settings.bindAddress(), settings.port(),
                    settings.tls().map(t -> " (TLS " + t.port() + ")").orElse(""), settings.transports());
        } catch (SipException e) {
            stop(stack, scheduler, dns);
            throw e;
        } catch (Exception e) {
            stop(stack, scheduler, dns);
            throw new SipException("cannot start the SIP edge on " + settings.bindAddress() + ":" + settings.port()
                    + ": " + rootMessage(e), e);
        }
    }

    /**
     * Sends a pager-mode MESSAGE (RFC 3428 §4) and completes with its final response: 2xx..6xx as
     * received; 408 if the transaction times out; 503 on a transport error (RFC 3261 §8.1.3.1). Never
     * completes exceptionally for network outcomes.
     *
     * <p>The request has the message's From (with a fresh tag), To, Call-ID (or a fresh one), CSeq
     * {@code n MESSAGE}, Max-Forwards 70, a Via with the advertised host and port, Content-Type, body,
     * Content-Language and Subject if present, and User-Agent.
     */
    public CompletableFuture<SipOutcome> sendMessage(SipPagerMessage message, SipTarget target) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(target, "target");
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(SipOutcome.of(
                    new SipStatus(503, "SIP edge not running")));
        }
        return r.uac.send(message, target);
    }

    /**
     * Sends a NOTIFY in a stored subscription dialog as notifier (RFC 6665 §4.2.2, RFC 3856 §6.7), built from
     * the value alone (RFC 3261 §12.2.1.1) so that any node, also one started after the dialog was made,
     * can send it. Its CSeq is {@code dialog.localCseq() + 1}; an {@code active} or {@code pending} state
     * without {@code expires} gets the seconds left on the dialog. Completes with the outcome and the
     * dialog to store; {@link NotifyOutcome#subscriptionGone()} (e.g. 481) means the watcher dropped the
     * subscription. Never completes exceptionally.
     *
     * @param document the PIDF body (RFC 3863), or empty for none
     */
    public CompletableFuture<NotifyOutcome> sendNotify(SubscriptionDialog dialog, SubscriptionState state,
                                                       Optional<PresenceDocument> document) {
        Objects.requireNonNull(dialog, "dialog");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(document, "document");
        if (dialog.role() != SubscriptionDialog.Role.NOTIFIER) {
            throw new IllegalArgumentException("NOTIFY is sent in a notifier's dialog");
        }
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(new NotifyOutcome(notRunning(), dialog));
        }
        return r.presence.notify(dialog, dialog.next().localCseq(), state, document);
    }

    /**
     * Sends a NOTIFY in a stored notifier dialog, as {@link #sendNotify(SubscriptionDialog, SubscriptionState,
     * Optional)}, whose body is an end-to-end secured PIDF (RFC 3923 §4.1, §8): the S/MIME object's octets
     * unchanged, under its own Content-Type ({@code multipart/signed} or {@code application/pkcs7-mime},
     * RFC 5751 §3.4, §3.5; RFC 3856 §6.7 and §9.1 let a NOTIFY be signed and encrypted with S/MIME).
     *
     * @param authenticationResults the gateway's signature check (RFC 8601 §2.2), sent as a header if given
     */
    public CompletableFuture<NotifyOutcome> sendNotify(SubscriptionDialog dialog, SubscriptionState state,
                                                       SecuredObject object, Optional<String> authenticationResults) {
        Objects.requireNonNull(dialog, "dialog");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(authenticationResults, "authenticationResults");
        if (dialog.role() != SubscriptionDialog.Role.NOTIFIER) {
            throw new IllegalArgumentException("NOTIFY is sent in a notifier's dialog");
        }
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(new NotifyOutcome(notRunning(), dialog));
        }
        return r.presence.notify(dialog, dialog.next().localCseq(), state, object, authenticationResults);
    }

    /**
     * Subscribes {@code watcher} to {@code presentity}'s presence (RFC 6665 §4.1.2.1, RFC 3856 §6): a
     * SUBSCRIBE with Event presence, Accept application/pidf+xml, Expires and Contact to {@code target}
     * (whose Request-URI is normally the presentity). On 2xx the outcome carries the new dialog to store;
     * NOTIFYs in it reach {@link SipHandler#onNotify}, the first possibly before this completes (RFC 6665
     * §4.1.2.4, see {@link org.isthmus.sip.presence.NotifyRequest#pending()}). Expires 0 is a fetch
     * (§4.4.3). A 423 is retried once with the notifier's Min-Expires. Never completes exceptionally.
     */
    public CompletableFuture<SubscribeOutcome> sendSubscribe(SipUri presentity, SipUri watcher, long expires,
                                                             SipTarget target) {
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(target, "target");
        requireExpires(expires);
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(new SubscribeOutcome(notRunning(), Optional.empty()));
        }
        return r.presence.subscribe(presentity, watcher, expires, target);
    }

    /**
     * Refreshes a stored subscriber dialog with a SUBSCRIBE in it (RFC 6665 §4.1.2.2), or ends it with
     * {@code expires} 0 (§4.1.2.3; the notifier's final NOTIFY then arrives at {@link SipHandler#onNotify}).
     * The outcome always carries the dialog with the CSeq used, and on 2xx the new expiry and target;
     * {@link SubscribeOutcome#subscriptionGone()} tells when the subscription is over. Never completes
     * exceptionally.
     */
    public CompletableFuture<SubscribeOutcome> refreshSubscribe(SubscriptionDialog dialog, long expires) {
        Objects.requireNonNull(dialog, "dialog");
        requireExpires(expires);
        if (dialog.role() != SubscriptionDialog.Role.SUBSCRIBER) {
            throw new IllegalArgumentException("a SUBSCRIBE refresh is sent in a subscriber's dialog");
        }
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(new SubscribeOutcome(notRunning(), Optional.of(dialog)));
        }
        return r.presence.refresh(dialog, expires);
    }

    /**
     * Publishes presence for {@code presentity} (RFC 3903 §4) to {@code target}: initial (a document, no
     * entity tag), refresh (entity tag, no document, §4.2), modify (both, §4.3) or remove (entity tag,
     * {@code expires} 0, §4.4). The outcome carries the new SIP-ETag and granted Expires on 2xx; on 412
     * the caller publishes again from scratch. A 423 is retried once with Min-Expires. Never completes
     * exceptionally.
     */
    public CompletableFuture<PublishOutcome> sendPublish(SipUri presentity, Optional<String> entityTag, long expires,
                                                         Optional<PresenceDocument> document, SipTarget target) {
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(entityTag, "entityTag");
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(target, "target");
        requireExpires(expires);
        if (entityTag.isEmpty() && document.isEmpty()) {
            throw new IllegalArgumentException("an initial PUBLISH carries a document (RFC 3903 §4.1)");
        }
        Running r = running;
        if (r == null || closed.get()) {
            return CompletableFuture.completedFuture(new PublishOutcome(notRunning(), Optional.empty(),
                    OptionalLong.empty()));
        }
        return r.presence.publish(presentity, entityTag, expires, document, target);
    }

    private static SipOutcome notRunning() {
        return SipOutcome.of(new SipStatus(503, "SIP edge not running"));
    }

    private static void requireExpires(long expires) {
        if (expires < 0 || expires > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expires out of range: " + expires);
        }
    }

    /**
     * Received MESSAGE transactions the edge holds now (RFC 3261 §17.2.2): waiting for the gateway's answer,
     * or answered over UDP and kept for Timer J; 0 when not running.
     */
    public int messageTransactionsHeld() {
        Running r = running;
        return r == null ? 0 : r.messageTransactions.size();
    }

    /**
     * MESSAGEs answered 503 since the edge started because {@link SipMessageLimits#maxMessageTransactions()}
     * transactions were held; 0 when not running.
     */
    public long messageTransactionsRefused() {
        Running r = running;
        return r == null ? 0 : r.messageTransactions.refused();
    }

    /** Whether the listening points are open: after {@link #start()} has succeeded and before {@link #close()}. */
    public boolean isListening() {
        return running != null;
    }

    /** Stops the stack (about a second) and completes every waiting send with 503; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Running r = running;
        running = null;
        if (r != null) {
            r.uac.closeAll();
            stop(r.stack, r.scheduler, r.dns);
            LOG.info("SIP edge on {}:{} closed", settings.bindAddress(), settings.port());
        }
    }

    private static void stop(SipStackImpl stack, ScheduledThreadPoolExecutor scheduler, DnsLookup dns) {
        scheduler.shutdownNow();
        if (dns != null) {
            dns.close();
        }
        try {
            stack.stop();
        } catch (RuntimeException e) {
            LOG.warn("SIP stack did not stop cleanly: {}", e.toString());
        }
    }

    /**
     * The stack properties; see DEPENDENCIES.md for why each is set. The TCP transport is JAIN-SIP's
     * classic blocking one, not {@code NioMessageProcessorFactory}: in 1.3.0-91 the NIO client opens a
     * second socket for the first request on a new connection and drops that request without an error
     * (RestComm/jain-sip#188, usnistgov/jsip#77), which the TCP scenario tests caught.
     */
    private Properties properties(Optional<SSLContext> tls) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "isthmus-" + settings.bindAddress() + "-" + settings.port());
        // Pager mode needs no dialogs; dialogs the edge will keep itself (DESIGN.md).
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.ROUTER_PATH", PinnedHopRouter.class.getName());
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty(Slf4jServerLogger.LOG_BODIES, Boolean.toString(settings.logBodies()));
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(THREAD_POOL_SIZE));
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        // RFC 3261 §18.3 leaves the largest message to the implementation; the edge's sockets refuse a
        // larger one with an answer first (GuardedNetworkLayer), this is the stack's own backstop (TLS).
        SipMessageLimits limits = settings.messageLimits();
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(limits.maxMessageBytes()));
        // Bounds on what TCP peers can hold: connections (each costs two threads with the blocking
        // transport), and the pause allowed inside one message.
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", Integer.toString(limits.maxTcpConnections()));
        p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", Long.toString(timers.tcpReadTimeout().toMillis()));
        p.setProperty("gov.nist.javax.sip.CONNECTION_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_MS));
        if (tls.isPresent()) {
            // A client certificate is asked for (so a peer can be trusted by it) but not required;
            // protocols and suites are JSSE's defaults, not the stack's outdated list.
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Want");
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES",
                    String.join(",", tls.get().getDefaultSSLParameters().getCipherSuites()));
            p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_MS));
        }
        return p;
    }

    /** The Via sent-by host: the advertised host, else the bind address unless it is a wildcard. */
    private String sentByHost() {
        if (settings.advertisedHost().isPresent()) {
            return settings.advertisedHost().get();
        }
        try {
            InetAddress bind = InetAddress.getByName(settings.bindAddress());
            if (bind.isAnyLocalAddress()) {
                String local = InetAddress.getLocalHost().getHostAddress();
                LOG.warn("SIP edge bound to a wildcard address without advertisedHost; advertising {}", local);
                return local;
            }
        } catch (UnknownHostException e) {
            LOG.warn("cannot resolve {}: {}", settings.bindAddress(), e.getMessage());
        }
        return settings.bindAddress();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** The parts that exist while the edge runs. */
    private record Running(SipStackImpl stack, ScheduledThreadPoolExecutor scheduler, UserAgentClient uac,
                           PresenceClient presence, DnsLookup dns, MessageTransactions messageTransactions) {
    }

    /** Routes JAIN-SIP events to the server and client halves; never lets an exception reach the stack. */
    private record Listener(UserAgentServer uas, UserAgentClient uac) implements SipListener {

        @Override
        public void processRequest(RequestEvent event) {
            try {
                uas.process(event);
            } catch (RuntimeException e) {
                LOG.error("request processing failed", e);
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            try {
                uac.response(event);
            } catch (RuntimeException e) {
                LOG.error("response processing failed", e);
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            uac.timeout(event);
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            uac.ioException(event);
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
            if (!event.isServerTransaction()) {
                uac.terminated(event);
            }
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
            // No dialogs: AUTOMATIC_DIALOG_SUPPORT is off and the edge creates none.
        }
    }
}
