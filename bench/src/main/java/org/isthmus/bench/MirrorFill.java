package org.isthmus.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import org.isthmus.gateway.config.PresenceSettings;
import org.isthmus.gateway.presence.PresenceLinks;
import org.isthmus.gateway.presence.SubscriptionMirror;
import org.isthmus.gateway.routing.Lanes;
import org.isthmus.gateway.store.EmbeddedStore;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.SipPresenceState;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.SipSubscribe;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * Fills the gateway's {@link SubscriptionMirror} in this process with N mirrored pairs and prints the
 * heap they take after a full GC (issue 7: 1,000,000 pairs within 1 GB). The mirror is the real one,
 * on the real {@link EmbeddedStore} (every change written and fsynced before it is acknowledged) and
 * real {@link Lanes}; only the wire is replaced: the edges are a {@link PresenceLinks} in this process
 * that answers as the peers of {@code bench/run-load.sh --presence} do (SUBSCRIBE 200 then NOTIFY
 * {@code active} with a PIDF; the XMPP user approves each request). Each pair goes through the same
 * events as in the peer run: the user subscribes to the contact (RFC 6121 §3.1), the contact to the
 * user (RFC 6665 §4.1), then the user's presence changes (RFC 8048 §6). What the peer run measures
 * through the wire at 10,000s of pairs, this measures at 1,000,000 without it.
 *
 * <pre>java -Xmx4g -cp bench/target/benchmarks.jar org.isthmus.bench.MirrorFill 1000000 [store-dir]</pre>
 */
public final class MirrorFill {

    private static final String XMPP_DOMAIN = "xmpp.test";
    private static final String COMPONENT = "sip.xmpp.test";
    private static final String SIP_DOMAIN = "sip.bench";
    private static final int CONTACTS_PER_USER = 20;
    private static final int WINDOW = 4_000;

    private final AddressMapper addresses = new AddressMapper(COMPONENT, Set.of(XMPP_DOMAIN));
    private final ExecutorService peer = Executors.newSingleThreadExecutor(r -> daemon(r, "fill-peer"));
    private final AtomicInteger subscribes = new AtomicInteger();
    private final AtomicInteger notifiesAnswered = new AtomicInteger();
    private final AtomicInteger approvals = new AtomicInteger();
    private final AtomicInteger watchersAccepted = new AtomicInteger();
    private final AtomicInteger notifiesWithBody = new AtomicInteger();
    private final AtomicLong tags = new AtomicLong();
    private final PresenceDocument contactDocument;
    private SubscriptionMirror mirror;

    private MirrorFill() {
        byte[] pidf = ("<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf'"
                + " entity='pres:pc@sip.bench'><tuple id='t1'><status><basic>open</basic></status>"
                + "<note>here</note></tuple></presence>").getBytes(StandardCharsets.UTF_8);
        contactDocument = new PidfParser().parse(pidf).orThrow();
    }

