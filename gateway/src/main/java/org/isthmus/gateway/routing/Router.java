package org.isthmus.gateway.routing;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.E2eSettings;
import org.isthmus.gateway.config.MessageSettings;
import org.isthmus.gateway.e2e.E2eGuard;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.gateway.metrics.GatewayMeters.Kind;
import org.isthmus.gateway.metrics.GatewayMeters.Outcome;
import org.isthmus.gateway.metrics.RecentErrors;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.SipStatusToXmpp;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.XmppErrorToSip;
import org.isthmus.mapping.message.CpimMessage;
import org.isthmus.mapping.message.CpimToSip;
import org.isthmus.mapping.message.CpimToXmpp;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.SipToCpim;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.message.XmppToCpim;
import org.isthmus.mapping.message.imdn.FailureReports;
import org.isthmus.gateway.presence.SubscriptionMirror;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipHandler;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipRegistration;
import org.isthmus.sip.SipTarget;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.xmpp.XmppHandler;

/**
 * Routes pager-mode messages between the edges (RFC 7572 §4, §5) and their failures back (RFC 7247 §7).
 *
 * <p>SIP to XMPP: the stanza goes out at once; the MESSAGE's final response waits up to the error
 * window for an XMPP error carrying the stanza's id. An error in the window becomes the RFC 7247
 * §7.1 status; otherwise the answer is 202 Accepted (RFC 3428 §7: accepted by a gateway, delivery not
 * yet known). An error after the window is logged with both ids.
 *
 * <p>XMPP to SIP: the MESSAGE goes to the recipient's registered contact, else the static route of its
 * domain; a failure status, a timeout or a missing route comes back as a {@code type='error'} message
 * with the RFC 7247 §7.2 condition.
 *
 * <p>End-to-end secured messages (RFC 3923 §8), an {@code <e2e/>} payload or an S/MIME MESSAGE
 * body, take the same paths with their object untouched, after the {@link E2eGuard} has looked at it.
 *
 * <p>Nothing accepted is dropped silently: a message still in its error window when the XMPP link it went
 * out on ends is answered 503, since XEP-0114 acknowledges nothing and the stanza may never have been read;
 * on shutdown ({@link #stopAccepting()}, {@link #drain}, {@link #failInFlight()}) new messages are
 * refused, those in flight finished or failed with an error to their sender.
 *
 * <p>Presence and subscriptions, both ways, go to the {@link SubscriptionMirror} once one is attached;
 * until then SUBSCRIBEs get 489 and NOTIFYs 481, as for a gateway without presence.
 */
