package org.isthmus.gateway.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.subscription.AuthorizationState;
import org.isthmus.mapping.subscription.MirrorState;
import org.isthmus.mapping.subscription.NotifierDialog;
import org.isthmus.mapping.subscription.SubscriberDialog;

/**
 * Every meter of the gateway, named in one place (STYLE.md rule 8: dotted names, low-cardinality
 * tags). The parts that measure call the methods here and never name a meter themselves; the README's
 * "Metrics and admin API" section lists the same names.
 *
 * <p>Tag values come from fixed sets only: the SIP statuses and XMPP conditions the gateway itself
 * answers with are the rows of mapping's error tables, never a number or text a peer made up.
 */
public final class GatewayMeters {

    /** Messages relayed; tags {@code direction}, {@code outcome}, {@code reason}. */
    public static final String MESSAGES = "isthmus.messages";
    /** Time spent translating one message or presence document; tags {@code kind}, {@code direction}. */
    public static final String TRANSLATE = "isthmus.translate";
    /** Presence subscriptions held, by {@code direction} and RFC 6121 authorization {@code state}. */
    public static final String SUBSCRIPTIONS = "isthmus.presence.subscriptions";
    /** SIP subscription dialogs held, by {@code role} (subscriber, notifier) and RFC 6665 {@code state}. */
    public static final String DIALOGS = "isthmus.presence.dialogs";
    /** NOTIFYs and presence stanzas the mirror sent; tags {@code kind}, {@code outcome}. */
    public static final String PRESENCE_SENT = "isthmus.presence.sent";
    /** 1 while an XMPP link is up; tags {@code domain}, {@code kind}. */
    public static final String XMPP_LINK_UP = "isthmus.xmpp.link.up";
    /** 1 while the SIP edge listens. */
    public static final String SIP_UP = "isthmus.sip.up";
    /** Received MESSAGE transactions the SIP edge holds (RFC 3261 §17.2.2), waiting or kept for Timer J. */
    public static final String SIP_MESSAGE_TRANSACTIONS = "isthmus.sip.message.transactions";
    /** MESSAGEs refused with 503 because the edge held its most transactions. */
    public static final String SIP_MESSAGE_TRANSACTIONS_REFUSED = "isthmus.sip.message.transactions.refused";
    /** Users with events queued or running on their lane. */
    public static final String LANES_BUSY = "isthmus.lanes.busy";
    /**
     * End-to-end secured objects (RFC 3923) the gateway handled; tags {@code direction}, {@code kind}
     * (signed, opaque-signed, enveloped), {@code result} (the RFC 8601 result of the signature check, or
     * unchecked) and {@code action} (relayed, tagged, refused).
     */
    public static final String E2E = "isthmus.e2e.objects";
    /** State store operations; tags {@code operation}, {@code outcome}. */
    public static final String STORE = "isthmus.store.operations";
    /** Requests and stanzas refused by the partner policy or an abuse limit; tags {@code scope}, {@code kind}. */
    public static final String POLICY_REFUSED = "isthmus.policy.refused";
    /** Keys (sources, domains, users) with a token bucket of their own; tag {@code scope}. */
    public static final String POLICY_KEYS = "isthmus.policy.tracked";
    /** Configuration reloads; tag {@code outcome}: applied, restart_needed (applied in part), invalid. */
    public static final String CONFIG_RELOADS = "isthmus.config.reloads";