    /** Runs the fill: {@code N [store-dir]}; exits 1 when the pairs did not all complete within the bound. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path base = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "isthmus-fill-");
        int status = new MirrorFill().run(n, dir);
        System.exit(status);
    }

    private int run(int n, Path dir) throws Exception {
        // As the gateway builds its timer: cancelled tasks leave the queue at once.
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "fill-timer"));
        timer.setRemoveOnCancelPolicy(true);
        Lanes lanes = new Lanes(Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(30));
        long before = heapAfterGc();
        say(String.format(Locale.ROOT, "heap after GC before the mirror: %.1f MB; store in %s", before / 1e6, dir));
        long t0 = System.nanoTime();
        int status = 0;
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            mirror = new SubscriptionMirror(addresses, PresenceSettings.defaults(), new Links(), Optional.<StateStore>of(store),
                    lanes, timer, Clock.systemUTC(), Optional.empty());
            Duration bound = Duration.ofSeconds(Math.max(600, n / 50));
            status |= phase("user subscribes to contact", n, bound, notifiesAnswered::get, i ->
                    mirror.onSubscription(XmppSubscription.of(user(i), contactJid(i), XmppSubscriptionType.SUBSCRIBE,
                            Optional.of("s" + i))));
            status |= phase("contact subscribes to user", n, bound, watchersAccepted::get, this::watch);
            status |= phase("user's presence changes", n, bound, notifiesWithBody::get, i ->
                    mirror.onPresence(XmppPresence.available(userResource(i), contactJid(i)).withShow(Show.AWAY)
                            .withStatuses(List.of(LocalizedText.in("en", "fill " + i)))));
            double seconds = (System.nanoTime() - t0) / 1e9;
            Pause.sleep(1_000);
            long after = heapAfterGc();
            double perPair = (after - before) / (double) n;
            say(String.format(Locale.ROOT, "%d pairs in %.0f s (%d SUBSCRIBEs, %d approvals); heap after GC %.1f MB:"
                    + " %.0f bytes per mirrored pair; 1,000,000 pairs: %.2f GB (target 1 GB); store file %.1f MB",
                    n, seconds, subscribes.get(), approvals.get(), after / 1e6, perPair, perPair * 1e6 / 1e9,
                    Files.size(store.file()) / 1e6));
            long live = histogram(dir.resolveSibling(dir.getFileName() + "-histogram.txt"));
            if (live > 0) {
                // The histogram's own full GC, after the lanes and the store have settled: the live objects.
                say(String.format(Locale.ROOT, "live objects by the class histogram: %.1f MB, %.0f bytes per mirrored"
                        + " pair above the heap before the mirror", live / 1e6, (live - before) / (double) n));
            }
            // Keeps the mirror reachable up to the last reading.
            say("mirror holds " + mirror.snapshot("pu0@").size() + " pairs of pu0");
        } finally {
            lanes.close();
            timer.shutdownNow();
            peer.shutdownNow();
            deleteTree(dir);
        }
        return status;
    }

    /**
     * Issues {@code action(i)} for every pair, at most {@link #WINDOW} ahead of {@code done}, then waits
     * for all, within {@code limit}.
     */
    private static int phase(String name, int n, Duration limit, IntSupplier done, IntConsumer action) {
        long start = System.nanoTime();
        long bound = start + limit.toNanos();
        int base = done.getAsInt();
        for (int i = 0; i < n; i++) {
            while (i - (done.getAsInt() - base) > WINDOW && System.nanoTime() < bound) {
                Pause.sleep(1);
            }
            action.accept(i);
        }
        while (done.getAsInt() - base < n && System.nanoTime() < bound) {
            Pause.sleep(10);
        }
        int completed = done.getAsInt() - base;
        say(String.format(Locale.ROOT, "  %s: %d of %d in %.1f s", name, completed, n,
                (System.nanoTime() - start) / 1e9));
        return completed >= n ? 0 : 1;
    }

    /** A watcher's initial SUBSCRIBE, as the SIP edge hands it over (RFC 6665 §4.2.1). */
    private void watch(int i) {
        SipUri watcher = contactUri(i);
        SipUri presentity = userUri(i);
        SubscriptionDialog created = new SubscriptionDialog(SubscriptionDialog.Role.NOTIFIER, "w" + i + "@127.0.0.1",
                "g" + tags.incrementAndGet(), "w" + i, presentity, watcher, contactTarget(i), List.of(), 1, 1,
                SipSubscribe.PRESENCE_EVENT, Optional.empty(), Instant.now().plusSeconds(3600), false);
        SipSubscribe subscribe = new SipSubscribe(watcher, presentity, OptionalLong.of(3600),
                SipSubscribe.PRESENCE_EVENT, List.of(SipSubscribe.PIDF), false, Optional.of(created.callId()));
        mirror.onSubscribe(new SubscribeRequest(subscribe, Optional.empty(), Optional.of(created), 3600, 1,
                Optional.of(contactTarget(i)), Instant.now()));
    }

    /** The edges as the peers answer: in this process, each answer on the peer thread. */
    private final class Links implements PresenceLinks {

