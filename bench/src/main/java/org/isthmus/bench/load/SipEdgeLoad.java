package org.isthmus.bench.load;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipEdge;
import org.isthmus.sip.SipHandler;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipRegistration;
import org.isthmus.sip.SipSettings;
import org.isthmus.sip.SipTarget;

/**
 * The SIP edge alone under load (issue 7): its CPU per 1000 MESSAGEs each way, without Prosody, the
 * XMPP link or the router, so that a change to sip/ can be measured apart from the rest. The edge runs in
 * this process on loopback UDP; SIPp is the peer both ways:
 * <ul>
 *   <li><b>inbound</b>: SIPp UAC ({@code uac_load.xml}) sends MESSAGEs at the rate; the handler answers
 *       202 from one "gateway" thread of its own, as the router answers from its timer;</li>
 *   <li><b>outbound</b>: a pacing thread calls {@link SipEdge#sendMessage} at the rate towards a SIPp UAS
 *       ({@code uas_load.xml}), which answers 200.</li>
 * </ul>
 * Each direction gets a warm-up, then a measured run; the process's utime + stime and each thread's
 * (from {@code /proc/self/task}, grouped by name without digits) are read before and after, so the
 * figures include the pacing thread (outbound) and the answering thread (inbound), shown apart.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.isthmus.bench.load.SipEdgeLoad [messages] [rate] [warmup]</pre>
 */
public final class SipEdgeLoad {

