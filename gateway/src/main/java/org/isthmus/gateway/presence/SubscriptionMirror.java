package org.isthmus.gateway.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.cluster.Membership;
import org.isthmus.gateway.config.PresenceSettings;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.gateway.metrics.GatewayMeters.Kind;
import org.isthmus.gateway.metrics.GatewayMeters.Sent;
import org.isthmus.gateway.routing.Lanes;
import org.isthmus.gateway.store.RecordStore;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.gateway.store.Versioned;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.PidfWriter;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.SipStatusToXmpp;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.presence.CpimPresence;
import org.isthmus.mapping.presence.CpimPresenceToSip;
import org.isthmus.mapping.presence.CpimPresenceToXmpp;
import org.isthmus.mapping.presence.CpimTuple;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.SipPresenceState;
import org.isthmus.mapping.presence.SipPresenceToCpim;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.presence.XmppPresenceToCpim;
import org.isthmus.mapping.subscription.AuthorizationState;
import org.isthmus.mapping.subscription.CpimSubscription;
import org.isthmus.mapping.subscription.CpimSubscriptionToSip;
import org.isthmus.mapping.subscription.MirrorAction;
import org.isthmus.mapping.subscription.MirrorEvent;
import org.isthmus.mapping.subscription.NotifierDialog;
import org.isthmus.mapping.subscription.NotifyBody;
import org.isthmus.mapping.subscription.SipSubscriptionToCpim;
import org.isthmus.mapping.subscription.SubscribeKind;
import org.isthmus.mapping.subscription.SubscriberDialog;
import org.isthmus.mapping.subscription.SubscriptionMachine;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.mapping.subscription.TerminationReason;
import org.isthmus.mapping.subscription.Transition;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.sip.presence.DialogKey;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * The presence subscription mirror (DESIGN.md; RFC 8048, RFC 6121, RFC 6665): every cross-protocol
 * subscription between an XMPP user and a SIP contact, both directions, driven by mapping's pure
 * {@link SubscriptionMachine}. This class feeds the machine the pair's events in order and carries out
 * its actions: it keeps the dialogs, sends through {@link PresenceLinks}, runs the clock, and writes each
 * pair's {@link MirrorRecord} to the store before anything is acknowledged on the wire.
 *
 * <p>Threads: the entry points may be called on any edge thread; each event runs on the lane of the
 * XMPP user's bare JID ({@link Lanes}), so a pair is only ever touched by one thread at a time.
 *
 * <p>Presence hygiene: a NOTIFY whose document equals the last one sent to the watcher is not sent
 * again; changes within {@link PresenceSettings#coalesce()} of the last NOTIFY are held and sent once,
 * with the latest state, when the interval is over.
 */
public final class SubscriptionMirror {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionMirror.class);

    /** The store's namespace for pairs. */
    public static final String NAMESPACE = "presence";

    /** RFC 6665 §4.1.2.4: Timer N, 64*T1, the longest wait for the first NOTIFY after a SUBSCRIBE. */
    static final Duration TIMER_N = Duration.ofSeconds(32);

    /**
     * How often a long restore (loading the pairs, then the paced refreshes and probes) logs its
     * progress: count, rate and time left, so that a large start-up is not silent.
     */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final AddressMapper addresses;
    private final PresenceSettings settings;
    private final PresenceLinks links;
    private final Optional<RecordStore<MirrorRecord>> store;
    private final Lanes lanes;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Pacer pacer;
    private final Optional<Membership> membership;
    private final GatewayMeters meters;
    /** This node's name in the records it writes; empty for a single node. */
    private final String nodeId;
    private final AtomicBoolean takingOver = new AtomicBoolean();

    /** Every pair by store name; each {@link Pair} is touched only on its user's lane. */
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
    /**
     * The pair of each subscriber dialog the gateway holds, for NOTIFYs (which name only the dialog): by a
     * 64-bit hash of the dialog's key, the pair's name, or an array of names when keys collide; a
     * lookup checks the pair's dialog, so a collision never finds the wrong pair.
     */
    private final Map<Long, Object> bySubscriberDialog = new ConcurrentHashMap<>();
    /** The in-memory form of the pairs' records. */
    private final PackedRecords packs = new PackedRecords();
    /** The pairs' timers: one deadline a pair, the earliest of its record's, on one scheduled task. */
    private final DeadlineQueue<Pair> deadlines;

    /**
     * One pair's durable record and what is kept of it in memory only. An idle pair is its name, its record
     * packed by {@link PackedRecords} and a few numbers (issue 7: memory per mirrored subscription); the
     * record is decoded when an event touches the pair, on its lane.
     */
    private final class Pair extends DeadlineQueue.Slot {
        /** The store name, also the key in {@link #pairs}. */
        final String name;
        /** Written on the pair's lane only; read by the session view from any thread. */
        private volatile byte[] packed;
        /** The XMPP user's presence for this contact, one tuple per resource (RFC 8048 §6.2), packed; or null. */
        private byte[] userPresence;
        /** A hash of the last document sent to the watcher ({@link #documentHash}), 0 for none. */
        long lastSent;
        /** When the last document was sent to the watcher, in nanoseconds since the epoch. */
        long lastNotifyAt;
        boolean flushScheduled;
        /**
         * The contact's presence from its last NOTIFY, for probes (RFC 6121 §4.3.2): packed by
         * {@link PackedPresence#packStanzas}, the list itself when it cannot be, or null for none.
         */
        private Object contactPresence;
        /** The id of the user's last {@code subscribe}, for an error reply (RFC 3922 §6.1); null for none. */
        String subscribeId;
        boolean fetchInFlight;
        int retries;
        /** The record's version in the store; {@link StateStore#ABSENT} before its first write. */
        long version = StateStore.ABSENT;

        Pair(MirrorRecord record) {
            this.name = record.name();
            this.packed = packs.pack(record);
        }

        MirrorRecord record() {
            return packs.unpack(packed);
        }

        void record(MirrorRecord record) {
            packed = packs.pack(record);
        }

        /** The contact's presence stanzas from its last NOTIFY; empty for none. */
        List<XmppPresence> contactPresence() {
            if (contactPresence == null) {
                return List.of();
            }
            @SuppressWarnings("unchecked")
            List<XmppPresence> kept = contactPresence instanceof byte[] b ? PackedPresence.unpackStanzas(b)
                    : (List<XmppPresence>) contactPresence;
            return kept;
        }

        void contactPresence(List<XmppPresence> stanzas) {
            byte[] packed = stanzas.isEmpty() ? null : PackedPresence.packStanzas(stanzas);
            contactPresence = stanzas.isEmpty() ? null : packed != null ? packed : List.copyOf(stanzas);
        }

        /** The user's presence for this contact, or null before the first. */
        CpimPresence userPresence() {
            return userPresence == null ? null : PackedPresence.unpack(userPresence);
        }

        void userPresence(CpimPresence presence) {
            userPresence = PackedPresence.pack(presence);
        }
    }

    /** What the event's originator waits for, and what the event brings besides the machine's input. */
    private static final class Ctx {
        CompletableFuture<SubscribeDecision> decision;
        SubscriptionDialog acceptDialog;
        boolean fetch;
        CompletableFuture<SipStatus> notifyAnswer;
        Optional<SipPresenceState> notifyPresence = Optional.empty();
        /** A NOTIFY's secured PIDF, as the {@code <e2e/>} payload it becomes (RFC 3923 §8). */
        Optional<E2ePayload> notifySecured = Optional.empty();
        Optional<SubscriptionDialog> subscriberDialog = Optional.empty();
        /** Restore-driven: the event's sends go through the pacer. */
        boolean paced;
    }

    /**
     * @param addresses the address rules
     * @param settings  presence settings
     * @param links     the edges
     * @param store     where pairs are kept durably, if anywhere
     * @param lanes     the lanes events run on
     * @param timer     the clock's scheduler
     * @param clock     the clock
     * @param membership this node among others sharing the store, if any: pairs are then written with
     *                  this node as owner, by version (a sibling that took a pair over wins), and the
     *                  pairs of dead siblings are taken over
     */
    public SubscriptionMirror(AddressMapper addresses, PresenceSettings settings, PresenceLinks links,
                              Optional<StateStore> store, Lanes lanes, ScheduledExecutorService timer, Clock clock,
                              Optional<Membership> membership) {
        this(addresses, settings, links, store, lanes, timer, clock, membership, GatewayMeters.none());
    }

    /**
     * A mirror that counts the NOTIFYs and stanzas it sends and times its presence translations.
     *
     * @param meters where the counts and timings go
     * @see #SubscriptionMirror(AddressMapper, PresenceSettings, PresenceLinks, Optional, Lanes,
     *      ScheduledExecutorService, Clock, Optional)
     */
    public SubscriptionMirror(AddressMapper addresses, PresenceSettings settings, PresenceLinks links,
                              Optional<StateStore> store, Lanes lanes, ScheduledExecutorService timer, Clock clock,
                              Optional<Membership> membership, GatewayMeters meters) {
        this.addresses = Objects.requireNonNull(addresses, "addresses");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.links = Objects.requireNonNull(links, "links");
        this.store = store.map(s -> s.records(NAMESPACE, MirrorRecordCodec.INSTANCE));
        this.lanes = Objects.requireNonNull(lanes, "lanes");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pacer = new Pacer(settings.restoreRate(), timer);
        this.deadlines = new DeadlineQueue<>(timer, this::onDeadline);
        this.membership = Objects.requireNonNull(membership, "membership");
        this.nodeId = membership.map(Membership::nodeId).orElse("");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    // ---- From XMPP --------------------------------------------------------------------------------

    /**
     * A subscription stanza from an XMPP user (or the user's server) to a gateway address: subscribe,
     * subscribed, unsubscribe, unsubscribed or probe (RFC 6121 §3, §4.3).
     */
    public void onSubscription(XmppSubscription stanza) {
        Optional<MirrorEvent> event = eventFor(stanza.type());
        if (event.isEmpty()) {
            LOG.debug("presence: ignored {} from={} to={}", stanza.type(), stanza.from(), stanza.to());
            return;
        }
        Mapped<MirrorRecord> fresh = pairFromXmpp(stanza.from(), stanza.to());
        if (fresh instanceof Mapped.Failed<MirrorRecord> failed) {
            LOG.info("presence: refused {} from={} to={}: {}", stanza.type().wireName(), stanza.from(), stanza.to(),
                    failed.rejected().text());
            if (stanza.type() == XmppSubscriptionType.SUBSCRIBE) {
                send(stanza.errorReply(StanzaError.of(failed.rejected().condition(),
                        failed.rejected().text())));
            }
            return;
        }
        MirrorRecord f = fresh.orThrow();
        submit(f, pair -> {
            if (stanza.type() == XmppSubscriptionType.SUBSCRIBE) {
                pair.subscribeId = stanza.id().orElse(null);
            }
            return step(pair, event.get(), new Ctx());
        });
    }

    private static Optional<MirrorEvent> eventFor(XmppSubscriptionType type) {
        return switch (type) {
            case SUBSCRIBE -> Optional.of(new MirrorEvent.XmppSubscribe());
            case SUBSCRIBED -> Optional.of(new MirrorEvent.XmppSubscribed());
            case UNSUBSCRIBE -> Optional.of(new MirrorEvent.XmppUnsubscribe());
            case UNSUBSCRIBED -> Optional.of(new MirrorEvent.XmppUnsubscribed());
            case PROBE -> Optional.of(new MirrorEvent.XmppProbe());
            case UNAVAILABLE, ERROR -> Optional.empty();
        };
    }

    /**
     * An availability presence from an XMPP user to a gateway address (RFC 6121 §4, RFC 8048 §6), or an
     * error presence: the user's server refusing a {@code subscribe} the gateway sent (RFC 3922 §6.2).
     */
    public void onPresence(XmppPresence presence) {
        if (presence.type() == PresenceType.ERROR) {
            Mapped<MirrorRecord> fresh = pairFromXmpp(presence.from(), presence.to());
            if (fresh.isOk()) {
                MirrorEvent event = new MirrorEvent.XmppError(presence.error().orElseThrow());
                existing(fresh.orThrow(), pair -> step(pair, event, new Ctx()));
            }
            return;
        }
        Mapped<MirrorRecord> fresh = pairFromXmpp(presence.from(), presence.to());
        Mapped<CpimPresence> cpim = XmppPresenceToCpim.translate(presence, addresses);
        if (!fresh.isOk() || !cpim.isOk()) {
            LOG.debug("presence: ignored {} from={} to={}", presence.type(), presence.from(), presence.to());
            return;
        }
        existing(fresh.orThrow(), pair -> {
            if (pair.record().state().inbound() != AuthorizationState.GRANTED) {
                // RFC 6121 §3.1.3 step 3: presence before the user approves, such as the "unavailable" by
                // which her server acknowledges the request, says nothing about her; on approval her server
                // sends her real presence (§3.1.5).
                return CompletableFuture.completedFuture(null);
            }
            pair.userPresence(merge(pair.userPresence(), cpim.orThrow(), presence.from().isBare()));
            return step(pair, new MirrorEvent.XmppPresenceChanged(), new Ctx());
        });
    }

    /**
     * The user's presence after a notification (RFC 8048 §6.2): one tuple per resource. A presence from
     * the bare JID speaks for the whole account (e.g. her server's {@code unavailable} when she has no
     * resource left, RFC 6121 §4.3.2) and replaces every tuple; a resource's presence replaces that
     * resource's tuple and ends what a bare-JID presence said.
     */
    private static CpimPresence merge(CpimPresence current, CpimPresence update, boolean fromBareJid) {
        if (current == null || fromBareJid) {
            return update;
        }
        CpimPresence merged = current.withTuplesFrom(update);
        if (merged.tuple("").isEmpty()) {
            return merged;
        }
        List<CpimTuple> resources = new ArrayList<>(merged.tuples());
        resources.removeIf(t -> t.instance().isEmpty());
        return new CpimPresence(merged.presentity(), merged.watcher(), merged.lang(), resources, merged.notes(),
                merged.activities(), merged.idle());
    }

    /**
     * The XMPP link of a domain came up: the user's presence may have changed while it was down (or
     * the gateway restarted), so every watched user is probed again, paced (RFC 6121 §4.3).
     */
    public void onXmppLinkUp() {
        int n = 0;
        for (Pair pair : pairs.values()) {
            MirrorRecord r = pair.record();
            if (r.state().notifier() == NotifierDialog.ACTIVE) {
                pacer.pace(() -> send(XmppSubscription.of(r.contactJid(), r.user(), XmppSubscriptionType.PROBE,
                        Optional.of(newId()))));
                n++;
            }
        }
        if (n > 0) {
            LOG.info("presence: probing {} watched XMPP users at up to {}/s", n, settings.restoreRate());
        }
    }

    // ---- From SIP ---------------------------------------------------------------------------------

    /** A presence SUBSCRIBE from a SIP watcher of an XMPP user (RFC 6665 §4.2.1, RFC 8048 §5.3). */
    public CompletionStage<SubscribeDecision> onSubscribe(SubscribeRequest request) {
        Mapped<CpimSubscription> op = SipSubscriptionToCpim.subscribe(request.subscribe(), addresses);
        if (op instanceof Mapped.Failed<CpimSubscription> failed) {
            SipStatus status = CpimSubscriptionToSip.responseFor(failed.rejected());
            LOG.info("presence: SUBSCRIBE refused from={} to={} status={}: {}", request.subscribe().watcher(),
                    request.subscribe().presentity(), status.code(), failed.rejected().text());
            return CompletableFuture.completedFuture(SubscribeDecision.refuse(status));
        }
        Mapped<MirrorRecord> fresh = pairFromSip(request.subscribe().presentity(), request.subscribe().watcher());
        if (fresh instanceof Mapped.Failed<MirrorRecord> failed) {
            return CompletableFuture.completedFuture(SubscribeDecision.refuse(
                    CpimSubscriptionToSip.responseFor(failed.rejected())));
        }
        Ctx ctx = new Ctx();
        ctx.decision = new CompletableFuture<>();
        submit(fresh.orThrow(), pair -> {
            MirrorEvent event;
            if (request.created().isPresent()) {
                ctx.acceptDialog = request.created().get();
                ctx.fetch = request.isFetch();
                event = ctx.fetch ? new MirrorEvent.FetchReceived(pair.userPresence != null)
                        : new MirrorEvent.SubscribeReceived(request.expires());
            } else {
                Optional<SubscriptionDialog> stored = pair.record().notifier();
                if (stored.isEmpty() || !stored.get().key().equals(request.existing().get())) {
                    ctx.decision.complete(SubscribeDecision.refuse(SipStatus.of(481)));
                    return CompletableFuture.completedFuture(null);
                }
                Optional<SubscriptionDialog> d = request.dialogFor(stored.get());
                if (d.isEmpty()) {
                    // RFC 3261 §12.2.2: a CSeq lower than the last one is answered 500.
                    ctx.decision.complete(SubscribeDecision.refuse(new SipStatus(500, "CSeq out of order")));
                    return CompletableFuture.completedFuture(null);
                }
                ctx.acceptDialog = d.get();
                event = request.isUnsubscribe() ? new MirrorEvent.UnsubscribeReceived()
                        : new MirrorEvent.RefreshReceived(request.expires());
            }
            return step(pair, event, ctx);
        }).whenComplete((x, error) -> {
            if (error != null) {
                ctx.decision.complete(SubscribeDecision.refuse(new SipStatus(500, "Subscription not stored")));
            }
        });
        return ctx.decision;
    }

    /** A NOTIFY in a subscription the gateway holds for an XMPP user (RFC 6665 §4.1.3, RFC 8048 §5.2). */
    public CompletionStage<SipStatus> onNotify(NotifyRequest request) {
        return onNotify(request, Optional.empty());
    }

    /**
     * A NOTIFY, as {@link #onNotify(NotifyRequest)}, whose secured PIDF body (RFC 3923 §8) the gateway
     * has checked and wrapped as {@code secured}: relayed to the user in {@code <e2e/>} exactly when a
     * readable document would be, that is only while the subscription is active (RFC 2779 §5.1: the
     * watcher the mirror authorized, and no one else).
     */
    public CompletionStage<SipStatus> onNotify(NotifyRequest request, Optional<E2ePayload> secured) {
        String name = pairOfDialog(request.key());
        Optional<MirrorRecord> fresh = Optional.empty();
        if (name == null && request.pending().isPresent()) {
            SubscriptionDialog p = request.pending().get();
            Mapped<MirrorRecord> f = pairFromSip(p.localUri(), p.remoteUri());
            if (f.isOk()) {
                fresh = Optional.of(f.orThrow());
                name = fresh.get().name();
            }
        }
        Pair known = name == null ? null : pairs.get(name);
        if (known == null && fresh.isEmpty()) {
            return CompletableFuture.completedFuture(answerUnknown(request));
        }
        Ctx ctx = new Ctx();
        ctx.notifyAnswer = new CompletableFuture<>();
        ctx.notifySecured = secured;
        MirrorRecord pairRecord = fresh.orElseGet(() -> known.record());
        CompletableFuture<Void> done = lanes.submit(pairRecord.user().toString(), () ->
                pairFor(pairRecord, true).thenCompose(pair -> pair.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null).thenRun(() ->
                                ctx.notifyAnswer.complete(answerUnknown(request)))
                        : onNotifyInLane(pair.get(), request, ctx)));
        done.whenComplete((x, error) -> {
            if (error != null) {
                ctx.notifyAnswer.complete(new SipStatus(500, "Subscription state not stored"));
            }
        });
        return ctx.notifyAnswer;
    }

    private CompletionStage<Void> onNotifyInLane(Pair pair, NotifyRequest request, Ctx ctx) {
        MirrorRecord record = pair.record();
        Optional<SubscriptionDialog> stored = record.subscriber();
        Optional<SubscriptionDialog> dialog;
        if (stored.isPresent() && stored.get().key().equals(request.key())) {
            dialog = request.dialogFor(stored.get());
            if (dialog.isEmpty()) {
                ctx.notifyAnswer.complete(new SipStatus(500, "CSeq out of order"));
                return CompletableFuture.completedFuture(null);
            }
        } else if (request.pending().isPresent() && stored.isEmpty()
                && record.state().subscriber() == SubscriberDialog.SUBSCRIBING) {
            // RFC 6665 §4.1.2.4: the NOTIFY came before the SUBSCRIBE's 2xx; it creates the dialog.
            dialog = request.dialogFor(request.pending().get());
        } else if (request.pending().isPresent() && pair.fetchInFlight) {
            // RFC 6665 §4.4.3: the answer to a fetch; it carries the state once and ends.
            ctx.notifyAnswer.complete(SipStatus.of(200));
            request.presence().ifPresent(p -> forwardNotify(pair, p));
            ctx.notifySecured.ifPresent(e -> forwardSecured(pair, e));
            if (request.state() instanceof SubscriptionState.Terminated) {
                pair.fetchInFlight = false;
            }
            return CompletableFuture.completedFuture(null);
        } else {
            ctx.notifyAnswer.complete(answerUnknown(request));
            return CompletableFuture.completedFuture(null);
        }
        ctx.subscriberDialog = dialog;
        ctx.notifyPresence = request.presence();
        return step(pair, new MirrorEvent.NotifyReceived(request.state(), request.hasBody()), ctx);
    }

    /** RFC 6665 §4.1.3: 481 for a NOTIFY of no subscription; a final {@code terminated} one is simply taken. */
    private static SipStatus answerUnknown(NotifyRequest request) {
        return request.state() instanceof SubscriptionState.Terminated ? SipStatus.of(200) : SipStatus.of(481);
    }

    // ---- The step ---------------------------------------------------------------------------------

    /**
     * One event for one pair, on its lane: the machine's transition, the dialogs and timers it implies,
     * the record written, then the answers and sends, in the machine's order.
     */
    private CompletionStage<Void> step(Pair pair, MirrorEvent event, Ctx ctx) {
        Instant now = clock.instant();
        MirrorRecord before = pair.record();
        Transition t = SubscriptionMachine.next(before.state(), event);
        MirrorRecord after = before.withState(t.state());
        if (ctx.subscriberDialog.isPresent()) {
            after = after.withSubscriber(ctx.subscriberDialog);
        }
        List<Runnable> sends = new ArrayList<>();
        SubscribeDecision decision = null;
        boolean accept = false;
        SipStatus notifyStatus = null;
        boolean heldForCoalescing = false;
        for (MirrorAction action : t.actions()) {
            if (action instanceof MirrorAction.RespondSip r) {
                if (ctx.decision != null) {
                    if (r.status().isSuccess()) {
                        accept = true;
                    } else {
                        decision = SubscribeDecision.refuse(r.status());
                    }
                } else {
                    notifyStatus = r.status();
                }
            } else if (action instanceof MirrorAction.SendNotify n) {
                if (accept && decision == null) {
                    Optional<PresenceDocument> doc = document(pair, n.body());
                    decision = SubscribeDecision.accept(ctx.acceptDialog, n.state(), doc);
                    if (!ctx.fetch) {
                        after = after.withNotifier(Optional.of(ctx.acceptDialog));
                    }
                    noteSent(pair, n.body(), doc, now);
                } else if (after.notifier().isPresent()) {
                    Optional<PresenceDocument> doc = document(pair, n.body());
                    if (event instanceof MirrorEvent.XmppPresenceChanged) {
                        if (documentHash(doc) == pair.lastSent) {
                            continue;
                        }
                        if (instant(pair.lastNotifyAt).plus(settings.coalesce()).isAfter(now)) {
                            heldForCoalescing = true;
                            continue;
                        }
                    }
                    SubscriptionDialog used = after.notifier().get();
                    after = after.withNotifier(Optional.of(used.next()));
                    noteSent(pair, n.body(), doc, now);
                    String name = before.name();
                    sends.add(() -> sendNotify(name, pair.record().user(), used, n, doc));
                } else {
                    LOG.warn("presence: no notifier dialog for {} to send {}", before.name(), n.state());
                }
            } else if (action instanceof MirrorAction.SendSubscribe s) {
                after = subscribe(pair, after, s, sends);
            } else if (action instanceof MirrorAction.SendXmpp x) {
                XmppSubscriptionType type = x.type();
                Optional<String> id = type == XmppSubscriptionType.SUBSCRIBE ? Optional.of(newId()) : Optional.empty();
                MirrorRecord r = after;
                sends.add(() -> send(XmppSubscription.of(r.contactJid(), r.user(), type, id)));
                if (type == XmppSubscriptionType.UNSUBSCRIBED && !pair.contactPresence().isEmpty()) {
                    // RFC 6121 §3.3.3: once the user's subscription ends, the contact's side sends
                    // unavailable from each of the contact's resources she saw.
                    List<XmppPresence> seen = pair.contactPresence();
                    pair.contactPresence(List.of());
                    sends.add(() -> seen.forEach(p -> send(XmppPresence.unavailable(p.from(), r.user()))));
                }
            } else if (action instanceof MirrorAction.SendXmppError e) {
                MirrorRecord r = after;
                Optional<String> id = Optional.ofNullable(pair.subscribeId);
                sends.add(() -> send(new XmppSubscription(r.contactJid(), r.user(), XmppSubscriptionType.ERROR, id,
                        Optional.of(e.error()))));
            } else if (action instanceof MirrorAction.ForwardNotifyPresence) {
                ctx.notifyPresence.ifPresent(p -> sends.add(() -> forwardNotify(pair, p)));
                ctx.notifySecured.ifPresent(e -> sends.add(() -> forwardSecured(pair, e)));
            } else if (action instanceof MirrorAction.SendCachedPresence) {
                MirrorRecord r = after;
                List<XmppPresence> cached = pair.contactPresence();
                sends.add(() -> {
                    if (cached.isEmpty()) {
                        send(XmppPresence.unavailable(r.contactJid(), r.user()));
                    } else {
                        cached.forEach(this::send);
                    }
                });
            } else if (action instanceof MirrorAction.ProbeUserFromGateway) {
                // RFC 8048 §8.1 probes the user before a refresh; from the contact's address, since the
                // user's server answers only probes from entities it shares presence with (RFC 6121 §4.3.2).
                MirrorRecord r = after;
                sends.add(() -> send(XmppSubscription.of(r.contactJid(), r.user(), XmppSubscriptionType.PROBE,
                        Optional.of(newId()))));
            } else if (action instanceof MirrorAction.ScheduleRefresh s) {
                after = after.withTimer(MirrorTimer.REFRESH, Optional.of(now.plus(refreshDelay(s.expires()))))
                        .withTimer(MirrorTimer.SUBSCRIBER_DEADLINE, Optional.of(now.plusSeconds(s.expires())));
                pair.retries = 0;
            } else if (action instanceof MirrorAction.ScheduleRetry s) {
                Duration wait = s.retryAfter().isPresent() ? Duration.ofSeconds(s.retryAfter().getAsLong())
                        : backoff(pair.retries++);
                after = after.withTimer(MirrorTimer.RETRY, Optional.of(now.plus(wait)));
            } else if (action instanceof MirrorAction.ScheduleExpiry s) {
                after = after.withTimer(MirrorTimer.NOTIFIER_EXPIRY, Optional.of(now.plusSeconds(s.expires())));
            }
        }
        after = tidy(before, after, now);
        if (heldForCoalescing && !pair.flushScheduled) {
            pair.flushScheduled = true;
            scheduleFlush(pair, instant(pair.lastNotifyAt).plus(settings.coalesce()));
        }
        if (ctx.decision != null && decision == null) {
            decision = SubscribeDecision.refuse(new SipStatus(500, "No decision"));
        }
        MirrorRecord next = after.withOwner(nodeId);
        SubscribeDecision answer = decision;
        SipStatus notifyAnswer = notifyStatus == null ? SipStatus.of(200) : notifyStatus;
        return persist(pair, before, next).handle((ok, error) -> {
            if (error != null) {
                LOG.warn("presence: {} not stored, event {} refused: {}", before.name(),
                        event.getClass().getSimpleName(), error.toString());
                pair.record(before);
                if (rootCause(error) instanceof TakenOver) {
                    // A sibling holds the pair now (its write won): this node forgets it.
                    pairs.remove(pair.name, pair);
                    before.subscriber().ifPresent(d -> unindexDialog(d.key(), pair.name));
                    deadlines.disarm(pair);
                }
                if (ctx.decision != null) {
                    ctx.decision.complete(SubscribeDecision.refuse(new SipStatus(500, "Subscription not stored")));
                }
                if (ctx.notifyAnswer != null) {
                    ctx.notifyAnswer.complete(new SipStatus(500, "Subscription state not stored"));
                }
                return null;
            }
            pair.record(next);
            reindex(pair.name, before, next);
            if (next.isEmpty()) {
                pairs.remove(pair.name, pair);
            }
            arm(pair, next);
            if (ctx.decision != null) {
                ctx.decision.complete(answer);
            }
            if (ctx.notifyAnswer != null) {
                ctx.notifyAnswer.complete(notifyAnswer);
            }
            if (ctx.paced) {
                // Pacing the sends themselves, after the store: the wire sees the configured rate even
                // when store commits complete in batches.
                pacer.pace(() -> sends.forEach(Runnable::run));
            } else {
                sends.forEach(Runnable::run);
            }
            if (LOG.isDebugEnabled() && !before.state().equals(next.state())) {
                LOG.debug("presence: {} {} -> {} on {}", next.name(), before.state(), next.state(),
                        event.getClass().getSimpleName());
            }
            return null;
        });
    }

    private MirrorRecord subscribe(Pair pair, MirrorRecord after, MirrorAction.SendSubscribe s, List<Runnable> sends) {
        MirrorRecord r = after;
        long expires = s.expires().orElse(settings.subscribeExpires());
        switch (s.kind()) {
            case INITIAL -> {
                long generation = r.generation() + 1;
                MirrorRecord next = r.withGeneration(generation).withSubscriber(Optional.empty());
                sends.add(() -> startSubscribe(next, generation, expires, SubscribeKind.INITIAL));
                return next;
            }
            case FETCH -> {
                pair.fetchInFlight = true;
                sends.add(() -> startSubscribe(r, -1, 0, SubscribeKind.FETCH));
                return r;
            }
            default -> {
                if (r.subscriber().isEmpty()) {
                    // No dialog to send it in: treat it as gone, which the machine answers with a new one.
                    sends.add(() -> lanes.submit(r.user().toString(), () -> onSubscribeOutcome(r.name(),
                            r.generation(), s.kind(), new SubscribeOutcome(
                                    SipOutcome.of(SipStatus.of(481)), Optional.empty()))));
                    return r;
                }
                SubscriptionDialog used = r.subscriber().get();
                long generation = r.generation();
                sends.add(() -> links.refresh(used, expires).whenComplete((outcome, error) ->
                        lanes.submit(r.user().toString(), () -> onSubscribeOutcome(r.name(), generation, s.kind(),
                                outcomeOrFailure(outcome, error, Optional.of(used))))));
                return r.withSubscriber(Optional.of(used.next()));
            }
        }
    }

    private void startSubscribe(MirrorRecord r, long generation, long expires, SubscribeKind kind) {
        Mapped<SipTarget> target = links.route(r.contactUri());
        if (target instanceof Mapped.Failed<SipTarget> failed) {
            SipStatus status = CpimSubscriptionToSip.responseFor(failed.rejected());
            LOG.info("presence: no route for SUBSCRIBE to {}: {}", r.contactUri(), failed.rejected().text());
            lanes.submit(r.user().toString(), () -> onSubscribeOutcome(r.name(), generation, kind,
                    new SubscribeOutcome(SipOutcome.of(status), Optional.empty())));
            return;
        }
        links.subscribe(r.contactUri(), r.userUri(), expires, target.orThrow()).whenComplete((outcome, error) ->
                lanes.submit(r.user().toString(), () -> onSubscribeOutcome(r.name(), generation, kind,
                        outcomeOrFailure(outcome, error, Optional.empty()))));
    }

    private static SubscribeOutcome outcomeOrFailure(SubscribeOutcome outcome, Throwable error,
                                                     Optional<SubscriptionDialog> dialog) {
        if (error != null) {
            return new SubscribeOutcome(SipOutcome.of(new SipStatus(500, "gateway failure")), dialog);
        }
        return outcome;
    }

    /** The final response to one of the gateway's SUBSCRIBEs, on the pair's lane. */
    private CompletionStage<Void> onSubscribeOutcome(String name, long generation, SubscribeKind kind,
                                                     SubscribeOutcome outcome) {
        Pair pair = pairs.get(name);
        boolean success = outcome.outcome().status().isSuccess();
        if (kind == SubscribeKind.FETCH) {
            if (!success && pair != null) {
                pair.fetchInFlight = false;
            }
            return CompletableFuture.completedFuture(null);
        }
        if (pair == null || pair.record().generation() != generation) {
            if (success && kind == SubscribeKind.INITIAL && outcome.dialog().isPresent()) {
                // A superseded subscription that the notifier accepted after all: end it (RFC 6665 §4.1.2.3).
                links.refresh(outcome.dialog().get(), 0);
            }
            return CompletableFuture.completedFuture(null);
        }
        Ctx ctx = new Ctx();
        Optional<SubscriptionDialog> current = pair.record().subscriber();
        if (outcome.dialog().isPresent() && (kind == SubscribeKind.INITIAL
                || current.map(c -> c.key().equals(outcome.dialog().get().key())).orElse(false))) {
            SubscriptionDialog d = outcome.dialog().get();
            // Keep the higher CSeq: a NOTIFY may have advanced nothing, but a later refresh may be in flight.
            if (current.isPresent() && current.get().key().equals(d.key()) && current.get().localCseq() > d.localCseq()) {
                d = d.withLocalCseq(current.get().localCseq());
            }
            ctx.subscriberDialog = Optional.of(d);
        }
        MirrorEvent event;
        if (success) {
            long left = outcome.dialog().map(d -> d.secondsLeft(clock.instant())).orElse(settings.subscribeExpires());
            event = new MirrorEvent.SubscribeAccepted(left);
        } else {
            event = new MirrorEvent.SubscribeFailed(outcome.outcome().status(), OptionalLong.empty(), OptionalLong.empty());
            MirrorRecord r = pair.record();
            LOG.info("presence: SUBSCRIBE {} {} -> {} failed: {} {}", kind, r.userUri(), r.contactUri(), outcome.outcome().status().code(), outcome.outcome().status().reason());
        }
        return step(pair, event, ctx);
    }

    private void sendNotify(String name, Jid user, SubscriptionDialog dialog, MirrorAction.SendNotify n,
                            Optional<PresenceDocument> doc) {
        links.notify(dialog, n.state(), doc).whenComplete((outcome, error) -> {
            boolean ok = error == null && outcome.outcome().status().isSuccess();
            meters.presenceSent(Sent.NOTIFY, ok);
            if (ok) {
                return;
            }
            SipStatus status = error != null ? new SipStatus(500, "gateway failure") : outcome.outcome().status();
            LOG.info("presence: NOTIFY to {} failed: {} {}", dialog.remoteUri(), status.code(), status.reason());
            notifyFailed(name, user, dialog, status);
        });
    }

    /** A NOTIFY in the pair's notifier dialog failed: the machine decides what the failure ends. */
    private void notifyFailed(String name, Jid user, SubscriptionDialog dialog, SipStatus status) {
        lanes.submit(user.toString(), () -> {
            Pair pair = pairs.get(name);
            if (pair == null || pair.record().notifier().map(d -> !d.key().equals(dialog.key())).orElse(true)) {
                return CompletableFuture.completedFuture(null);
            }
            return step(pair, new MirrorEvent.NotifyFailed(status), new Ctx());
        });
    }

    /** The contact's presence from a NOTIFY, to the user (RFC 8048 §6.3), kept for later probes. */
    private void forwardNotify(Pair pair, SipPresenceState state) {
        long translating = System.nanoTime();
        Mapped<List<XmppPresence>> stanzas = SipPresenceToCpim.translate(state, addresses)
                .then(c -> CpimPresenceToXmpp.translate(c, addresses));
        meters.translated(Kind.PRESENCE, Direction.SIP_TO_XMPP, translating);
        if (stanzas instanceof Mapped.Failed<List<XmppPresence>> failed) {
            LOG.info("presence: NOTIFY from {} not relayed: {}", state.from(), failed.rejected().text());
            return;
        }
        List<XmppPresence> list = new ArrayList<>();
        for (XmppPresence p : stanzas.orThrow()) {
            // RFC 6121 §4.2.2: presence goes to the user's bare JID; the server delivers it to every resource.
            list.add(new XmppPresence(p.from(), pair.record().user(), p.id(), p.type(), p.lang(), p.show(),
                    p.statuses(), p.priority(), p.delay(), p.error()));
        }
        pair.contactPresence(list);
        list.forEach(this::send);
    }

    // ---- Secured presence (RFC 3923 §4, §8) -------------------------------------------------------

    /**
     * A directed presence carrying a secured PIDF from an XMPP user to a SIP contact (RFC 3923 §4.1),
     * already checked by the gateway: a NOTIFY in the notifier dialog of that contact's subscription to
     * the user, its body the S/MIME object unchanged (§8). RFC 7248 §5.2 maps an XMPP presence to a
     * NOTIFY to a subscriber the user authorized, and SIP carries presence in no other request (RFC 3856
     * §6.7, RFC 6665 §4.2.2): without an active, authorized subscription of that contact the presence is
     * refused with {@code item-not-found}, the RFC 7247 §7.1 condition of the 481 such a NOTIFY would get
     * (RFC 6665 §4.1.3), and is never sent. The NOTIFY's failure comes back to the sender as the mapped
     * error; a failure that ends the subscription (RFC 6665 §4.2.2) ends it in the mirror too.
     *
     * @param presence              the stanza, for its addresses and the error reply
     * @param object                the S/MIME object
     * @param authenticationResults the gateway's signature check, to send as a header, if tagging
     */
    public void onSecuredPresence(XmppPresence presence, SecuredObject object, Optional<String> authenticationResults) {
        Mapped<MirrorRecord> fresh = pairFromXmpp(presence.from(), presence.to());
        if (fresh instanceof Mapped.Failed<MirrorRecord> failed) {
            refuseSecured(presence, failed.rejected());
            return;
        }
        MirrorRecord f = fresh.orThrow();
        lanes.submit(f.user().toString(), () -> pairFor(f, false).thenCompose(found -> {
            Optional<SubscriptionDialog> dialog = found.map(Pair::record)
                    .filter(r -> r.state().notifier() == NotifierDialog.ACTIVE
                            && r.state().inbound() == AuthorizationState.GRANTED)
                    .flatMap(MirrorRecord::notifier);
            if (dialog.isEmpty()) {
                refuseSecured(presence, new Rejected(StanzaErrorCondition.ITEM_NOT_FOUND, presence.to().bare()
                        + " has no authorized SIP subscription to " + presence.from().bare() + "'s presence: SIP "
                        + "carries presence only in a NOTIFY of one (RFC 7248 §5.2, RFC 6665 §4.2.2)"));
                return CompletableFuture.<Void>completedFuture(null);
            }
            return notifySecured(found.get(), dialog.get(), presence, object, authenticationResults);
        }));
    }

    /** Refuses a secured presence with an error presence to its sender (RFC 6120 §8.2, RFC 3923 §7). */
    public void refuseSecured(XmppPresence presence, Rejected why) {
        // The condition, not the text: the text may quote the object's own (untrusted) entity.
        LOG.info("presence: secured presence from={} to={} refused: {}", presence.from(), presence.to(),
                why.condition());
        send(presence.errorReply(StanzaError.of(why.condition(), why.text())));
    }

    /** On the pair's lane: the dialog's next CSeq stored, then the NOTIFY sent in it. */
    private CompletionStage<Void> notifySecured(Pair pair, SubscriptionDialog used, XmppPresence presence,
                                                SecuredObject object, Optional<String> authenticationResults) {
        MirrorRecord before = pair.record();
        MirrorRecord next = before.withNotifier(Optional.of(used.next())).withOwner(nodeId);
        return persist(pair, before, next).handle((ok, error) -> {
            if (error != null) {
                LOG.warn("presence: {} not stored, secured NOTIFY not sent: {}", before.name(), error.toString());
                refuseSecured(presence, new Rejected(StanzaErrorCondition.INTERNAL_SERVER_ERROR,
                        "the subscription state could not be stored"));
                return null;
            }
            pair.record(next);
            // The watcher's last document is now the secured one: the next readable one is sent even if
            // it equals the last readable one.
            pair.lastSent = 0;
            SubscriptionState active = new SubscriptionState.Active(OptionalLong.empty());
            links.notifySecured(used, active, object, authenticationResults).whenComplete((outcome, failure) -> {
                boolean sent = failure == null && outcome.outcome().status().isSuccess();
                meters.presenceSent(Sent.NOTIFY, sent);
                if (sent) {
                    return;
                }
                SipStatus status = failure != null ? new SipStatus(500, "gateway failure") : outcome.outcome().status();
                refuseSecured(presence, new Rejected(SipStatusToXmpp.conditionFor(status.code()),
                        "the SIP watcher answered the secured NOTIFY " + status.code() + " " + status.reason()));
                if (failure == null && outcome.subscriptionGone()) {
                    notifyFailed(before.name(), before.user(), used, status);
                }
            });
            return null;
        });
    }

    /**
     * A contact's secured PIDF to the user, in {@code <e2e/>} (RFC 3923 §8), from the contact's address;
     * kept, like a readable presence, for the user's later probes.
     */
    private void forwardSecured(Pair pair, E2ePayload payload) {
        MirrorRecord r = pair.record();
        XmppPresence stanza = XmppPresence.available(r.contactJid(), r.user()).withE2e(payload);
        pair.contactPresence(List.of(stanza));
        send(stanza);
    }

    // ---- Documents and hygiene --------------------------------------------------------------------

    private Optional<PresenceDocument> document(Pair pair, NotifyBody body) {
        long translating = System.nanoTime();
        Optional<PresenceDocument> doc = switch (body) {
            case NONE -> Optional.empty();
            case CURRENT -> pair.userPresence == null ? Optional.empty()
                    : Optional.of(CpimPresenceToSip.translate(pair.userPresence(), addresses).document());
            case CLOSED -> Optional.of(CpimPresenceToSip.translate(closed(pair), addresses).document());
        };
        if (doc.isPresent()) {
            meters.translated(Kind.PRESENCE, Direction.XMPP_TO_SIP, translating);
        }
        return doc;
    }

    /** RFC 8048 §5.3.3 step 1: the user's presence with every endpoint closed. */
    private CpimPresence closed(Pair pair) {
        MirrorRecord r = pair.record();
        CpimPresence base = pair.userPresence();
        List<CpimTuple> tuples = new ArrayList<>();
        if (base != null) {
            for (CpimTuple t : base.tuples()) {
                tuples.add(new CpimTuple(t.instance(), Basic.CLOSED, Optional.empty(), Optional.empty(), t.contact(),
                        List.of(), Optional.empty(), false));
            }
        }
        if (tuples.isEmpty()) {
            tuples.add(new CpimTuple("", Basic.CLOSED, Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    Optional.empty(), false));
        }
        ImUri user = addresses.fromJid(r.user()).orThrow();
        ImUri contact = addresses.fromSip(r.contactUri()).orThrow();
        return new CpimPresence(user.toPres(), contact, Optional.empty(), tuples, List.of(), List.of(), false);
    }

    private static void noteSent(Pair pair, NotifyBody body, Optional<PresenceDocument> doc, Instant now) {
        if (body == NotifyBody.CURRENT) {
            pair.lastSent = documentHash(doc);
            pair.lastNotifyAt = nanos(now);
        } else {
            pair.lastSent = 0;
        }
    }

    /**
     * A 64-bit hash of a document's PIDF text (RFC 3863), 0 for none: what the pair keeps of the last
     * document sent, instead of the document, to leave out a NOTIFY that would say the same again.
     */
    static long documentHash(Optional<PresenceDocument> doc) {
        if (doc.isEmpty()) {
            return 0;
        }
        String xml = PidfWriter.toXml(doc.get());
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < xml.length(); i++) {
            h = (h ^ xml.charAt(i)) * 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    private void scheduleFlush(Pair pair, Instant at) {
        String name = pair.name;
        String user = userOf(name);
        timer.schedule(() -> lanes.submit(user, () -> {
            Pair p = pairs.get(name);
            if (p == null) {
                return CompletableFuture.completedFuture(null);
            }
            p.flushScheduled = false;
            return step(p, new MirrorEvent.XmppPresenceChanged(), new Ctx());
        }), millisUntil(at), TimeUnit.MILLISECONDS);
    }

    // ---- Dialogs, timers, store -------------------------------------------------------------------

    /** Drops the dialogs and timers the new state no longer has, and starts Timer N (RFC 6665 §4.1.2.4). */
    private MirrorRecord tidy(MirrorRecord before, MirrorRecord after, Instant now) {
        SubscriberDialog d = after.state().subscriber();
        MirrorRecord r = after;
        boolean live = d == SubscriberDialog.NOTIFY_WAIT || d == SubscriberDialog.PENDING || d == SubscriberDialog.ACTIVE;
        boolean ending = d == SubscriberDialog.CANCELLING || d == SubscriberDialog.UNSUBSCRIBING;
        if (!live && !ending && d != SubscriberDialog.SUBSCRIBING) {
            r = r.withSubscriber(Optional.empty());
        }
        if (!live) {
            r = r.withTimer(MirrorTimer.REFRESH, Optional.empty());
        }
        if (d == SubscriberDialog.NOTIFY_WAIT && before.state().subscriber() != SubscriberDialog.NOTIFY_WAIT) {
            r = r.withTimer(MirrorTimer.SUBSCRIBER_DEADLINE, Optional.of(now.plus(TIMER_N)));
        } else if (d == SubscriberDialog.UNSUBSCRIBING && before.state().subscriber() != SubscriberDialog.UNSUBSCRIBING) {
            r = r.withTimer(MirrorTimer.SUBSCRIBER_DEADLINE, Optional.of(now.plus(TIMER_N)));
        } else if (!live && !ending) {
            r = r.withTimer(MirrorTimer.SUBSCRIBER_DEADLINE, Optional.empty());
        }
        if (d != SubscriberDialog.RETRY_WAIT) {
            r = r.withTimer(MirrorTimer.RETRY, Optional.empty());
        }
        if (after.state().notifier() == NotifierDialog.IDLE) {
            r = r.withNotifier(Optional.empty()).withTimer(MirrorTimer.NOTIFIER_EXPIRY, Optional.empty());
        }
        return r;
    }

    /**
     * Writes the pair if it changed, by version: a write fails with {@link TakenOver} when the stored
     * record is no longer the one this node read or wrote last, i.e. a sibling has taken the pair over.
     */
    private CompletionStage<Void> persist(Pair pair, MirrorRecord before, MirrorRecord after) {
        if (store.isEmpty() || before.equals(after)) {
            return CompletableFuture.completedFuture(null);
        }
        String name = after.name();
        if (after.isEmpty()) {
            if (pair.version == StateStore.ABSENT) {
                return CompletableFuture.completedFuture(null);
            }
            return store.get().deleteIfVersion(name, pair.version).thenApply(deleted -> {
                if (!deleted) {
                    throw new TakenOver(name);
                }
                pair.version = StateStore.ABSENT;
                return null;
            });
        }
        return store.get().putIfVersion(name, pair.version, after).thenApply(version -> {
            pair.version = version.orElseThrow(() -> new TakenOver(name));
            return null;
        });
    }

    /** The stored pair has moved on without this node: a sibling took it over. */
    static final class TakenOver extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TakenOver(String name) {
            super("pair " + name + " was taken over by another node");
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private void reindex(String name, MirrorRecord before, MirrorRecord after) {
        Optional<DialogKey> old = before.subscriber().map(SubscriptionDialog::key);
        Optional<DialogKey> now = after.subscriber().map(SubscriptionDialog::key);
        if (!old.equals(now)) {
            old.ifPresent(k -> unindexDialog(k, name));
        }
        now.ifPresent(k -> indexDialog(k, name));
    }

    private static long dialogHash(DialogKey key) {
        long h = 0xcbf29ce484222325L;
        for (String part : new String[] {key.callId(), key.localTag(), key.remoteTag()}) {
            for (int i = 0; i < part.length(); i++) {
                h = (h ^ part.charAt(i)) * 0x100000001b3L;
            }
            // A separator no part contains (RFC 3261 §25.1: Call-IDs and tags are words and tokens).
            h = (h ^ 0x1f) * 0x100000001b3L;
        }
        return h;
    }

    private void indexDialog(DialogKey key, String name) {
        bySubscriberDialog.compute(dialogHash(key), (h, v) -> {
            if (v == null || v.equals(name)) {
                return name;
            }
            String[] names = v instanceof String one ? new String[] {one} : (String[]) v;
            for (String n : names) {
                if (n.equals(name)) {
                    return v;
                }
            }
            String[] more = Arrays.copyOf(names, names.length + 1);
            more[names.length] = name;
            return more;
        });
    }

    private void unindexDialog(DialogKey key, String name) {
        bySubscriberDialog.computeIfPresent(dialogHash(key), (h, v) -> {
            if (v instanceof String one) {
                return one.equals(name) ? null : v;
            }
            String[] names = (String[]) v;
            List<String> left = new ArrayList<>(List.of(names));
            left.remove(name);
            return left.isEmpty() ? null : left.size() == 1 ? left.get(0) : left.toArray(new String[0]);
        });
    }

    /** The name of the pair whose subscriber dialog is {@code key}, or null. */
    private String pairOfDialog(DialogKey key) {
        Object v = bySubscriberDialog.get(dialogHash(key));
        if (v == null) {
            return null;
        }
        for (String name : v instanceof String one ? new String[] {one} : (String[]) v) {
            Pair pair = pairs.get(name);
            if (pair != null && pair.record().subscriber().map(d -> d.key().equals(key)).orElse(false)) {
                return name;
            }
        }
        return null;
    }

    /**
     * Arms the pair's clock for the earliest of its record's timers (nothing when it has none or has left
     * the mirror); each timer fires when its time comes, as {@link #onDeadline} says.
     */
    private void arm(Pair pair, MirrorRecord r) {
        Instant first = null;
        for (MirrorTimer t : MirrorTimer.values()) {
            Optional<Instant> at = r.due(t);
            if (at.isPresent() && (first == null || at.get().isBefore(first))) {
                first = at.get();
            }
        }
        if (first == null || pairs.get(pair.name) != pair) {
            deadlines.disarm(pair);
            return;
        }
        long delay = millisUntil(first);
        deadlines.arm(pair, nanos(first), delay > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : delay * 1_000_000);
    }

    /** A pair's deadline has come (on the timer's thread): its due timers run on its lane. */
    private void onDeadline(Pair pair, long deadline) {
        lanes.submit(userOf(pair.name), () -> fireTimers(pair, deadline, 0));
    }

    /**
     * On the pair's lane: each timer due by {@code deadline} is cleared and its event stepped, in
     * {@link MirrorTimer} order, each at most once (a timer that a step sets again for the same time waits
     * for its own turn); then the clock is armed for what is left.
     */
    private CompletionStage<Void> fireTimers(Pair pair, long deadline, int fired) {
        if (pairs.get(pair.name) != pair) {
            return CompletableFuture.completedFuture(null);
        }
        MirrorRecord r = pair.record();
        for (MirrorTimer t : MirrorTimer.values()) {
            Optional<Instant> at = r.due(t);
            int bit = 1 << t.ordinal();
            if ((fired & bit) == 0 && at.isPresent() && nanos(at.get()) <= deadline) {
                pair.record(r.withTimer(t, Optional.empty()));
                return step(pair, t.event(), new Ctx()).thenCompose(x -> fireTimers(pair, deadline, fired | bit));
            }
        }
        arm(pair, r);
        return CompletableFuture.completedFuture(null);
    }

    /** Nanoseconds since the epoch, saturated (a deadline centuries away is as good as never). */
    static long nanos(Instant at) {
        try {
            return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
        } catch (ArithmeticException e) {
            return at.getEpochSecond() < 0 ? Long.MIN_VALUE + 1 : Long.MAX_VALUE;
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(0, nanos);
    }

    /** The user's part of a pair's store name ({@link MirrorRecord#name}): the lane key of its events. */
    private static String userOf(String name) {
        return name.substring(0, name.indexOf(' '));
    }

    /**
     * Loads every stored pair (nothing without a store) and indexes its dialogs, so that an in-dialog
     * request finds its subscription as soon as SIP listens. Call once, before the edges start; then
     * {@link #resume()} once they have.
     */
    public CompletionStage<Integer> restore() {
        if (store.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        AtomicInteger restored = new AtomicInteger();
        long started = System.nanoTime();
        AtomicLong lastProgress = new AtomicLong(started);
        return store.get().scanAll("", 500, page -> {
            for (Versioned<MirrorRecord> v : page) {
                MirrorRecord r = v.value();
                if (!r.owner().isEmpty() && !r.owner().equals(nodeId)) {
                    continue; // A sibling's: taken over only if that sibling is dead (takeOver()).
                }
                Pair pair = new Pair(r);
                pair.version = v.version();
                pairs.put(pair.name, pair);
                r.subscriber().ifPresent(s -> indexDialog(s.key(), pair.name));
                restored.incrementAndGet();
            }
            long now = System.nanoTime();
            if (now - lastProgress.get() >= PROGRESS_INTERVAL.toNanos()) {
                // The store cannot say how many records it holds without reading them, so no time left here.
                lastProgress.set(now);
                LOG.info("presence: restoring from the store: {} pairs so far, {}/s", restored.get(),
                        String.format(Locale.ROOT, "%.0f", restored.get() * 1e9 / Math.max(1, now - started)));
            }
            return CompletableFuture.completedFuture(null);
        }).thenApply(x -> {
            LOG.info("presence subscriptions restored: {} pairs", restored.get());
            return restored.get();
        });
    }

    /**
     * Sets the restored pairs' clocks going, once the edges run: each live SIP subscription is refreshed
     * in its dialog, and a SUBSCRIBE that was in flight when the node stopped is sent again, one at a
     * time at most {@link PresenceSettings#restoreRate()} a second, so that a node with many
     * subscriptions never sends them as a burst (RFC 8048 §8.1); the other timers keep their stored times.
     */
    public void resume() {
        int paced = resume(List.copyOf(pairs.values()));
        if (paced > 0) {
            LOG.info("presence: refreshing {} SIP subscriptions at up to {}/s", paced, settings.restoreRate());
        }
    }

    /** {@link #resume()} for some pairs; the number of SIP subscriptions queued for a refresh. */
    private int resume(List<Pair> resumed) {
        int paced = 0;
        Instant now = clock.instant().plusNanos(pacer.gapNanos * pacer.queued());
        for (Pair pair : resumed) {
            MirrorRecord r = pair.record();
            SubscriberDialog d = r.state().subscriber();
            MirrorEvent event = null;
            if (d == SubscriberDialog.NOTIFY_WAIT || d == SubscriberDialog.PENDING || d == SubscriberDialog.ACTIVE) {
                event = new MirrorEvent.RefreshDue();
            } else if (d == SubscriberDialog.RETRY_WAIT || d == SubscriberDialog.SUBSCRIBING) {
                // A SUBSCRIBE in flight when the node stopped has no outcome to wait for: send it again.
                event = new MirrorEvent.RetryDue();
            }
            if (event != null) {
                // The paced event replaces the stored refresh or retry time, and the subscription is not
                // given up before its turn comes.
                Instant turn = now.plusNanos(pacer.gapNanos * paced).plus(TIMER_N);
                r = r.withTimer(MirrorTimer.REFRESH, Optional.empty()).withTimer(MirrorTimer.RETRY, Optional.empty());
                if (r.subscriberDeadline().isPresent() && r.subscriberDeadline().get().isBefore(turn)) {
                    r = r.withTimer(MirrorTimer.SUBSCRIBER_DEADLINE, Optional.of(turn));
                }
                pair.record(r);
            }
            arm(pair, r);
            if (event == null) {
                continue;
            }
            paced++;
            MirrorEvent due = event;
            String name = r.name();
            String user = r.user().toString();
            lanes.submit(user, () -> {
                Pair p = pairs.get(name);
                if (p == null) {
                    return CompletableFuture.completedFuture(null);
                }
                if (due instanceof MirrorEvent.RetryDue
                        && p.record().state().subscriber() == SubscriberDialog.SUBSCRIBING) {
                    MirrorRecord r0 = p.record();
                    p.record(r0.withState(r0.state().withOutbound(r0.state().outbound(), SubscriberDialog.RETRY_WAIT)));
                }
                Ctx ctx = new Ctx();
                ctx.paced = true;
                return step(p, due, ctx);
            });
        }
        return paced;
    }

    /**
     * Takes over the pairs of siblings that are dead (their announcement expired, {@link Membership}):
     * each is claimed by version, so that two survivors never both hold it, then resumed as after a
     * restart: its SIP subscription refreshed in its dialog, which carries this node's Contact (a target
     * refresh, RFC 6665 §4.1.2.2), and its watched XMPP user probed, so that the next NOTIFY in the
     * contact's dialog goes out from this node. Runs after each heartbeat; one scan at a time.
     */
    public void takeOver() {
        if (membership.isEmpty() || store.isEmpty() || !takingOver.compareAndSet(false, true)) {
            return;
        }
        Map<String, CompletionStage<Boolean>> alive = new ConcurrentHashMap<>();
        List<CompletableFuture<Optional<Pair>>> claims = new ArrayList<>();
        store.get().scanAll("", 500, page -> {
            List<CompletionStage<?>> checks = new ArrayList<>();
            for (Versioned<MirrorRecord> v : page) {
                MirrorRecord r = v.value();
                if (pairs.containsKey(r.name()) || r.owner().equals(nodeId)) {
                    continue;
                }
                checks.add(alive.computeIfAbsent(r.owner(), o -> membership.get().isAlive(o)).thenAccept(up -> {
                    if (!up) {
                        claims.add(lanes.submit(r.user().toString(), () -> claim(v)));
                    }
                }));
            }
            return CompletableFuture.allOf(checks.stream().map(CompletionStage::toCompletableFuture)
                    .toArray(CompletableFuture[]::new));
        }).thenCompose(n -> CompletableFuture.allOf(claims.toArray(new CompletableFuture[0])))
                .whenComplete((x, error) -> {
                    takingOver.set(false);
                    if (error != null) {
                        LOG.warn("presence: takeover scan failed: {}", error.toString());
                        return;
                    }
                    List<Pair> taken = new ArrayList<>();
                    for (CompletableFuture<Optional<Pair>> c : claims) {
                        c.join().ifPresent(taken::add);
                    }
                    if (taken.isEmpty()) {
                        return;
                    }
                    int refreshed = resume(taken);
                    int probed = 0;
                    for (Pair p : taken) {
                        MirrorRecord r = p.record();
                        if (r.state().notifier() == NotifierDialog.ACTIVE) {
                            pacer.pace(() -> send(XmppSubscription.of(r.contactJid(), r.user(),
                                    XmppSubscriptionType.PROBE, Optional.of(newId()))));
                            probed++;
                        }
                    }
                    LOG.info("presence: took over {} pairs of dead nodes: {} SIP subscriptions to refresh, "
                            + "{} watched XMPP users to probe", taken.size(), refreshed, probed);
                });
    }

    /** Claims a dead sibling's pair on its lane: written with this node as owner if nobody changed it since. */
    private CompletionStage<Optional<Pair>> claim(Versioned<MirrorRecord> stored) {
        MirrorRecord r = stored.value();
        if (pairs.containsKey(r.name())) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        MirrorRecord mine = r.withOwner(nodeId);
        return store.get().putIfVersion(r.name(), stored.version(), mine).thenApply(version -> {
            if (version.isEmpty() || pairs.containsKey(r.name())) {
                return Optional.<Pair>empty();
            }
            Pair pair = new Pair(mine);
            pair.version = version.getAsLong();
            adopt(pair);
            return Optional.of(pair);
        });
    }

    // ---- Helpers ----------------------------------------------------------------------------------

    /** Runs {@code task} on the pair's lane, creating the pair if it is new. */
    private CompletableFuture<Void> submit(MirrorRecord fresh, Function<Pair, CompletionStage<Void>> task) {
        return lanes.submit(fresh.user().toString(), () -> pairFor(fresh, true).thenCompose(p -> task.apply(p.get())));
    }

    /** Runs {@code task} on the pair's lane if the pair exists: presence alone creates no state. */
    private void existing(MirrorRecord fresh, Function<Pair, CompletionStage<Void>> task) {
        lanes.submit(fresh.user().toString(), () -> pairFor(fresh, false).thenCompose(p -> p.isPresent()
                ? task.apply(p.get()) : CompletableFuture.completedFuture(null)));
    }

    /**
     * The pair, on its lane: from memory; else, when nodes share the store, as a sibling stored it (this
     * node takes it over with its next write); else new, if {@code create}.
     */
    private CompletionStage<Optional<Pair>> pairFor(MirrorRecord fresh, boolean create) {
        String name = fresh.name();
        Pair known = pairs.get(name);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        if (membership.isEmpty() || store.isEmpty()) {
            return CompletableFuture.completedFuture(create ? Optional.of(adopt(new Pair(fresh))) : Optional.empty());
        }
        return store.get().get(name).thenApply(stored -> {
            Pair again = pairs.get(name);
            if (again != null) {
                return Optional.of(again);
            }
            if (stored.isPresent()) {
                Pair pair = new Pair(stored.get().value());
                pair.version = stored.get().version();
                adopt(pair);
                arm(pair, stored.get().value());
                return Optional.of(pair);
            }
            return create ? Optional.of(adopt(new Pair(fresh))) : Optional.empty();
        });
    }

    private Pair adopt(Pair pair) {
        pairs.put(pair.name, pair);
        pair.record().subscriber().ifPresent(d -> indexDialog(d.key(), pair.name));
        return pair;
    }

    /** The pair of an XMPP user and the gateway address a stanza of theirs is sent to. */
    private Mapped<MirrorRecord> pairFromXmpp(Jid from, Jid to) {
        Mapped<ImUri> user = addresses.fromJid(from.bare());
        if (!user.isOk() || !addresses.isXmppUser(user.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    from + " is not a user of an XMPP domain this gateway serves");
        }
        Mapped<ImUri> contact = addresses.fromJid(to.bare());
        if (!contact.isOk()) {
            return contact.map(x -> null);
        }
        if (addresses.isXmppUser(contact.orThrow()) || to.local().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    to + " is not a SIP user");
        }
        return Mapped.ok(MirrorRecord.fresh(from.bare(), to.bare(), addresses.toSipUri(user.orThrow().bare()),
                addresses.toSipUri(contact.orThrow().bare())));
    }

    /** The pair of an XMPP user's SIP address (the presentity) and a SIP contact (the watcher). */
    private Mapped<MirrorRecord> pairFromSip(SipUri userUri, SipUri contactUri) {
        Mapped<ImUri> user = addresses.fromSip(userUri);
        Mapped<ImUri> contact = addresses.fromSip(contactUri);
        if (!user.isOk() || !contact.isOk() || !addresses.isXmppUser(user.orThrow())
                || addresses.isXmppUser(contact.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    "no XMPP user " + userUri + " for SIP contact " + contactUri);
        }
        ImUri u = user.orThrow().bare();
        ImUri c = contact.orThrow().bare();
        Mapped<Jid> userJid = addresses.toJid(u);
        if (!userJid.isOk()) {
            return userJid.map(x -> null);
        }
        // The contact appears under the component that serves the user's domain (XEP-0114 §3).
        Mapped<Jid> contactJid = addresses.toJid(c, userJid.orThrow().domain());
        if (!contactJid.isOk()) {
            return contactJid.map(x -> null);
        }
        return Mapped.ok(MirrorRecord.fresh(userJid.orThrow().bare(), contactJid.orThrow().bare(),
                addresses.toSipUri(u), addresses.toSipUri(c)));
    }

    private void send(XmppSubscription stanza) {
        links.sendSubscription(stanza).whenComplete((ok, error) -> {
            meters.presenceSent(Sent.SUBSCRIPTION, error == null);
            if (error != null) {
                LOG.info("presence: {} to {} not sent: {}", stanza.type().wireName(), stanza.to(), error.getMessage());
            }
        });
    }

    private void send(XmppPresence stanza) {
        links.sendPresence(stanza).whenComplete((ok, error) -> {
            meters.presenceSent(Sent.PRESENCE, error == null);
            if (error != null) {
                LOG.info("presence to {} not sent: {}", stanza.to(), error.getMessage());
            }
        });
    }

    /** Refresh ahead of expiry (RFC 6665 §4.1.2.2): at about 80% of it, with jitter so refreshes spread. */
    private static Duration refreshDelay(long expires) {
        if (expires <= 2) {
            return Duration.ofSeconds(1);
        }
        double fraction = 0.75 + ThreadLocalRandom.current().nextDouble(0.1);
        return Duration.ofMillis((long) (expires * 1000 * fraction));
    }

    private Duration backoff(int attempt) {
        long base = settings.retryInitial().toMillis() << Math.min(attempt, 16);
        long capped = Math.min(base, settings.retryMax().toMillis());
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble(0.4);
        return Duration.ofMillis((long) (capped * jitter));
    }

    private long millisUntil(Instant at) {
        return Math.max(0, Duration.between(clock.instant(), at).toMillis());
    }

    private static String newId() {
        return "isth-" + UUID.randomUUID();
    }

    /**
     * Ends this node's subscriptions when it stops for good and nothing will carry them on: without a
     * store (kept in memory only, they would dangle) and without siblings to take them over. Each SIP
     * watcher gets NOTIFY {@code terminated;reason=probation} with a {@code retry-after}, which tells it
     * to subscribe again later (RFC 6665 §4.2.2), and each subscription the gateway holds is ended
     * with SUBSCRIBE Expires 0 (§4.1.2.3). With a store, subscriptions are kept for the next start (or
     * the siblings), and nothing is sent.
     *
     * @param max        how long to wait for the answers
     * @param retryAfter the retry-after to give watchers, in seconds
     * @return how many subscriptions were ended
     */
    public int shutdown(Duration max, long retryAfter) {
        if (store.isPresent() || membership.isPresent()) {
            LOG.info("presence: {} pairs kept in the store for the next start", pairs.size());
            return 0;
        }
        List<CompletableFuture<?>> ends = new ArrayList<>();
        SubscriptionState probation = new SubscriptionState.Terminated(
                Optional.of(TerminationReason.PROBATION.token()),
                OptionalLong.of(retryAfter));
        for (Pair pair : pairs.values()) {
            MirrorRecord r = pair.record();
            r.notifier().ifPresent(d -> ends.add(links.notify(d, probation, Optional.empty())));
            SubscriberDialog d = r.state().subscriber();
            if (r.subscriber().isPresent() && (d == SubscriberDialog.NOTIFY_WAIT || d == SubscriberDialog.PENDING
                    || d == SubscriberDialog.ACTIVE)) {
                ends.add(links.refresh(r.subscriber().get(), 0));
            }
        }
        try {
            CompletableFuture.allOf(ends.toArray(new CompletableFuture[0])).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.info("presence: not every subscription answered its end within {} ms", max.toMillis());
        }
        LOG.info("presence: ended {} subscriptions on shutdown", ends.size());
        return ends.size();
    }

    /**
     * The pairs this node holds whose user or contact contains {@code filter} (all for an empty one),
     * for the session view; each is the record as last written.
     */
    public List<MirrorRecord> snapshot(String filter) {
        List<MirrorRecord> out = new ArrayList<>();
        for (Pair pair : pairs.values()) {
            MirrorRecord r = pair.record();
            if (filter.isEmpty() || r.user().toString().contains(filter) || r.contactUri().toString().contains(filter)
                    || r.contactJid().toString().contains(filter)) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(MirrorRecord::name));
        return out;
    }


    /**
     * Runs queued tasks one at a time, at most {@code rate} a second: each run is followed by a pause of
     * one interval, so a late timer never makes the next runs bunch up to catch up.
     */
    static final class Pacer {
        private final long gapNanos;
        private final ScheduledExecutorService timer;
        private final long progressNanos;
        private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean();
        // The current run of paced work, read and written by tick() only, one tick at a time.
        private long runStart;
        private long runDone;
        private long lastProgress;
        private boolean progressLogged;

        Pacer(int perSecond, ScheduledExecutorService timer) {
            this(perSecond, timer, PROGRESS_INTERVAL);
        }

        Pacer(int perSecond, ScheduledExecutorService timer, Duration progressInterval) {
            this.gapNanos = 1_000_000_000L / Math.max(1, perSecond);
            this.timer = timer;
            this.progressNanos = progressInterval.toNanos();
        }

        void pace(Runnable task) {
            queue.add(task);
            if (running.compareAndSet(false, true)) {
                timer.execute(this::tick);
            }
        }

        private void tick() {
            Runnable task = queue.poll();
            long now = System.nanoTime();
            if (task == null) {
                endRun(now);
                running.set(false);
                // A task queued between the poll and the reset would otherwise wait for the next pace().
                if (!queue.isEmpty() && running.compareAndSet(false, true)) {
                    timer.execute(this::tick);
                }
                return;
            }
            if (runDone == 0) {
                runStart = now;
                lastProgress = now;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("presence: paced task failed: {}", e.toString());
            }
            runDone++;
            if (now - lastProgress >= progressNanos) {
                lastProgress = now;
                progressLogged = true;
                int left = queue.size();
                double rate = runDone * 1e9 / Math.max(1, now - runStart);
                LOG.info("presence: restoring: {} paced sends done, {} to go, {}/s, about {} s left", runDone, left,
                        String.format(Locale.ROOT, "%.1f", rate), Math.round(left / Math.max(rate, 1e-3)));
            }
            timer.schedule(this::tick, gapNanos, TimeUnit.NANOSECONDS);
        }

        /** The queue ran dry: a run long enough to have reported progress says that it is over. */
        private void endRun(long now) {
            if (progressLogged) {
                LOG.info("presence: restoring: done, {} paced sends in {} s", runDone,
                        Math.round((now - runStart) / 1e9));
            }
            runDone = 0;
            progressLogged = false;
        }

        int queued() {
            return queue.size();
        }
    }
}