public final class Router implements SipHandler, XmppHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /**
     * How long a SIP message answered 202 is remembered, so that a late XMPP error for it is reported to its
     * sender. Two minutes covers what makes an error late: an XMPP server that bounces a stanza it could
     * not deliver over server-to-server once its connection attempts time out (RFC 6120 §8.3.3.14,
     * {@code remote-server-timeout}), which takes tens of seconds. It costs about the size of the
     * message's addresses a message ({@link LateErrors}), not the message.
     */
    static final Duration LATE_ERROR_MEMORY = Duration.ofMinutes(2);

    private final AddressMapper addresses;
    /** The same rules with recent answers kept, for the translators on the message paths. */
    private final CachedAddresses recentAddresses;
    private final MessageSettings settings;
    private final Registrar registrar;
    private final Map<String, SipRoute> routes;
    private final Optional<SipRoute> defaultRoute;
    private final Function<XmppMessage, CompletableFuture<Void>> toXmpp;
    private final BiFunction<SipPagerMessage, SipTarget, CompletableFuture<SipOutcome>> toSip;
    private final ScheduledExecutorService timer;
    private final GatewayMeters meters;
    private final RecentErrors errors;
    private final E2eGuard e2e;
    private volatile SubscriptionMirror mirror;

    /** SIP messages relayed to XMPP whose final response waits for the error window. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** SIP messages already answered 202, remembered for {@link #LATE_ERROR_MEMORY}, packed. */
    private final LateErrors answered = new LateErrors();

    /**
     * How late past its deadline a window may close: the sweep that closes the windows due runs at most
     * this often, so one timer task closes every window that ends within a tick, instead of one task per
     * message (at thousands of messages a second, the per-message tasks and their heap of timers were
     * the single timer thread's work).
     */
    static final long SWEEP_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * Open error windows in the order they opened. Every window has the same length, so they end in
     * that order too, and the sweep only ever looks at the head.
     */
    private final Queue<Deadline> windows = new ConcurrentLinkedQueue<>();
    /** When the earliest scheduled sweep runs ({@link System#nanoTime()}), or {@link #NO_SWEEP}. */
    private final AtomicLong nextSweep = new AtomicLong(NO_SWEEP);
    private static final long NO_SWEEP = Long.MAX_VALUE;

    private record Pending(String stanzaId, long sequence, String callId, Jid recipient, SipPagerMessage original,
                           Instant since, CompletableFuture<XmppAnswer> response, String link) {
    }

    /**
     * How a SIP MESSAGE relayed to XMPP fared: the final status for its sender, and the XMPP error that
     * caused it, if one came back within the error window.
     *
     * @param status   the final SIP status (202 when no error came back in the window)
     * @param error    the XMPP error, if one came back
     * @param stanzaId the id of the stanza sent, if it was translated
     * @param sent     whether the stanza was handed to the XMPP stream
     */
    record XmppAnswer(SipStatus status, Optional<StanzaError> error, Optional<String> stanzaId, boolean sent) {
    }

    /** When {@code pending} is due, on {@link System#nanoTime()}'s clock. */
    private record Deadline(long due, Pending pending) {
    }

    /** XMPP messages handed to SIP whose final response has not come yet, by a number of their own. */
    private final Map<Long, XmppMessage> sending = new ConcurrentHashMap<>();
    private final AtomicLong sendingNumbers = new AtomicLong();
    /** Set by {@link #stopAccepting()}: new messages are refused from then on. */
    private volatile boolean stopping;
    /** Set by {@link #relayWhileLinksClose()}: an XMPP message can no longer be refused, so it is relayed. */
    private volatile boolean linksClosing;

    /**
     * A SIP MESSAGE relayed to XMPP whose final response is still waiting for the error window.
     *
     * @param stanzaId  the id of the stanza sent for it
     * @param callId    the MESSAGE's Call-ID
     * @param sender    the SIP sender
     * @param recipient the XMPP recipient
     * @param since     when it arrived
     */
    public record InFlight(String stanzaId, String callId, String sender, String recipient, Instant since) {
    }

    /**
     * A conversation seen lately: RFC 7572 keeps it in the XMPP {@code <thread/>} and the SIP Call-ID,
     * which the translators map onto each other.
     *
     * @param thread       the thread (or Call-ID)
     * @param xmppParty    the XMPP user's bare JID
     * @param sipParty     the SIP user's address
     * @param messages     messages seen in it, both ways
     * @param lastActivity when the last one crossed
     */
    public record Conversation(String thread, String xmppParty, String sipParty, long messages, Instant lastActivity) {
    }

    /** How many conversations the session view remembers, the least recently active forgotten first. */
    static final int CONVERSATIONS_KEPT = 10_000;

    private final Map<String, Seen> conversations = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > CONVERSATIONS_KEPT;
        }
    };

    /** Message-IDs of failure reports: RFC 5438 §6.3 asks for at least 64 random bits. */
    private static final SecureRandom IDS = new SecureRandom();

    /** {@code isth-}, 72 random bits of this router, and a dash: ids differ across restarts and nodes. */
    private final String stanzaIdPrefix;
    private final AtomicLong stanzaSequence = new AtomicLong();

    /**
     * @param addresses the address rules
     * @param settings  message settings (error window, size limit)
     * @param registrar the location service for SIP users
     * @param routes    how each SIP domain's users are reached when not registered here
     * @param defaultRoute how users of other SIP domains are reached, if at all
     * @param toXmpp    sends a stanza on the XMPP edge; fails at once when the link is down
     * @param toSip     sends a MESSAGE on the SIP edge and completes with its final response
     * @param timer     runs the error-window timers
     */
    public Router(AddressMapper addresses, MessageSettings settings, Registrar registrar, Map<String, SipRoute> routes,
                  Optional<SipRoute> defaultRoute,
                  Function<XmppMessage, CompletableFuture<Void>> toXmpp,
                  BiFunction<SipPagerMessage, SipTarget, CompletableFuture<SipOutcome>> toSip,
                  ScheduledExecutorService timer) {
        this(addresses, settings, registrar, routes, defaultRoute, toXmpp, toSip, timer, GatewayMeters.none(),
                new RecentErrors());
    }

    /**
     * A router that counts the messages it relays, by direction and outcome, times their translation,
     * and keeps the last errors.
     *
     * @param meters where the counts and timings go
     * @param errors where each refused or failed message is noted, for the status page
     * @see #Router(AddressMapper, MessageSettings, Registrar, Map, Optional, Function, BiFunction, ScheduledExecutorService)
     */
    public Router(AddressMapper addresses, MessageSettings settings, Registrar registrar, Map<String, SipRoute> routes,
                  Optional<SipRoute> defaultRoute,
                  Function<XmppMessage, CompletableFuture<Void>> toXmpp,
                  BiFunction<SipPagerMessage, SipTarget, CompletableFuture<SipOutcome>> toSip,
                  ScheduledExecutorService timer, GatewayMeters meters, RecentErrors errors) {
        this(addresses, settings, registrar, routes, defaultRoute, toXmpp, toSip, timer, meters, errors,
                new E2eGuard(E2eSettings.off(), addresses, addresses.componentDomain(), meters));
    }

    /**
     * A router that also checks end-to-end secured messages as {@code e2e} says.
     *
     * @param e2e what looks at end-to-end secured messages before they cross
     */
    public Router(AddressMapper addresses, MessageSettings settings, Registrar registrar, Map<String, SipRoute> routes,
                  Optional<SipRoute> defaultRoute,
                  Function<XmppMessage, CompletableFuture<Void>> toXmpp,
                  BiFunction<SipPagerMessage, SipTarget, CompletableFuture<SipOutcome>> toSip,
                  ScheduledExecutorService timer, GatewayMeters meters, RecentErrors errors, E2eGuard e2e) {
        this.e2e = e2e;
        this.addresses = addresses;
        this.recentAddresses = new CachedAddresses(addresses);
        this.settings = settings;
        this.registrar = registrar;
        this.routes = Map.copyOf(routes);
        this.defaultRoute = defaultRoute;
        this.toXmpp = toXmpp;
        this.toSip = toSip;
        this.timer = timer;
        this.meters = meters;
        this.errors = errors;
        byte[] random = new byte[9];
        IDS.nextBytes(random);
        this.stanzaIdPrefix = "isth-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "-";
    }

    // ---- From SIP to XMPP -------------------------------------------------------------------------

    @Override
    public CompletionStage<SipStatus> onMessage(SipPagerMessage message) {
        return relayToXmpp(message).thenApply(XmppAnswer::status);
    }

    /** {@link #onMessage(SipPagerMessage)}, with the XMPP error behind a failure status. */
    CompletionStage<XmppAnswer> relayToXmpp(SipPagerMessage message) {
        String callId = message.callId().orElse("-");
        if (stopping) {
            // RFC 3261 §21.5.4: the gateway is going down; the sender may try again (another node, or later).
            meters.messageFromSip(Outcome.REFUSED, 503);
            errors.record(Direction.SIP_TO_XMPP, message.callId(), Optional.empty(), message.from().toString(),
                    Optional.empty(), Optional.of(503), "the gateway is shutting down");
            LOG.info("sip->xmpp refused call-id={} from={} status=503: shutting down", callId, message.from());
            return CompletableFuture.completedFuture(new XmppAnswer(new SipStatus(503, "Gateway shutting down"),
                    Optional.empty(), Optional.empty(), false));
        }
        long translating = System.nanoTime();
        long sequence = stanzaSequence.incrementAndGet();
        String stanzaId = stanzaIdPrefix + Long.toString(sequence, 36);
        Mapped<XmppMessage> stanza = toXmppMessage(message, stanzaId);
        meters.translated(Kind.MESSAGE, Direction.SIP_TO_XMPP, translating);
        if (stanza instanceof Mapped.Failed<XmppMessage> failed) {
            SipStatus status = sipStatusFor(failed.rejected());
            meters.messageFromSip(Outcome.REFUSED, status.code());
            errors.record(Direction.SIP_TO_XMPP, message.callId(), Optional.empty(), message.from().toString(),
                    Optional.of(failed.rejected().condition()), Optional.of(status.code()), failed.rejected().text());
            LOG.info("sip->xmpp refused call-id={} from={} to={} status={} reason={}", callId, message.from(),
                    message.requestUri(), status.code(), failed.rejected().text());
            return CompletableFuture.completedFuture(new XmppAnswer(status, Optional.empty(), Optional.empty(), false));
        }
        XmppMessage out = stanza.orThrow();
        Pending p = new Pending(stanzaId, sequence, callId, out.to(), message, Instant.now(), new CompletableFuture<>(),
                out.from().domain());
        if (out.thread().isPresent()) {
            noteConversation(out.thread().get(), out.to(), message.from());
        }
        pending.put(stanzaId, p);
        toXmpp.apply(out).whenComplete((ok, error) -> {
            if (error != null) {
                if (pending.remove(stanzaId, p)) {
                    LOG.warn("sip->xmpp not sent call-id={} id={}: {}", callId, stanzaId, rootMessage(error));
                    meters.messageFromSip(Outcome.FAILED, 503);
                    errors.record(Direction.SIP_TO_XMPP, message.callId(), Optional.of(stanzaId),
                            message.from().toString(), Optional.empty(), Optional.of(503), rootMessage(error));
                    p.response().complete(new XmppAnswer(new SipStatus(503, "XMPP service unreachable"),
                            Optional.empty(), Optional.of(stanzaId), false));
                }
                return;
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("sip->xmpp sent call-id={} id={} to={}", callId, stanzaId, out.to());
            }
            long due = System.nanoTime() + settings.errorWindow().toNanos();
            windows.add(new Deadline(due, p));
            sweepBy(due);
        });
        return p.response();
    }

    /**
     * Makes sure a sweep runs by {@code due} (or one tick from now, whichever is later): schedules one
     * unless one is already due by then. A sweep schedules the next for what is left.
     */
    private void sweepBy(long due) {
        long now = System.nanoTime();
        long at = due - now < SWEEP_TICK_NANOS ? now + SWEEP_TICK_NANOS : due;
        while (true) {
            long scheduled = nextSweep.get();
            if (scheduled != NO_SWEEP && scheduled - at <= SWEEP_TICK_NANOS) {
                return;
            }
            if (nextSweep.compareAndSet(scheduled, at)) {
                break;
            }
        }
        try {
            timer.schedule(() -> sweep(at), at - now, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: drain() has answered what it could; the links' close ends the rest.
            nextSweep.compareAndSet(at, NO_SWEEP);
        }
    }

    /** Closes every error window and forgets every answered message that is due, then schedules the next sweep. */
    private void sweep(long at) {
        nextSweep.compareAndSet(at, NO_SWEEP);
        long nextMemory = NO_SWEEP;
        try {
            long now = System.nanoTime();
            for (Deadline d = windows.peek(); d != null && d.due() - now <= 0; d = windows.peek()) {
                windows.poll();
                try {
                    closeWindow(d.pending(), now);
                } catch (RuntimeException e) {
                    // One message's failure must not leave the windows behind it open.
                    LOG.error("sip->xmpp closing the error window failed call-id={} id={}", d.pending().callId(),
                            d.pending().stanzaId(), e);
                }
            }
            nextMemory = answered.expire(now, NO_SWEEP);
        } finally {
            Deadline window = windows.peek();
            if (window != null) {
                sweepBy(window.due());
            }
            if (nextMemory != NO_SWEEP) {
                sweepBy(nextMemory);
            }
        }
    }

    /** The error window has passed without an error: accepted (RFC 3428 §7, 202 from a gateway). */
    private void closeWindow(Pending p, long now) {
        if (pending.remove(p.stanzaId(), p)) {
            SipPagerMessage m = p.original();
            boolean cpim = m.contentType().is("message", "cpim");
            // Only what the late report needs (FailureReports.forLateError): a message/cpim body may ask
            // for an IMDN (RFC 5438 §7.2.1); of any other, the sender, the address and the subject.
            answered.remember(p.sequence(), now + LATE_ERROR_MEMORY.toNanos(), new LateErrors.Remembered(p.callId(),
                    p.recipient().bare().toString(), m.from().toString(), m.requestUri().toString(), m.subject(),
                    cpim ? Optional.of(m.contentType().toString()) : Optional.empty(),
                    cpim ? m.body() : NO_BODY));
            meters.messageFromSip(Outcome.ACCEPTED, 202);
            p.response().complete(new XmppAnswer(SipStatus.of(202), Optional.empty(), Optional.of(p.stanzaId()), true));
            // One line per message at INFO was the hottest logging of the gateway under load (bench/README.md);
            // the count is in the meters (isthmus.messages, outcome=accepted).
            if (LOG.isDebugEnabled()) {
                LOG.debug("sip->xmpp accepted call-id={} id={} to={}", p.callId(), p.stanzaId(), p.recipient());
            }
        }
    }

    /** An XMPP error reply to a stanza this gateway sent for a SIP MESSAGE (RFC 6120 §8.2). */
    private void onXmppError(XmppMessage error) {
        StanzaError e = error.error().orElseThrow();
        String id = error.id().orElse("");
        Pending p = pending.get(id);
        if (p != null && error.from().bare().equals(p.recipient().bare()) && pending.remove(id, p)) {
            SipStatus status = XmppErrorToSip.statusFor(e, !p.recipient().isBare());
            LOG.info("sip->xmpp failed call-id={} id={} condition={} status={}", p.callId(), id,
                    e.condition().elementName(), status.code());
            meters.messageFromSip(Outcome.FAILED, status.code());
            errors.record(Direction.SIP_TO_XMPP, p.original().callId(), Optional.of(id), p.original().from().toString(),
                    Optional.of(e.condition()), Optional.of(status.code()), "the XMPP side answered with an error"
                            + e.text().map(t -> ": " + t).orElse(""));
            p.response().complete(new XmppAnswer(status, Optional.of(e), Optional.of(id), true));
            return;
        }
        Optional<LateErrors.Remembered> remembered = sequenceOf(id).isPresent()
                ? answered.take(sequenceOf(id).getAsLong(), error.from().bare().toString()) : Optional.empty();
        if (remembered.isPresent()) {
            LateErrors.Remembered late = remembered.get();
            LOG.info("sip->xmpp late error after 202 call-id={} id={} from={} condition={} text={}", late.callId(), id,
                    error.from(), e.condition().elementName(), e.text().orElse(""));
            errors.record(Direction.SIP_TO_XMPP, callIdOf(late), Optional.of(id),
                    late.from(), Optional.of(e.condition()), Optional.empty(),
                    "error after 202 Accepted, reported to the sender" + e.text().map(t -> ": " + t).orElse(""));
            reportLateError(late, e);
            return;
        }
        LOG.info("xmpp error for no message in flight id={} from={} to={} condition={}", id, error.from(), error.to(),
                e.condition().elementName());
    }

    /**
     * Tells the SIP sender that a message answered 202 was not delivered after all: an RFC 5438 IMDN
     * negative-delivery report if the message asked for one (§12.2), else a plain MESSAGE from the
     * recipient's address that says what failed.
     */
    private void reportLateError(LateErrors.Remembered late, StanzaError error) {
        byte[] random = new byte[12];
        IDS.nextBytes(random);
        String messageId = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // The message as far as FailureReports reads it: sender, Request-URI, subject, and a CPIM body that
        // may ask for an IMDN; the addresses were remembered in their canonical form, which parses back.
        Mapped<SipUri> from = SipUri.parse(late.from());
        Mapped<SipUri> requestUri = SipUri.parse(late.requestUri());
        Mapped<MediaType> type = late.contentType().map(MediaType::parse).orElse(Mapped.ok(MediaType.TEXT_PLAIN_UTF8));
        if (!from.isOk() || !requestUri.isOk() || !type.isOk()) {
            LOG.warn("sip->xmpp late error not reported call-id={}: remembered addresses {} {} do not parse",
                    late.callId(), late.from(), late.requestUri());
            return;
        }
        SipPagerMessage original = new SipPagerMessage(from.orThrow(), requestUri.orThrow(), requestUri.orThrow(),
                callIdOf(late), type.orThrow(), late.body(), Optional.empty(), late.subject());
        SipPagerMessage report = FailureReports.forLateError(original, original.requestUri(), error,
                Instant.now(), messageId);
        Mapped<SipTarget> target = route(report.requestUri());
        if (target instanceof Mapped.Failed<SipTarget> failed) {
            LOG.info("sip->xmpp late error not reported call-id={}: {}", late.callId(), failed.rejected().text());
            return;
        }
        toSip.apply(report, target.orThrow()).whenComplete((outcome, failure) -> {
            if (failure != null || !outcome.status().isSuccess()) {
                LOG.info("sip->xmpp late error report to {} failed call-id={}: {}", report.requestUri(), late.callId(),
                        failure != null ? rootMessage(failure) : outcome.status().code());
            } else {
                LOG.info("sip->xmpp late error reported to {} call-id={} as {}", report.requestUri(), late.callId(),
                        report.contentType());
            }
        });
    }

    // ---- From XMPP to SIP -------------------------------------------------------------------------

    @Override
    public void onMessage(XmppMessage message) {
        if (message.type() == MessageType.ERROR) {
            onXmppError(message);
            return;
        }
        String id = message.id().orElse("-");
        if (message.e2e().isEmpty() && message.body().isEmpty()) {
            // Chat states and receipts without a body have no pager-mode equivalent (RFC 7573 maps them
            // inside chat sessions, not to MESSAGE); there is nothing to relay and nothing to report.
            LOG.debug("xmpp->sip nothing to relay id={} from={}: no body", id, message.from());
            return;
        }
        long translating = System.nanoTime();
        Mapped<SipPagerMessage> translated = toSipMessage(message);
        meters.translated(Kind.MESSAGE, Direction.XMPP_TO_SIP, translating);
        if (translated instanceof Mapped.Failed<SipPagerMessage> failed) {
            meters.messageFromXmpp(Outcome.REFUSED, Optional.of(failed.rejected().condition()));
            replyError(message, StanzaError.of(failed.rejected().condition(), failed.rejected().text()),
                    Optional.empty(), Optional.empty());
            return;
        }
        SipPagerMessage out = translated.orThrow();
        Mapped<SipTarget> target = route(out.requestUri());
        if (target instanceof Mapped.Failed<SipTarget> failed) {
            meters.messageFromXmpp(Outcome.REFUSED, Optional.of(failed.rejected().condition()));
            replyError(message, StanzaError.of(failed.rejected().condition(), failed.rejected().text()),
                    Optional.empty(), Optional.empty());
            return;
        }
        SipTarget t = target.orThrow();
        if (stopping && !linksClosing) {
            // Refused while the link can still carry the error: the same condition Prosody gives once a
            // component is gone (RFC 6120 §8.3.3.14, wait: the sender may retry).
            meters.messageFromXmpp(Outcome.REFUSED, Optional.of(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT));
            replyError(message, StanzaError.of(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT, "the gateway is shutting down"),
                    Optional.empty(), Optional.empty());
            return;
        }
        long number = sendingNumbers.incrementAndGet();
        sending.put(number, message);
        if (message.thread().isPresent()) {
            noteConversation(message.thread().get(), message.from(), out.requestUri());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("xmpp->sip sending id={} from={} to={} via={}", id, out.from(), t.requestUri(), t.nextHop());
        }
        toSip.apply(out, t).whenComplete((outcome, error) -> {
            if (sending.remove(number) == null) {
                // Shutdown has already answered it (failInFlight).
                LOG.info("xmpp->sip outcome after shutdown failed it id={} to={}", id, t.requestUri());
                return;
            }
            if (error != null) {
                LOG.warn("xmpp->sip failed id={} to={}: {}", id, t.requestUri(), rootMessage(error));
                meters.messageFromXmpp(Outcome.FAILED, Optional.of(StanzaErrorCondition.INTERNAL_SERVER_ERROR));
                replyError(message, StanzaError.of(StanzaErrorCondition.INTERNAL_SERVER_ERROR, "gateway failure"),
                        out.callId(), Optional.empty());
            } else if (outcome.status().isSuccess()) {
                // Counted in the meters; a line per delivered message is DEBUG (bench/README.md).
                if (LOG.isDebugEnabled()) {
                    LOG.debug("xmpp->sip delivered id={} to={} status={}", id, t.requestUri(), outcome.status().code());
                }
                meters.messageFromXmpp(Outcome.DELIVERED, Optional.empty());
            } else {
                LOG.info("xmpp->sip failed id={} to={} status={} {}", id, t.requestUri(), outcome.status().code(),
                        outcome.status().reason());
                StanzaError mapped = SipStatusToXmpp.errorFor(outcome.status(), outcome.contact());
                meters.messageFromXmpp(Outcome.FAILED, Optional.of(mapped.condition()));
                replyError(message, mapped, out.callId(), Optional.of(outcome.status().code()));
            }
        });
    }

    /** RFC 7572 §4: the MESSAGE for an XMPP message, through the CPIM layer. */
    Mapped<SipPagerMessage> toSipMessage(XmppMessage message) {
        Mapped<SipPagerMessage> translated;
        if (message.e2e().isPresent()) {
            translated = XmppToCpim.translateSecured(message, recentAddresses, settings.maxBodyBytes())
                    .then(s -> e2e.inspect(s, Direction.XMPP_TO_SIP)
                            .map(tag -> CpimToSip.translate(s, recentAddresses, tag)));
        } else {
            translated = XmppToCpim.translate(message, recentAddresses, settings.maxBodyBytes())
                    .map(c -> CpimToSip.translate(c, recentAddresses, settings.multilingual(), settings.maxBodyBytes()));
        }
        return translated;
    }

    /** RFC 7572 §5: the stanza a SIP MESSAGE becomes, through the CPIM layer, as it would be sent now. */
    Mapped<XmppMessage> toXmppMessage(SipPagerMessage message, String stanzaId) {
        Mapped<XmppMessage> stanza;
        if (SecuredObject.isSecured(message.contentType())) {
            stanza = SipToCpim.translateSecured(message, recentAddresses, settings.maxBodyBytes())
                    .then(s -> e2e.inspect(s, Direction.SIP_TO_XMPP)
                            .then(tag -> CpimToXmpp.translate(s, recentAddresses, stanzaId, tag)));
        } else {
            Mapped<CpimMessage> cpim = SipToCpim.translate(message, recentAddresses, settings.maxBodyBytes());
            stanza = cpim.then(c -> CpimToXmpp.translate(c, recentAddresses, stanzaId));
        }
        return stanza;
    }

    /** Sends a MESSAGE on the SIP edge, with no error reply to anyone: the caller reports the outcome. */
    CompletableFuture<SipOutcome> sendToSip(SipPagerMessage message, SipTarget target) {
        return toSip.apply(message, target);
    }

    /** The address rules this router maps with. */
    AddressMapper addresses() {
        return addresses;
    }

    /** Whether a SIP user's address has a binding in the registrar (RFC 3261 §10). */
    boolean isRegistered(SipUri user) {
        return !registrar.lookup(user).isEmpty();
    }

    /** The longest a SIP message relayed to XMPP waits for an XMPP error. */
    Duration errorWindow() {
        return settings.errorWindow();
    }

    /**
     * Where a MESSAGE for a SIP user goes: the most recently registered contact of the user (RFC 3261
     * §10: the contact becomes the Request-URI); for a registrar domain nothing else; otherwise the
     * domain's route (a next hop, an outbound proxy, or RFC 3263), else the default route.
     */
    public Mapped<SipTarget> route(SipUri recipient) {
        List<Registrar.Binding> contacts = registrar.lookup(recipient);
        if (!contacts.isEmpty()) {
            return Mapped.ok(new SipTarget(contacts.get(0).contact(), Optional.empty()));
        }
        if (registrar.serves(recipient.host())) {
            return Mapped.rejected(StanzaErrorCondition.RECIPIENT_UNAVAILABLE,
                    recipient.addressOfRecord() + " is not registered");
        }
        Optional<SipRoute> route = Optional.ofNullable(routes.get(recipient.host())).or(() -> defaultRoute);
        if (route.isPresent()) {
            SipRoute r = route.get();
            if (r instanceof SipRoute.Hop h) {
                return Mapped.ok(SipTarget.via(recipient, h.hop()));
            }
            if (r instanceof SipRoute.OutboundProxy p) {
                return Mapped.ok(SipTarget.viaOutboundProxy(recipient, p.proxy()));
            }
            return Mapped.ok(SipTarget.direct(recipient));
        }
        return Mapped.rejected(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                "no route to SIP domain " + recipient.host());
    }

    /**
     * Answers an XMPP message that could not be relayed with an error (RFC 6120 §8.2) and notes it.
     *
     * @param callId the Call-ID of the MESSAGE sent for it, if one was sent
     * @param status the SIP status that MESSAGE got, if any
     */
    private void replyError(XmppMessage original, StanzaError error, Optional<String> callId, Optional<Integer> status) {
        errors.record(Direction.XMPP_TO_SIP, callId, original.id(), original.from().toString(),
                Optional.of(error.condition()), status, error.text().orElse(""));
        LOG.info("xmpp->sip refused id={} from={} to={} condition={} text={}", original.id().orElse("-"),
                original.from(), original.to(), error.condition().elementName(), error.text().orElse(""));
        toXmpp.apply(original.errorReply(error)).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.warn("error reply not sent id={} to={}: {}", original.id().orElse("-"), original.from(), rootMessage(e));
            }
        });
    }

    @Override
    public void onLinkStateChanged(String domain, boolean up, String reason) {
        LOG.info("xmpp link {} {}: {}", domain, up ? "up" : "down", reason);
        if (!up) {
            failInWindow(domain);
        }
        SubscriptionMirror m = mirror;
        if (up && m != null) {
            m.onXmppLinkUp();
        }
    }

    /**
     * Answers 503 to the SIP messages still in their error window that went out on the link of
     * {@code domain}, which has just ended: XEP-0114 (like RFC 6120 without XEP-0198) acknowledges no
     * stanza, and an error for them can no longer come back, so whether the server read them is unknown.
     * A 202 would promise what nobody can know; the error lets the sender try again (RFC 3261 §21.5.4).
     */
    private void failInWindow(String domain) {
        for (Pending p : pending.values()) {
            if (p.link().equals(domain) && pending.remove(p.stanzaId(), p)) {
                LOG.warn("sip->xmpp link lost in the error window call-id={} id={} to={}: answering 503", p.callId(),
                        p.stanzaId(), p.recipient());
                meters.messageFromSip(Outcome.FAILED, 503);
                errors.record(Direction.SIP_TO_XMPP, p.original().callId(), Optional.of(p.stanzaId()),
                        p.original().from().toString(), Optional.empty(), Optional.of(503),
                        "the XMPP link ended in the error window");
                p.response().complete(new XmppAnswer(new SipStatus(503, "XMPP link lost before delivery was known"),
                        Optional.empty(), Optional.of(p.stanzaId()), true));
            }
        }
    }

    // ---- Shutdown ----------------------------------------------------------------------------------

    /**
     * The first step of a graceful shutdown: from now on a new SIP MESSAGE is answered 503 and a new
     * XMPP message gets a {@code remote-server-timeout} error, while those in flight carry on.
     */
    public void stopAccepting() {
        stopping = true;
    }

    /**
     * The links are about to close: an XMPP message read from now on (the server sent it before it read
     * our closing tag, RFC 6120 §4.4) can no longer be answered with an error, so it is relayed to SIP.
     */
    public void relayWhileLinksClose() {
        linksClosing = true;
    }

    /**
     * Fails what is still in flight after {@link #drain}: an XMPP message whose SIP final response has
     * not come gets a {@code remote-server-timeout} error (RFC 7247 §7.2 gives a SIP timeout that
     * condition), a SIP message still in its window a 503. Call while the links are still up.
     *
     * @return how many were failed
     */
    public int failInFlight() {
        int failed = 0;
        for (Long number : List.copyOf(sending.keySet())) {
            XmppMessage message = sending.remove(number);
            if (message != null) {
                failed++;
                meters.messageFromXmpp(Outcome.FAILED, Optional.of(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT));
                replyError(message, StanzaError.of(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT,
                        "the gateway stopped before the SIP side answered"), Optional.empty(), Optional.empty());
            }
        }
        for (Pending p : pending.values()) {
            if (pending.remove(p.stanzaId(), p)) {
                failed++;
                meters.messageFromSip(Outcome.FAILED, 503);
                errors.record(Direction.SIP_TO_XMPP, p.original().callId(), Optional.of(p.stanzaId()),
                        p.original().from().toString(), Optional.empty(), Optional.of(503), "the gateway is shutting down");
                p.response().complete(new XmppAnswer(new SipStatus(503, "Gateway shutting down"),
                        Optional.empty(), Optional.of(p.stanzaId()), true));
            }
        }
        return failed;
    }

    // ---- Presence ----------------------------------------------------------------------------------

    /** Hands presence and subscriptions to {@code presenceMirror} from now on; call before the edges start. */
    public void attach(SubscriptionMirror presenceMirror) {
        this.mirror = presenceMirror;
    }

    @Override
    public void onPresence(XmppPresence presence) {
        SubscriptionMirror m = mirror;
        if (m == null) {
            return;
        }
        if (presence.e2e().isPresent() && presence.type() != PresenceType.ERROR) {
            securedPresence(m, presence, presence.e2e().get());
        } else {
            m.onPresence(presence);
        }
    }

    /**
     * RFC 3923 §4.1, §8: a directed presence with a secured PIDF crosses as that object, after the
     * {@link E2eGuard} has looked at it (its entity must be the sender, RFC 3863 §4.1.1), in a NOTIFY to
     * the contact it is addressed to; a refusal goes back to the sender as an error presence.
     */
    private void securedPresence(SubscriptionMirror m, XmppPresence presence, E2ePayload payload) {
        Mapped<SecuredObject> object = SecuredObject.fromE2e(payload.text(), settings.maxBodyBytes());
        Mapped<Optional<String>> checked = object.then(o -> addresses.fromJid(presence.from())
                .then(from -> addresses.fromJid(presence.to())
                        .then(to -> e2e.inspectPresence(from, to, o, Direction.XMPP_TO_SIP))));
        if (checked instanceof Mapped.Failed<Optional<String>> failed) {
            m.refuseSecured(presence, failed.rejected());
            return;
        }
        m.onSecuredPresence(presence, object.orThrow(), checked.orThrow());
    }

    @Override
    public void onSubscription(XmppSubscription subscription) {
        SubscriptionMirror m = mirror;
        if (m != null) {
            m.onSubscription(subscription);
        }
    }

    @Override
    public CompletionStage<SubscribeDecision> onSubscribe(SubscribeRequest request) {
        SubscriptionMirror m = mirror;
        return m == null ? SipHandler.super.onSubscribe(request) : m.onSubscribe(request);
    }

    @Override
    public CompletionStage<SipStatus> onNotify(NotifyRequest request) {
        SubscriptionMirror m = mirror;
        if (m == null) {
            return SipHandler.super.onNotify(request);
        }
        if (request.secured().isEmpty()) {
            return m.onNotify(request);
        }
        // RFC 3923 §8: a secured PIDF goes to the watcher in <e2e/>, unread, once the E2eGuard has checked
        // its entity against the NOTIFY's From (RFC 3863 §4.1.1) and, if configured, its signature.
        SecuredObject object = request.secured().get();
        Mapped<Optional<String>> checked = addresses.fromSip(request.presentity().orElseThrow())
                .then(from -> addresses.fromSip(request.watcher().orElseThrow())
                        .then(to -> e2e.inspectPresence(from, to, object, Direction.SIP_TO_XMPP)));
        if (checked instanceof Mapped.Failed<Optional<String>> failed) {
            LOG.info("presence: secured NOTIFY from={} refused: {}", request.presentity().get(),
                    failed.rejected().condition());
            return CompletableFuture.completedFuture(sipStatusFor(failed.rejected()));
        }
        return m.onNotify(request, Optional.of(new E2ePayload(object.toE2e(), checked.orThrow())));
    }

    // ---- Registrar -------------------------------------------------------------------------------

    @Override
    public CompletionStage<RegisterOutcome> onRegister(SipRegistration registration) {
        return registrar.registerDurably(registration);
    }

    // ---- Session view ------------------------------------------------------------------------------

    /**
     * A conversation as the session view keeps it while messages cross: the parties as they came, made
     * text only when the view is read, since every SIP message carries a new Call-ID and so a new
     * conversation (issue 7: no strings and no record per message for a view read rarely).
     */
    private static final class Seen {
        Jid xmppParty;
        SipUri sipParty;
        long messages;
        long lastActivityMillis;
    }

    private void noteConversation(String thread, Jid xmppParty, SipUri sipParty) {
        long now = System.currentTimeMillis();
        synchronized (conversations) {
            Seen c = conversations.get(thread);
            if (c == null) {
                c = new Seen();
                conversations.put(thread, c);
            }
            c.xmppParty = xmppParty;
            c.sipParty = sipParty;
            c.messages++;
            c.lastActivityMillis = now;
        }
    }

    /**
     * Waits, at most {@code max}, until no SIP message waits for the error window any more and no XMPP
     * message waits for its SIP final response: on shutdown, every message already handed to the other
     * side gets its final answer before the links close.
     *
     * @return whether none is left
     */
    public boolean drain(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!(pending.isEmpty() && sending.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return pending.isEmpty() && sending.isEmpty();
    }

    /** The SIP messages whose final response waits for the error window, oldest first. */
    public List<InFlight> inFlight() {
        return pending.values().stream().sorted(Comparator.comparing(Pending::since))
                .map(p -> new InFlight(p.stanzaId(), p.callId(), p.original().from().addressOfRecord().toString(),
                        p.recipient().toString(), p.since()))
                .toList();
    }

    /** The conversations seen lately, the most recently active first. */
    public List<Conversation> conversations() {
        List<Conversation> out = new ArrayList<>();
        synchronized (conversations) {
            conversations.forEach((thread, c) -> out.add(new Conversation(thread, c.xmppParty.bare().toString(),
                    c.sipParty.addressOfRecord().toString(), c.messages, Instant.ofEpochMilli(c.lastActivityMillis))));
        }
        Collections.reverse(out);
        return List.copyOf(out);
    }

    // ---- Helpers ---------------------------------------------------------------------------------

    /** A SIP status for a mapping failure: the exact one if SIP prescribes it, else RFC 7247 §7.1. */
    static SipStatus sipStatusFor(Rejected rejected) {
        return rejected.sipStatus().orElseGet(() ->
                XmppErrorToSip.statusFor(StanzaError.of(rejected.condition(), rejected.text()), false));
    }

    /**
     * A stanza id: this process's random prefix and a sequence number. Unique without a
     * {@code SecureRandom} call per message (bench/README.md, hot spot 5); an error for someone else's
     * message cannot be faked by guessing it, since {@link #onXmppError} also requires the error to come
     * from the message's recipient (RFC 6120 §8.3.1: the error is returned by the entity addressed).
     */
    /** The sequence number of a stanza id this router made, if it is one (its canonical form only). */
    private OptionalLong sequenceOf(String stanzaId) {
        if (!stanzaId.startsWith(stanzaIdPrefix)) {
            return OptionalLong.empty();
        }
        String digits = stanzaId.substring(stanzaIdPrefix.length());
        try {
            long sequence = Long.parseLong(digits, 36);
            return sequence > 0 && Long.toString(sequence, 36).equals(digits) ? OptionalLong.of(sequence)
                    : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Optional<String> callIdOf(LateErrors.Remembered late) {
        return late.callId().equals("-") ? Optional.empty() : Optional.of(late.callId());
    }

    private static final byte[] NO_BODY = new byte[0];

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