    private SipEdgeLoad() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        String only = args.length > 3 ? args[3] : "both";
        long ticks = ProcessCpu.ticksPerSecond();
        Path directory = Files.createTempDirectory("isthmus-sip-edge-load-");
        System.out.println("work directory " + directory);
        SippPeer.extractScenarios(directory);
        LoopbackPorts ports = new LoopbackPorts();
        ChildProcesses children = new ChildProcesses();
        ExecutorService answering = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-answer");
            t.setDaemon(true);
            return t;
        });
        AtomicLong received = new AtomicLong();
        SipHandler handler = new SipHandler() {
            @Override
            public CompletionStage<SipStatus> onMessage(SipPagerMessage message) {
                received.incrementAndGet();
                return CompletableFuture.supplyAsync(() -> SipStatus.of(202), answering);
            }

            @Override
            public CompletionStage<RegisterOutcome> onRegister(SipRegistration registration) {
                return CompletableFuture.completedFuture(new RegisterOutcome(SipStatus.of(403), List.of(), java.util.OptionalInt.empty()));
            }
        };
        int edgePort = ports.next();
        SipEdge edge = new SipEdge(SipSettings.of(LoopbackPorts.LOOPBACK, edgePort, "isthmus-bench"), handler);
        edge.start();
        ProcessCpu cpu = new ProcessCpu(ProcessHandle.current().pid(), ticks);
        try {
            Thread.sleep(2000);
            long idleBefore = cpu.millis();
            Thread.sleep(5000);
            System.out.printf("idle: %.1f ms CPU per second%n", (cpu.millis() - idleBefore) / 5.0);
            if (!only.equals("out")) {
                for (int round = 0; round < 2; round++) {
                    boolean measured = round == 1;
                    int count = measured ? messages : warmup;
                    long before = cpu.millis();
                    Map<String, Long> threadsBefore = threads(ticks);
                    long receivedBefore = received.get();
                    profile(measured, "start", directory.resolve("in.collapsed"));
                    long start = System.nanoTime();
                    int exit = SippPeer.runUac(directory, "in" + round, ports, children, edgePort,
                            "sip:bob@sip.bench", "sip:alice@xmpp.test", count, rate, Duration.ofSeconds(30));
                    Thread.sleep(400);
                    profile(measured, "stop", directory.resolve("in.collapsed"));
                    long spent = cpu.millis() - before;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("inbound %s: %d sent, %d received, SIPp exit %d, %.1f s, %.1f ms CPU per 1000%n",
                            measured ? "measured" : "warm-up", count, received.get() - receivedBefore, exit, seconds,
                            spent * 1000.0 / count);
                    if (measured) {
                        print(threadsBefore, threads(ticks), count);
                    }
                }
            }
            if (!only.equals("in")) {
                int uasPort = ports.next();
                try (SippPeer.Uas uas = SippPeer.startUas(directory, "out", ports, children, uasPort,
                        Duration.ofSeconds(600))) {
                    SipTarget target = SipTarget.via(SipUri.of("bob", "sip.bench"),
                            new SipHop(LoopbackPorts.LOOPBACK, uasPort, "udp"));
                    for (int round = 0; round < 2; round++) {
                        boolean measured = round == 1;
                        int count = measured ? messages : warmup;
                        long before = cpu.millis();
                        Map<String, Long> threadsBefore = threads(ticks);
                        long start = System.nanoTime();
                        profile(measured, "start", directory.resolve("out.collapsed"));
                        long[] outcomes = send(edge, target, count, rate);
                        profile(measured, "stop", directory.resolve("out.collapsed"));
                        long spent = cpu.millis() - before;
                        double seconds = (System.nanoTime() - start) / 1e9;
                        System.out.printf("outbound %s: %d sent, %d answered 200, %d other, %.1f s, %.1f ms CPU per 1000%n",
                                measured ? "measured" : "warm-up", count, outcomes[0], outcomes[1], seconds,
                                spent * 1000.0 / count);
                        if (measured) {
                            print(threadsBefore, threads(ticks), count);
                        }
                    }
                }
            }
        } finally {
            edge.close();
            children.stopAll();
            answering.shutdownNow();
        }
    }

    /**
     * With {@code -Dsipedge.profile=/path/libasyncProfiler.so} and async-profiler's jar on the class path,
     * records the measured run (event {@code -Dsipedge.event}, default cpu) as collapsed stacks with
     * thread names; otherwise nothing.
     */
    private static void profile(boolean measured, String action, Path file) {
        String library = System.getProperty("sipedge.profile");
        if (!measured || library == null) {
            return;
        }
        try {
            Class<?> type = Class.forName("one.profiler.AsyncProfiler");
            Object profiler = type.getMethod("getInstance", String.class).invoke(null, library);
            String command = action.equals("start")
                    ? "start,event=" + System.getProperty("sipedge.event", "cpu") + ",interval=1000000"
                    : "stop,collapsed,threads,file=" + file;
            System.out.println("profiler: " + type.getMethod("execute", String.class).invoke(profiler, command));
        } catch (ReflectiveOperationException e) {
            System.out.println("profiler unavailable: " + e);
        }
    }

    /** Sends {@code count} MESSAGEs at {@code rate}; waits (bounded) for all; {ok, other}. */
    private static long[] send(SipEdge edge, SipTarget target, int count, int rate) throws InterruptedException {
        SipUri from = SipUri.of("alice", "xmpp.test");
        SipUri to = SipUri.of("bob", "sip.bench");
        AtomicLong ok = new AtomicLong();
        AtomicLong other = new AtomicLong();
        List<CompletableFuture<SipOutcome>> futures = new ArrayList<>(count);
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long now = System.currentTimeMillis() * 1000;
            byte[] body = ("isthmus-bench seq=" + i + " s=" + now / 1_000_000 + ".000000 us=" + now % 1_000_000
                    + ".000000").getBytes(StandardCharsets.UTF_8);
            SipPagerMessage message = new SipPagerMessage(from, to, to, Optional.empty(), MediaType.TEXT_PLAIN_UTF8,
                    body, Optional.empty(), Optional.empty());
            futures.add(edge.sendMessage(message, target).whenComplete((outcome, failure) -> {
                if (outcome != null && outcome.status().code() == 200) {
                    ok.incrementAndGet();
                } else {
                    other.incrementAndGet();
                }
            }));
        }
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            System.out.println("not all answered: " + e);
        }
        return new long[] {ok.get(), other.get()};
    }

    /** CPU milliseconds per thread id, keyed "name#tid". */
    private static Map<String, Long> threads(long ticks) {
        Map<String, Long> out = new TreeMap<>();
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (File task : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"), StandardCharsets.US_ASCII);
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long utime = Long.parseLong(fields[11]);
                long stime = Long.parseLong(fields[12]);
                out.put(name + "#" + task.getName() + "#u", utime * 1000 / ticks);
                out.put(name + "#" + task.getName() + "#s", stime * 1000 / ticks);
            } catch (IOException | RuntimeException gone) {
                // ended while listed
            }
        }
        return out;
    }

    /** Per thread group (name without digits): user and system ms per 1000 messages. */
    private static void print(Map<String, Long> before, Map<String, Long> after, int count) {
        Map<String, long[]> groups = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            String[] parts = e.getKey().split("#");
            String group = parts[0].replaceAll("[0-9]+", "N");
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            long[] sums = groups.computeIfAbsent(group, g -> new long[2]);
            sums[parts[2].equals("u") ? 0 : 1] += delta;
        }
        groups.forEach((group, sums) -> {
            if (sums[0] + sums[1] > 0) {
                System.out.printf("   %-28s user %7.1f  sys %7.1f  ms/1000%n", group, sums[0] * 1000.0 / count,
                        sums[1] * 1000.0 / count);
            }
        });
    }
}