        @Override
        public CompletableFuture<Void> sendPresence(XmppPresence presence) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> sendSubscription(XmppSubscription s) {
            if (s.type() == XmppSubscriptionType.SUBSCRIBE) {
                // The user approves (RFC 6121 §3.1.4), from her bare JID, as her server sends it.
                approvals.incrementAndGet();
                peer.execute(() -> mirror.onSubscription(XmppSubscription.of(s.to(), s.from(),
                        XmppSubscriptionType.SUBSCRIBED, Optional.empty())));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<SubscribeOutcome> subscribe(SipUri presentity, SipUri watcher, long expires,
                SipTarget target) {
            subscribes.incrementAndGet();
            Instant now = Instant.now();
            SubscriptionDialog dialog = new SubscriptionDialog(SubscriptionDialog.Role.SUBSCRIBER,
                    "s" + tags.incrementAndGet() + "@127.0.0.1", "g" + tags.incrementAndGet(), "n" + tags.incrementAndGet(),
                    watcher, presentity, target.requestUri(), List.of(), 1, 0, SipSubscribe.PRESENCE_EVENT,
                    Optional.empty(), now.plusSeconds(expires), false);
            // The notifier's first NOTIFY, active with its PIDF, right after the 200 (RFC 6665 §4.2.1); it may
            // reach the mirror before the 200 does, so it names the SUBSCRIBE's dialog as the SIP edge does
            // (RFC 6665 §4.1.2.4), or the mirror would answer it 481 and give the pair up after Timer N.
            peer.execute(() -> mirror.onNotify(new NotifyRequest(dialog.key(), new SubscriptionState.Active(
                    OptionalLong.of(expires)), Optional.of(new SipPresenceState(presentity, watcher, Optional.empty(),
                    contactDocument)), Optional.empty(), 1, Optional.of(target.requestUri()), Optional.of(dialog),
                    Instant.now())).thenRun(notifiesAnswered::incrementAndGet));
            return CompletableFuture.completedFuture(new SubscribeOutcome(SipOutcome.of(SipStatus.of(200)),
                    Optional.of(dialog)));
        }

        @Override
        public CompletableFuture<SubscribeOutcome> refresh(SubscriptionDialog dialog, long expires) {
            return CompletableFuture.completedFuture(new SubscribeOutcome(SipOutcome.of(SipStatus.of(200)),
                    Optional.of(dialog)));
        }

        @Override
        public CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, SubscriptionState state,
                Optional<PresenceDocument> document) {
            if (state instanceof SubscriptionState.Active) {
                if (document.isPresent() && document.get().toString().contains("fill ")) {
                    notifiesWithBody.incrementAndGet();
                } else {
                    watchersAccepted.incrementAndGet();
                }
            }
            return CompletableFuture.completedFuture(new NotifyOutcome(SipOutcome.of(SipStatus.of(200)), dialog));
        }

        @Override
        public Mapped<SipTarget> route(SipUri contact) {
            return Mapped.ok(new SipTarget(contact, Optional.of(new SipHop("127.0.0.1", 5070, "udp")),
                    Optional.empty()));
        }
    }

    // ---- Addresses of pair i: user pu(i/20)@xmpp.test, contact pc(i)@sip.bench -----------------------

    private static Jid user(int i) {
        return Jid.parse("pu" + i / CONTACTS_PER_USER + "@" + XMPP_DOMAIN).orThrow();
    }

    private static Jid userResource(int i) {
        return Jid.parse("pu" + i / CONTACTS_PER_USER + "@" + XMPP_DOMAIN + "/phone").orThrow();
    }

    private static Jid contactJid(int i) {
        return Jid.parse("pc" + i + "\\40" + SIP_DOMAIN + "@" + COMPONENT).orThrow();
    }

    private static SipUri userUri(int i) {
        return SipUri.parse("sip:pu" + i / CONTACTS_PER_USER + "@" + XMPP_DOMAIN).orThrow();
    }

    private static SipUri contactUri(int i) {
        return SipUri.parse("sip:pc" + i + "@" + SIP_DOMAIN).orThrow();
    }

    private static SipUri contactTarget(int i) {
        return SipUri.parse("sip:pc" + i + "@127.0.0.1:5070").orThrow();
    }

    // ---- Heap ---------------------------------------------------------------------------------------

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Pause.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * {@code jcmd <this pid> GC.class_histogram}: the top 30 lines printed, all kept in {@code file}; returns
     * the histogram's total bytes, or -1 if it did not finish.
     */
    private static long histogram(Path file) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()),
                "GC.class_histogram").redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines.subList(0, Math.min(34, lines.size())).forEach(System.out::println);
        say("class histogram: " + file);
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[0].equals("Total")) {
                return Long.parseLong(parts[2]);
            }
        }
        return -1;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void say(String line) {
        System.out.println(line);
    }

    /** Sleeping without checked exceptions. */
    private static final class Pause {
        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
