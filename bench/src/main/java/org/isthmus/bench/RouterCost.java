package org.isthmus.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.isthmus.gateway.config.MessageSettings;
import org.isthmus.gateway.config.RegistrarSettings;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.RecentErrors;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.gateway.routing.Router;
import org.isthmus.gateway.routing.SipRoute;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.MultilingualBodies;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipOutcome;

/**
 * The gateway core's own cost per message, without the edges (issue 7): the real {@link Router} with
 * real address rules, meters and timer, its edges replaced by functions that succeed at once. Messages
 * are built before the measured loop; the loop hands them to the router from one thread, as an edge
 * thread would, and the error windows close on the router's timer. Prints, per message and direction,
 * the process's CPU time and the bytes allocated by all threads (both steadier than the end-to-end
 * driver on a shared machine), and, for SIP to XMPP, the heap still held per message after a full
 * collection while the late-error memory holds them all.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.isthmus.bench.RouterCost [messages] [rounds]</pre>
 */
public final class RouterCost {

    private RouterCost() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        AddressMapper addresses = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
        CompletableFuture<SipOutcome> delivered = CompletableFuture.completedFuture(SipOutcome.of(SipStatus.of(200)));
        Router router = new Router(addresses,
                new MessageSettings(Duration.ofMillis(5), 65_536, MultilingualBodies.PRIMARY_ONLY),
                new Registrar(new RegistrarSettings(Set.of(), 60, 3600, 3600), Clock.systemUTC()),
                Map.of("sip.bench", new SipRoute.Hop(new SipHop("127.0.0.1", 5060, "udp"))), Optional.empty(),
                m -> sent, (m, t) -> delivered, timer,
                new GatewayMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)), new RecentErrors());
        SipUri bob = SipUri.parse("sip:bob@sip.bench").orThrow();
        SipUri carol = SipUri.parse("sip:carol@xmpp.test").orThrow();
        Jid alice = Jid.parse("alice@xmpp.test/load").orThrow();
        Jid bobJid = Jid.parse("bob\\40sip.bench@sip.xmpp.test").orThrow();
        long seq = 0;
        for (int round = 1; round <= rounds; round++) {
            System.gc();
            long heapBefore = usedHeap();
            List<SipPagerMessage> fromSip = new ArrayList<>(messages);
            List<XmppMessage> fromXmpp = new ArrayList<>(messages);
            for (int i = 0; i < messages; i++) {
                seq++;
                String body = "isthmus-bench seq=" + seq + " s=1763790000.000000 us=123456.000000";
                fromSip.add(new SipPagerMessage(bob, carol, carol, Optional.of(seq + "-4242@127.0.0.1"),
                        MediaType.TEXT_PLAIN_UTF8, body.getBytes(StandardCharsets.UTF_8), Optional.empty(),
                        Optional.empty()));
                fromXmpp.add(new XmppMessage(alice, bobJid, Optional.of("m" + seq), MessageType.CHAT, Optional.empty(),
                        List.of(LocalizedText.of(body)), List.of(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty()));
            }
            System.gc();
            Sample s = Sample.now();
            CompletionStage<SipStatus> last = null;
            for (SipPagerMessage m : fromSip) {
                last = router.onMessage(m);
            }
            last.toCompletableFuture().get(60, TimeUnit.SECONDS);
            Thread.sleep(50);
            Sample sipDone = Sample.now();
            Sample x = Sample.now();
            for (XmppMessage m : fromXmpp) {
                router.onMessage(m);
            }
            Sample xmppDone = Sample.now();
            fromSip = null;
            fromXmpp = null;
            System.gc();
            // What this round's messages left on the heap: the late-error memory's entries (and, before
            // it was packed, the messages themselves, which it held).
            long held = usedHeap() - heapBefore;
            System.out.printf("round %d: SIP->XMPP %6.2f us CPU %6d bytes allocated a message, held after GC %5d"
                    + " bytes a message (late-error memory); XMPP->SIP %6.2f us CPU %6d bytes allocated%n", round,
                    (sipDone.cpu - s.cpu) / 1000.0 / messages, (sipDone.allocated - s.allocated) / messages,
                    held / messages, (xmppDone.cpu - x.cpu) / 1000.0 / messages,
                    (xmppDone.allocated - x.allocated) / messages);
        }
        timer.shutdownNow();
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** The process's CPU time and every live thread's allocated bytes, now. */
    private record Sample(long cpu, long allocated) {
        static Sample now() {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] ids = threads.getAllThreadIds();
            long allocated = 0;
            for (long a : threads.getThreadAllocatedBytes(ids)) {
                allocated += Math.max(0, a);
            }
            return new Sample(os.getProcessCpuTime(), allocated);
        }
    }
}