    /** Translations take microseconds; the buckets reach from there to a pathological 50 ms. */
    private static final Duration[] TRANSLATE_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(25_000),
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(50)};
    /** A store write is an fsync or a Redis round trip: from a fraction of a millisecond to seconds. */
    private static final Duration[] STORE_BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    /** How long one count of the subscriptions serves the gauges, so a scrape walks the pairs once. */
    private static final long COUNT_REUSE_NANOS = Duration.ofSeconds(1).toNanos();

    /** Which way a message, a document or a subscription request crossed. */
    public enum Direction {
        SIP_TO_XMPP, XMPP_TO_SIP;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What became of a relayed message: {@code accepted} (202 sent to the SIP sender),
     * {@code delivered} (2xx from the SIP recipient), {@code refused} (the gateway could not map or route
     * it), {@code failed} (the other side or the link failed it).
     */
    public enum Outcome {
        ACCEPTED, DELIVERED, REFUSED, FAILED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What was translated. */
    public enum Kind {
        MESSAGE, PRESENCE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the presence mirror sent: a SIP NOTIFY, an XMPP presence or an XMPP subscription stanza. */
    public enum Sent {
        NOTIFY, PRESENCE, SUBSCRIPTION;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Kind, Map<Direction, Timer>> translate = new EnumMap<>(Kind.class);
    private final Map<String, Timer> store = new ConcurrentHashMap<>();
    /**
     * The message counters already registered, by direction, outcome and reason as an index (see
     * {@link #sipIndex}, {@link #xmppIndex}): every relayed message counts once, so the lookup is an
     * array read, not a key string built per message (issue 7).
     */
    private final AtomicReferenceArray<Counter> sipMessages =
            new AtomicReferenceArray<>(Outcome.values().length * SIP_STATUSES);
    private final AtomicReferenceArray<Counter> xmppMessages =
            new AtomicReferenceArray<>(Outcome.values().length * (CONDITIONS + 1));
    /** SIP status codes are three digits, 100 to 699 (RFC 3261 §7.2). */
    private static final int SIP_STATUSES = 600;
    /** How many XMPP error conditions there are ({@code values()} copies its array at every call). */
    private static final int CONDITIONS = StanzaErrorCondition.values().length;

    /** @param registry where the meters are registered */
    public GatewayMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (Kind k : Kind.values()) {
            Map<Direction, Timer> byDirection = new EnumMap<>(Direction.class);
            for (Direction d : Direction.values()) {
                byDirection.put(d, Timer.builder(TRANSLATE)
                        .description("Time to translate one message or presence document between SIP and XMPP")
                        .tag("kind", k.tag()).tag("direction", d.tag())
                        .serviceLevelObjectives(TRANSLATE_BUCKETS)
                        .register(registry));
            }
            translate.put(k, byDirection);
        }
    }

    /** Meters that count nothing anywhere, for parts built without a registry (tests, tools). */
    public static GatewayMeters none() {
        // A composite registry without members hands out no-op meters.
        return new GatewayMeters(new CompositeMeterRegistry());
    }

    /**
     * Adds the JVM's own meters (memory, garbage collection, threads, CPU, uptime) to the registry.
     *
     * @return what to close when the gateway stops (the garbage-collection listener)
     */
    public AutoCloseable bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    // ---- Messages ---------------------------------------------------------------------------------

    /**
     * A SIP MESSAGE got its final response from the gateway.
     *
     * @param status the status the gateway answered with (202, or a row of RFC 7247 §7.1's table)
     */
    public void messageFromSip(Outcome outcome, int status) {
        if (status < 100 || status > 699) {
            message(Direction.SIP_TO_XMPP, outcome, Integer.toString(status)).increment();
            return;
        }
        int index = outcome.ordinal() * SIP_STATUSES + status - 100;
        Counter c = sipMessages.get(index);
        if (c == null) {
            c = message(Direction.SIP_TO_XMPP, outcome, Integer.toString(status));
            sipMessages.set(index, c);
        }
        c.increment();
    }

    /**
     * An XMPP message was delivered over SIP or answered with an error.
     *
     * @param condition the error the gateway returned to the XMPP sender (RFC 6120 §8.3.3), none when delivered
     */
    public void messageFromXmpp(Outcome outcome, Optional<StanzaErrorCondition> condition) {
        int reason = condition.map(c -> c.ordinal() + 1).orElse(0);
        int index = outcome.ordinal() * (CONDITIONS + 1) + reason;
        Counter c = xmppMessages.get(index);
        if (c == null) {
            c = message(Direction.XMPP_TO_SIP, outcome, condition.map(StanzaErrorCondition::elementName).orElse("none"));
            xmppMessages.set(index, c);
        }
        c.increment();
    }

    /** The counter of messages with these tags, registered on first use; counts nothing itself. */
    private Counter message(Direction direction, Outcome outcome, String reason) {
        String key = direction.tag() + '|' + outcome.tag() + '|' + reason;
        return counters.computeIfAbsent(key, k -> Counter.builder(MESSAGES)
                .description("Messages relayed, by what the sender was told: the SIP status (sip_to_xmpp) "
                        + "or the XMPP error condition (xmpp_to_sip)")
                .tag("direction", direction.tag()).tag("outcome", outcome.tag()).tag("reason", reason)
                .register(registry));
    }

    /** Records one translation that started at {@code startNanos} ({@link System#nanoTime()}). */
    public void translated(Kind kind, Direction direction, long startNanos) {
        translate.get(kind).get(direction).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * An end-to-end secured object was checked.
     *
     * @param stanza what carried it: message (RFC 3923 §3) or presence (§4)
     * @param kind   signed, opaque-signed or enveloped
     * @param result the signature check's result (pass, fail, neutral, policy, none) or unchecked
     * @param action relayed, tagged or refused
     */
    public void e2e(Direction direction, String stanza, String kind, String result, String action) {
        String key = "e2e|" + direction.tag() + '|' + stanza + '|' + kind + '|' + result + '|' + action;
        counters.computeIfAbsent(key, k -> Counter.builder(E2E)
                .description("End-to-end secured objects (RFC 3923), by the gateway's signature check and what it did")
                .tag("direction", direction.tag()).tag("stanza", stanza).tag("kind", kind).tag("result", result)
                .tag("action", action)
                .register(registry)).increment();
    }

    // ---- Presence ---------------------------------------------------------------------------------

    /** The mirror handed a NOTIFY or a stanza to an edge, which sent it ({@code ok}) or failed. */
    public void presenceSent(Sent what, boolean ok) {
        String outcome = ok ? "ok" : "failed";
        counters.computeIfAbsent("presence|" + what.tag() + '|' + outcome, k -> Counter.builder(PRESENCE_SENT)
                .description("NOTIFYs and presence stanzas the presence mirror sent")
                .tag("kind", what.tag()).tag("outcome", outcome)
                .register(registry)).increment();
    }

    /**
     * Gauges of the subscriptions held, counted from {@code states} (each pair's state) when scraped, at
     * most once a second: {@link #SUBSCRIPTIONS} by direction ({@code xmpp_to_sip}: an XMPP user's
     * subscription to a SIP contact; {@code sip_to_xmpp}: the reverse) and state (pending, granted), and
     * {@link #DIALOGS} by role and dialog state.
     */
    public void subscriptions(Supplier<List<MirrorState>> states) {
        SubscriptionCounts counts = new SubscriptionCounts(states);
        for (AuthorizationState a : AuthorizationState.values()) {
            if (a == AuthorizationState.NONE) {
                continue;
            }
            String state = a.name().toLowerCase(Locale.ROOT);
            Gauge.builder(SUBSCRIPTIONS, () -> counts.current().outbound.get(a))
                    .description("Presence subscriptions held").tag("direction", Direction.XMPP_TO_SIP.tag())
                    .tag("state", state).register(registry);
            Gauge.builder(SUBSCRIPTIONS, () -> counts.current().inbound.get(a))
                    .description("Presence subscriptions held").tag("direction", Direction.SIP_TO_XMPP.tag())
                    .tag("state", state).register(registry);
        }
        for (SubscriberDialog d : SubscriberDialog.values()) {
            if (d != SubscriberDialog.IDLE) {
                Gauge.builder(DIALOGS, () -> counts.current().subscriber.get(d))
                        .description("SIP subscription dialogs held").tag("role", "subscriber")
                        .tag("state", d.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        for (NotifierDialog d : NotifierDialog.values()) {
            if (d != NotifierDialog.IDLE) {
                Gauge.builder(DIALOGS, () -> counts.current().notifier.get(d))
                        .description("SIP subscription dialogs held").tag("role", "notifier")
                        .tag("state", d.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
    }

    // ---- Edges, lanes, store ------------------------------------------------------------------------

    /** A gauge that is 1 while the XMPP link of {@code domain} is up. */
    public void xmppLink(String domain, String kind, BooleanSupplier up) {
        Gauge.builder(XMPP_LINK_UP, () -> up.getAsBoolean() ? 1 : 0).description("1 while the XMPP link is up")
                .tag("domain", domain).tag("kind", kind).register(registry);
    }

    /**
     * A gauge that is 1 while the SIP edge listens, one of the MESSAGE transactions it holds, and a count of
     * the MESSAGEs it refused because it held its most ({@code sip.listen.max-message-transactions}).
     */
    public void sipEdge(BooleanSupplier listening, IntSupplier messageTransactions, LongSupplier refused) {
        Gauge.builder(SIP_UP, () -> listening.getAsBoolean() ? 1 : 0).description("1 while the SIP edge listens")
                .register(registry);
        Gauge.builder(SIP_MESSAGE_TRANSACTIONS, messageTransactions::getAsInt)
                .description("Received MESSAGE transactions held: waiting for the gateway, or answered and kept for"
                        + " retransmissions (RFC 3261 17.2.2)")
                .register(registry);
        FunctionCounter.builder(SIP_MESSAGE_TRANSACTIONS_REFUSED, refused, LongSupplier::getAsLong)
                .description("MESSAGEs answered 503 because the SIP edge held its most transactions")
                .register(registry);
    }

    /** A gauge of the users whose lane has events queued or running. */
    public void lanes(IntSupplier busy) {
        Gauge.builder(LANES_BUSY, busy::getAsInt).description("Users with events queued or running on their lane")
                .register(registry);
    }

    /** One state store operation took {@code nanos}. */
    public void storeOperation(String operation, boolean ok, long nanos) {
        String outcome = ok ? "ok" : "failed";
        store.computeIfAbsent(operation + '|' + outcome, k -> Timer.builder(STORE)
                .description("State store operations, until durable for writes")
                .tag("operation", operation).tag("outcome", outcome)
                .serviceLevelObjectives(STORE_BUCKETS)
                .register(registry)).record(Duration.ofNanos(nanos));
    }

    // ---- Policy and reloads -----------------------------------------------------------------------

    /**
     * A request or stanza was refused at the door.
     *
     * @param scope {@code sip_source}, {@code xmpp_domain}, {@code xmpp_user} (a limit) or {@code partner}
     * @param kind  {@code messages}, {@code subscriptions}, {@code presence}, or {@code other}
     */
    public void policyRefused(String scope, String kind) {
        counters.computeIfAbsent("policy|" + scope + '|' + kind, k -> Counter.builder(POLICY_REFUSED)
                .description("Requests and stanzas refused by the partner policy or an abuse limit")
                .tag("scope", scope).tag("kind", kind)
                .register(registry)).increment();
    }

    /** A gauge of the keys with a bucket of their own in one scope of the limits. */
    public void limitKeys(String scope, IntSupplier keys) {
        Gauge.builder(POLICY_KEYS, keys::getAsInt).description("Keys the abuse limits track")
                .tag("scope", scope).register(registry);
    }

    /** A configuration reload ended: {@code applied}, {@code restart_needed} or {@code invalid}. */
    public void configReload(String outcome) {
        counters.computeIfAbsent("reload|" + outcome, k -> Counter.builder(CONFIG_RELOADS)
                .description("Configuration reloads (SIGHUP)").tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** The subscription counts of one moment, recounted when older than {@link #COUNT_REUSE_NANOS}. */
    private static final class SubscriptionCounts {
        private final Supplier<List<MirrorState>> states;
        private Counts last;
        private long countedAt;

        SubscriptionCounts(Supplier<List<MirrorState>> states) {
            this.states = states;
        }

        synchronized Counts current() {
            long now = System.nanoTime();
            if (last == null || now - countedAt > COUNT_REUSE_NANOS) {
                last = Counts.of(states.get());
                countedAt = now;
            }
            return last;
        }
    }

    /** How many pairs are in each state. */
    private static final class Counts {
        final Map<AuthorizationState, Integer> outbound = zeros(AuthorizationState.class);
        final Map<AuthorizationState, Integer> inbound = zeros(AuthorizationState.class);
        final Map<SubscriberDialog, Integer> subscriber = zeros(SubscriberDialog.class);
        final Map<NotifierDialog, Integer> notifier = zeros(NotifierDialog.class);

        static Counts of(List<MirrorState> states) {
            Counts c = new Counts();
            for (MirrorState s : states) {
                c.outbound.merge(s.outbound(), 1, Integer::sum);
                c.inbound.merge(s.inbound(), 1, Integer::sum);
                c.subscriber.merge(s.subscriber(), 1, Integer::sum);
                c.notifier.merge(s.notifier(), 1, Integer::sum);
            }
            return c;
        }

        private static <E extends Enum<E>> Map<E, Integer> zeros(Class<E> type) {
            Map<E, Integer> m = new EnumMap<>(type);
            for (E e : type.getEnumConstants()) {
                m.put(e, 0);
            }
            return m;
        }
    }
}
