package org.isthmus.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end load driver of issue 7. On loopback it starts a Prosody of its own and the built
 * Isthmus jar (as a child process, attached to Prosody as its XEP-0114 component), then drives them
 * with real peers, SIPp on the SIP side and {@link PipeliningXmppClient} on the XMPP side, and
 * prints, per direction: delivered messages/s at the offered rate, p50/p99/max latency (sender's
 * timestamp in the body to the receiver's clock, both this machine's wall clock), messages lost,
 * Isthmus's CPU time per 1000 messages, the same run with no gateway in between (SIPp → SIPp;
 * client → Prosody → client) as the ceiling, a ramp to the highest rate with nothing lost, and
 * Isthmus's start-to-ready time.
 *
 * <p>Paths: SIP→XMPP is SIPp UAC → Isthmus → Prosody → carol@xmpp.test; XMPP→SIP is
 * alice@xmpp.test → Prosody → Isthmus → SIPp UAS (a static route for {@code sip.bench}). With
 * Kamailio's xmpp module installed (or {@code --kamailio}), the same two paths through Kamailio
 * ({@link KamailioLauncher}, a second component of the same Prosody) for the Isthmus/Kamailio ratios.
 */
public final class LoadDriver {

    private static final String ALICE = "alice";
    private static final String CAROL = "carol";
    /** Messages each way through Kamailio before measuring (at most; --warmup if smaller). */
    private static final int KAMAILIO_WARMUP = 1_000;
    /** How long {@link #settle} waits for idle after --settle-seconds, at most. */
    static final int SETTLE_EXTRA_SECONDS = 30;
    private static final Map<String, String> USERS = Map.of(ALICE, "alice-pw", CAROL, "carol-pw");
    private static final String BOB = "bob";
    private static final String SIP_USER = "sip:" + BOB + "@" + GatewayLauncher.SIP_DOMAIN;
    /** bob@sip.bench as XMPP users see him through the component (XEP-0106 escaping, RFC 7247 §6). */
    private static final String SIP_USER_AS_JID = "bob\\40" + GatewayLauncher.SIP_DOMAIN + "@"
            + ProsodyLauncher.COMPONENT_DOMAIN;

    static final String SIP_TO_XMPP = "SIP→XMPP via Isthmus";
    static final String XMPP_TO_SIP = "XMPP→SIP via Isthmus";
    static final String KAMAILIO_SIP_TO_XMPP = "SIP→XMPP via Kamailio";
    static final String KAMAILIO_XMPP_TO_SIP = "XMPP→SIP via Kamailio";
    static final String SIPP_CEILING = "SIPp→SIPp (ceiling)";
    static final String XMPP_CEILING = "client→Prosody→client (ceiling)";

    private final LoadOptions options;
    private final Path directory;
    private final LoopbackPorts ports = new LoopbackPorts();
    private final ChildProcesses children = new ChildProcesses();
    private final long ticks = ProcessCpu.ticksPerSecond();
    private ProsodyLauncher prosody;
    private GatewayLauncher gateway;
    private int uasPort;
    private PipeliningXmppClient alice;
    private PipeliningXmppClient carol;
    private int runNumber;
    /** Messages offered through Isthmus so far (warm-up, runs, ramp), for the session's JIT and GC per message. */
    private long isthmusMessages;
    private KamailioLauncher kamailio;
    private int kamailioUasPort;
    /** Per Kamailio run that logged memory failures: "path at rate/s: count". */
    private final List<String> kamailioMemoryFailures = new ArrayList<>();

    private LoadDriver(LoadOptions options, Path directory) {
        this.options = options;
        this.directory = directory;
    }

    /** Runs the whole session; exit status 0 when it completed, 1 on a failure, 2 past --max-seconds. */
    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.print(LoadOptions.USAGE);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(64);
            return;
        }
        if (!Files.isRegularFile(options.jar())) {
            System.err.println("no gateway jar at " + options.jar().toAbsolutePath()
                    + ": build first (mvn -B -q install -DskipTests), or give --jar");
            System.exit(64);
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("isthmus-load-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LoadDriver driver = new LoadDriver(options, directory);
        Runtime.getRuntime().addShutdownHook(new Thread(driver.children::stopAll, "stop-children"));
        Thread watchdog = new Thread(() -> {
            ProsodyLauncher.sleep(options.maxSeconds() * 1000L);
            System.err.println("load driver: past --max-seconds " + options.maxSeconds() + ", stopping");
            System.exit(2);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int status = 0;
        try {
            driver.run();
        } catch (RuntimeException e) {
            System.err.println("load driver failed: " + e.getMessage() + "\n(work directory " + directory + ")");
            status = 1;
        } finally {
            driver.stop();
        }
        System.exit(status);
    }

    /**
     * A training start of the gateway that writes an AppCDS archive of the classes it loaded as it exits
     * (JDK 17's dynamic archive, {@code -XX:ArchiveClassesAtExit}), timed like the measured start: that is
     * the start without an archive. Its log is kept as {@code gateway-cds-training.log}.
     *
     * @return the archive
     */
    private Path trainCdsArchive(int sipPort) {
        Path archive = directory.resolve("isthmus.jsa");
        List<String> training = new ArrayList<>(options.gatewayJavaOptions());
        training.add("-XX:ArchiveClassesAtExit=" + archive);
        // The archive's own warnings (classes it cannot store) would otherwise fill the log.
        training.add("-Xlog:cds=off");
        GatewayLauncher trainer = GatewayLauncher.start(options.jar(), directory, prosody, sipPort, uasPort, training,
                children);
        trainer.awaitReady(Duration.ofSeconds(60), directory.resolve("gateway.log"));
        say(String.format(Locale.ROOT, "AppCDS training start, no archive: ready in %.0f ms from process start "
                + "(%.0f ms from its first log line)", trainer.startToReadyMillis(), trainer.firstLineToReadyMillis()));
        // The archive is written while the JVM exits, which takes a while on a busy machine.
        trainer.stop(Duration.ofSeconds(120));
        try {
            Files.move(directory.resolve("gateway.log"), directory.resolve("gateway-cds-training.log"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the training start wrote no AppCDS archive (see gateway-cds-training.log)");
        }
        say("AppCDS archive written: " + archive);
        return archive;
    }

    private void run() {
        long sessionStart = System.nanoTime();
        say("work directory " + directory + " (logs of every peer stay there)");
        if (options.presence() > 0) {
            new PresenceRun(options, directory, ports, children).run();
            return;
        }
        StringBuilder noKamailio = new StringBuilder();
        boolean kamailioInstalled = KamailioLauncher.xmppModule(noKamailio).isPresent();
        if (options.kamailio().orElse(false) && !kamailioInstalled) {
            throw new IllegalStateException("--kamailio, but " + noKamailio);
        }
        boolean withKamailio = options.kamailio().orElse(kamailioInstalled);
        String kamailioNote = withKamailio ? "" : options.kamailio().isPresent()
                ? "skipped (--no-kamailio)" : "skipped: " + noKamailio;
        if (!withKamailio) {
            say("Kamailio paths " + kamailioNote);
        }
        SippPeer.extractScenarios(directory);
        prosody = ProsodyLauncher.start(directory.resolve("prosody"), ports, children, USERS);
        say("Prosody up: c2s 127.0.0.1:" + prosody.c2sPort() + ", component :" + prosody.componentPort());
        alice = login(ALICE);
        carol = login(CAROL);
        carol.receiveInto(new Deliveries(0, 0));

        uasPort = ports.next();
        int sipPort = ports.next();
        List<String> javaOptions = new ArrayList<>(options.gatewayJavaOptions());
        if (options.jfr()) {
            javaOptions.add("-XX:StartFlightRecording=filename=" + directory.resolve("isthmus.jfr")
                    + ",settings=profile,dumponexit=true");
        }
        if (options.cds()) {
            javaOptions.add("-XX:SharedArchiveFile=" + trainCdsArchive(sipPort));
        }
        gateway = GatewayLauncher.start(options.jar(), directory, prosody, sipPort, uasPort, javaOptions, children);
        gateway.awaitReady(Duration.ofSeconds(60), directory.resolve("gateway.log"));
        double startToReady = gateway.startToReadyMillis();
        double firstLineToReady = gateway.firstLineToReadyMillis();
        say(String.format(Locale.ROOT, "Isthmus ready: %.0f ms from process start (%.0f ms from its first log line)",
                startToReady, firstLineToReady));

        ProcessCpu gatewayCpu = new ProcessCpu(gateway.pid(), ticks);
        long sessionCpuStart = gatewayCpu.millis();
        Map<String, long[]> sessionJvmStart = gatewayCpu.jvmThreads();
        double idleBefore = idleCpuMillisPerSecond();
        say(String.format(Locale.ROOT, "Isthmus idle (no messages, 5 s): %.1f ms CPU per second", idleBefore));

        if (withKamailio) {
            kamailioUasPort = ports.next();
            kamailio = KamailioLauncher.start(directory, prosody, ports, children, kamailioUasPort,
                    options.kamailioShmMb(), options.kamailioPkgMb(), options.kamailioChildren());
            double kamailioIdle = idleCpuMillisPerSecond(() -> kamailio.cpuMillis(ticks));
            String cpuSource = kamailio.preciseCpu() ? "CPU from /proc/<pid>/schedstat, in nanoseconds"
                    : "CPU from utime + stime in /proc/<pid>/stat, a 10 ms tick per process";
            kamailioNote = String.format(Locale.ROOT, "Kamailio %s with its xmpp module (component of Prosody as %s),"
                    + " -m %d -M %d (MB of shared memory, and of private memory per process; its defaults are %d and"
                    + " %d), %d UDP receiver processes, %d processes in all (%s); idle, no messages: %.1f ms CPU per"
                    + " second",
                    KamailioLauncher.version(directory, children), ProsodyLauncher.KAMAILIO_COMPONENT_DOMAIN,
                    options.kamailioShmMb(), options.kamailioPkgMb(), KamailioLauncher.DEFAULT_SHM_MB,
                    KamailioLauncher.DEFAULT_PKG_MB, options.kamailioChildren(), kamailio.pids().size(), cpuSource, kamailioIdle)
                    + (kamailio.shimmed() ? "; its xmpp module died of SIGSEGV on Prosody's first element without the"
                            + " driver's kamailio-expat-shim.so (LD_PRELOAD; the module reads expat's attribute list up to"
                            + " an empty name, expat ends it with NULL), so it runs with the shim" : "");
            say(kamailioNote);
        }

        if (options.warmup() > 0) {
            if (options.warmupMode() == LoadOptions.WarmupMode.MIXED) {
                say("warm-up through Isthmus: " + options.warmup() + " messages each way, both ways at once at "
                        + options.rate() / 2.0 + "/s each (--warmup-mode mixed)");
                mixed(options.warmup(), options.rate() / 2.0).forEach(r -> report(r, "  warm-up "));
            } else {
                say("warm-up through Isthmus: " + options.warmup() + " messages each way at " + options.rate()
                        + "/s, one way after the other (--warmup-mode separate)");
                report(sipToXmpp(options.warmup(), options.rate()), "  warm-up ");
                report(xmppToSip(options.warmup(), options.rate()), "  warm-up ");
            }
            if (options.settleSeconds() > 0) {
                Settle settled = settle(gatewayCpu(), options.warmup() * 2);
                say(String.format(Locale.ROOT, "  warm-up's deferred work: %s", settled.describe()));
            }
            if (kamailio != null) {
                // Kamailio compiles nothing at run time; a short warm-up fills its memory pools and checks the paths.
                int kamailioWarmup = Math.min(options.warmup(), KAMAILIO_WARMUP);
                say("warm-up through Kamailio: " + kamailioWarmup + " messages each way at " + options.rate() + "/s");
                report(kamailioSipToXmpp(kamailioWarmup, options.rate()), "  warm-up ");
                report(kamailioXmppToSip(kamailioWarmup, options.rate()), "  warm-up ");
            }
        }

        int n = options.messages();
        int r = options.rate();
        say("fixed rate: " + n + " messages each way at " + r + "/s, one path at a time"
                + (options.repeat() > 1 ? ", " + options.repeat() + " rounds of every path" : "")
                + (options.settleSeconds() > 0 ? "; after each gateway run, its deferred CPU over " + options.settleSeconds()
                        + " s and until idle" : ""));
        Map<String, List<RunResult>> rounds = new LinkedHashMap<>();
        for (int round = 1; round <= options.repeat(); round++) {
            for (Map.Entry<String, Runner> path : runners().entrySet()) {
                RunResult result = path.getValue().run(n, r);
                Optional<GatewayCpu> cpu = measuredGateway(path.getKey());
                if (options.settleSeconds() > 0 && cpu.isPresent()) {
                    Settle settled = settle(cpu.get(), n);
                    result = result.withDeferred(settled.deferred());
                }
                report(result, options.repeat() > 1 ? "  " + round + "/" + options.repeat() + " " : "  ");
                rounds.computeIfAbsent(path.getKey(), k -> new ArrayList<>()).add(result);
            }
        }
        List<RunResult> fixed = new ArrayList<>();
        for (List<RunResult> runs : rounds.values()) {
            fixed.add(RunResult.median(runs));
        }
        if (options.repeat() > 1) {
            say("median of " + options.repeat() + " runs per path:");
            fixed.forEach(result -> report(result, "  median "));
        }

        Map<String, List<RunResult>> ramps = new LinkedHashMap<>();
        if (!options.ramp().isEmpty()) {
            say("ramp: " + options.ramp() + " messages/s, " + options.stepSeconds()
                    + " s each, up to the first step with a loss or delivery below 95 % of the offer");
            for (Map.Entry<String, Runner> path : runners().entrySet()) {
                List<RunResult> steps = new ArrayList<>();
                for (int rate : options.ramp()) {
                    RunResult step = path.getValue().run(rate * options.stepSeconds(), rate);
                    report(step, "  ");
                    steps.add(step);
                    if (!step.sustained()) {
                        break;
                    }
                }
                ramps.put(path.getKey(), steps);
            }
        }
        double idleAfter = idleCpuMillisPerSecond();
        long[] sessionJvm = ProcessCpu.jvmDelta(sessionJvmStart, gatewayCpu.jvmThreads());
        long sessionCpu = gatewayCpu.millis() - sessionCpuStart;
        say(String.format(Locale.ROOT, "Isthmus from ready to the end: %.1f s CPU, of it JIT %.1f s and GC %.1f s, for %d"
                + " messages offered through it: %.0f ms per 1000 (JIT %.0f, GC %.0f), idle periods included",
                sessionCpu / 1e3, sessionJvm[0] / 1e3, sessionJvm[1] / 1e3, isthmusMessages,
                sessionCpu * 1000.0 / Math.max(1, isthmusMessages), sessionJvm[0] * 1000.0 / Math.max(1, isthmusMessages),
                sessionJvm[1] * 1000.0 / Math.max(1, isthmusMessages)));
        say(String.format(Locale.ROOT, "Isthmus idle after the runs (5 s): %.1f ms CPU per second", idleAfter));
        if (!kamailioMemoryFailures.isEmpty()) {
            kamailioNote += "; **Kamailio logged failures to allocate memory** (kamailio.log; each a message it could"
                    + " not build or keep, raise --kamailio-shm): " + String.join(", ", kamailioMemoryFailures);
        }
        if (kamailio != null && !kamailio.isAlive()) {
            String death = ChildProcesses.tail(kamailioLog(), 400).lines()
                    .filter(line -> line.contains("exited by a signal")).findFirst()
                    .map(line -> " (its log: \"" + line.substring(line.indexOf("child process")) + "\")").orElse("");
            kamailioNote += "; **Kamailio exited during the session**" + death + " (see kamailio.log in the work"
                    + " directory): its later runs lost everything";
            say("Kamailio exited during the session:\n" + ChildProcesses.tail(kamailioLog(), 20));
        }
        double sessionSeconds = (System.nanoTime() - sessionStart) / 1e9;
        System.out.println();
        System.out.println(LoadReport.render(options, fixed, rounds, ramps, startToReady, firstLineToReady,
                idleBefore, idleAfter, sessionSeconds, Runtime.getRuntime().availableProcessors(), kamailioNote));
    }

    /** The paths, Isthmus's first, then Kamailio's when it runs, each a bounded run of (count, rate). */
    private Map<String, Runner> runners() {
        Map<String, Runner> paths = new LinkedHashMap<>();
        paths.put(SIP_TO_XMPP, this::sipToXmpp);
        paths.put(XMPP_TO_SIP, this::xmppToSip);
        if (kamailio != null) {
            paths.put(KAMAILIO_SIP_TO_XMPP, this::kamailioSipToXmpp);
            paths.put(KAMAILIO_XMPP_TO_SIP, this::kamailioXmppToSip);
        }
        paths.put(SIPP_CEILING, this::sippCeiling);
        paths.put(XMPP_CEILING, this::xmppCeiling);
        return paths;
    }

    @FunctionalInterface
    private interface Runner {
        RunResult run(int count, int rate);
    }

    /**
     * A gateway's CPU readings for the deferred work: all its threads (processes), and its JIT and GC
     * threads apart ({jit, gc} milliseconds since an earlier reading; empty for Kamailio).
     */
    private record GatewayCpu(java.util.function.LongSupplier millis,
            java.util.function.Supplier<Map<String, long[]>> jvmThreads) {
    }

    private GatewayCpu gatewayCpu() {
        ProcessCpu cpu = new ProcessCpu(gateway.pid(), ticks);
        return new GatewayCpu(cpu::millis, cpu::jvmThreads);
    }

    /** The gateway whose deferred work follows a run of this path: Isthmus's or Kamailio's; none for a ceiling. */
    private Optional<GatewayCpu> measuredGateway(String path) {
        if (path.equals(SIP_TO_XMPP) || path.equals(XMPP_TO_SIP)) {
            return Optional.of(gatewayCpu());
        }
        if (kamailio != null && (path.equals(KAMAILIO_SIP_TO_XMPP) || path.equals(KAMAILIO_XMPP_TO_SIP))) {
            return Optional.of(new GatewayCpu(() -> Math.round(kamailio.cpuMillis(ticks)), Map::of));
        }
        return Optional.empty();
    }

    /** What {@link #settle} measured, in milliseconds of CPU ({@code jit} and {@code gc} -1 for Kamailio). */
    private record Settle(RunResult.Deferred deferred, long millis, long jit, long gc, double idleRate) {
        String describe() {
            return String.format(Locale.ROOT, "%d ms CPU above its idle %.1f ms/s (JIT %d, GC %d) in %.0f s%s", millis,
                    idleRate, jit, gc, deferred.seconds(), deferred.settled() ? " until idle" : ", **not idle** at the bound");
        }
    }

    /**
     * Waits --settle-seconds (Timer J keeps a UDP server transaction 32 s, Timer K a client one
     * 5 s, RFC 3261 §17), then on until the gateway is idle (a 2 s window with at most --settled-below ms
     * CPU per second; at most {@link #SETTLE_EXTRA_SECONDS} more), and returns the CPU it spent from now (a
     * run's last arrival + 0.4 s) until then, less its idle rate (the quietest 2 s window of the wait) over
     * that time, per 1000 of the run's messages: the work the run pushed past its window (expiring
     * transactions, collections, compiles), which a figure read at the last arrival leaves out or hands to
     * whichever run comes next.
     */
    private Settle settle(GatewayCpu cpu, int messages) {
        long start = cpu.millis().getAsLong();
        Map<String, long[]> jvmStart = cpu.jvmThreads().get();
        long startNanos = System.nanoTime();
        long least = startNanos + options.settleSeconds() * 1_000_000_000L;
        long deadline = least + SETTLE_EXTRA_SECONDS * 1_000_000_000L;
        long window = start;
        long windowNanos = startNanos;
        double idleRate = Double.MAX_VALUE;
        boolean settled = false;
        long now = start;
        while (System.nanoTime() < deadline) {
            ProsodyLauncher.sleep(2_000);
            now = cpu.millis().getAsLong();
            long nowNanos = System.nanoTime();
            if (now < 0) {
                break;
            }
            double rate = (now - window) * 1e9 / (nowNanos - windowNanos);
            idleRate = Math.min(idleRate, rate);
            window = now;
            windowNanos = nowNanos;
            if (nowNanos >= least && rate <= options.settledMillisPerSecond()) {
                settled = true;
                break;
            }
        }
        double seconds = (windowNanos - startNanos) / 1e9;
        long[] jvm = ProcessCpu.jvmDelta(jvmStart, cpu.jvmThreads().get());
        boolean isJvm = !jvmStart.isEmpty();
        double idle = idleRate == Double.MAX_VALUE ? 0 : idleRate * seconds;
        double total = Math.max(0, now - start - idle);
        return new Settle(new RunResult.Deferred(total * 1000.0 / messages,
                isJvm ? jvm[0] * 1000.0 / messages : Double.NaN, isJvm ? jvm[1] * 1000.0 / messages : Double.NaN,
                seconds, settled), Math.round(total), isJvm ? jvm[0] : -1, isJvm ? jvm[1] : -1,
                idleRate == Double.MAX_VALUE ? Double.NaN : idleRate);
    }

    /**
     * Both directions through Isthmus at the same time, {@code count} messages each way at {@code rate}
     * each: the SIPp UAC on a thread of its own while alice sends. The gateway's CPU, read once for
     * both, is given per 1000 messages of both directions in both results.
     */
    private List<RunResult> mixed(int count, double rate) {
        isthmusMessages += 2L * count;
        int round = ++runNumber;
        String tag = "run" + round + "-mixed-";
        try (SippPeer.Uas uas = SippPeer.startUas(directory, tag + "xmpp-sip", ports, children, uasPort,
                bound(count, (int) Math.max(1, rate)))) {
            long now = PipeliningXmppClient.nowMicros();
            Deliveries toXmpp = new Deliveries(count, now);
            Deliveries toSip = new Deliveries(count, now);
            carol.receiveInto(toXmpp);
            alice.receiveInto(toSip);
            Cpu cpu = Cpu.start(gateway.pid(), prosody.pid(), ticks);
            Thread uac = new Thread(() -> SippPeer.runUac(directory, tag + "sip-xmpp", ports, children,
                    gateway.sipPort(), SIP_USER, "sip:" + CAROL + "@" + ProsodyLauncher.XMPP_DOMAIN, count, rate,
                    drain()), "mixed-uac");
            uac.start();
            alice.sendPaced(SIP_USER_AS_JID, count, rate);
            try {
                // runUac is bounded by the offer's time plus the drain (and kills SIPp 10 s after that).
                uac.join(bound(count, (int) Math.max(1, rate)).toMillis() + 15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            awaitDeliveries(toXmpp, () -> { });
            awaitDeliveries(toSip, () -> uas.collect(toSip));
            double[] both = cpu.gatewayPer1000(2 * count);
            double prosodyBoth = cpu.prosodyPer1000(2 * count);
            return List.of(toXmpp.result(SIP_TO_XMPP + ", mixed", rate, both, prosodyBoth),
                    toSip.result(XMPP_TO_SIP + ", mixed", rate, both, prosodyBoth));
        }
    }

    /** Isthmus's CPU time over 5 s with no messages, per second: what every run's figure includes. */
    private double idleCpuMillisPerSecond() {
        ProcessCpu cpu = new ProcessCpu(gateway.pid(), ticks);
        return idleCpuMillisPerSecond(() -> cpu.millis());
    }

    /** A gateway's CPU time (ms, from the reading given) over 5 s with no messages, per second. */
    private static double idleCpuMillisPerSecond(java.util.function.DoubleSupplier cpuMillis) {
        double start = cpuMillis.getAsDouble();
        long startNanos = System.nanoTime();
        ProsodyLauncher.sleep(5_000);
        return (cpuMillis.getAsDouble() - start) * 1e9 / (System.nanoTime() - startNanos);
    }

    private PipeliningXmppClient login(String user) {
        return PipeliningXmppClient.login(prosody.c2sPort(), ProsodyLauncher.XMPP_DOMAIN, user, USERS.get(user),
                Duration.ofSeconds(20));
    }

    /** SIPp UAC → Isthmus → Prosody → carol. */
    private RunResult sipToXmpp(int count, int rate) {
        isthmusMessages += count;
        String tag = "run" + (++runNumber) + "-sip-xmpp-" + rate;
        Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
        carol.receiveInto(deliveries);
        Cpu cpu = Cpu.start(gateway.pid(), prosody.pid(), ticks);
        SippPeer.runUac(directory, tag, ports, children, gateway.sipPort(), SIP_USER,
                "sip:" + CAROL + "@" + ProsodyLauncher.XMPP_DOMAIN, count, rate, drain());
        awaitDeliveries(deliveries, () -> { });
        return deliveries.result(SIP_TO_XMPP, rate, cpu.gatewayPer1000(count), cpu.prosodyPer1000(count));
    }

    /** alice → Prosody → Isthmus → SIPp UAS. */
    private RunResult xmppToSip(int count, int rate) {
        isthmusMessages += count;
        String tag = "run" + (++runNumber) + "-xmpp-sip-" + rate;
        try (SippPeer.Uas uas = SippPeer.startUas(directory, tag, ports, children, uasPort, bound(count, rate))) {
            Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
            alice.receiveInto(deliveries);
            Cpu cpu = Cpu.start(gateway.pid(), prosody.pid(), ticks);
            alice.sendPaced(SIP_USER_AS_JID, count, rate);
            awaitDeliveries(deliveries, () -> uas.collect(deliveries));
            return deliveries.result(XMPP_TO_SIP, rate, cpu.gatewayPer1000(count), cpu.prosodyPer1000(count));
        }
    }

    /**
     * SIPp UAC → Kamailio (xmpp module) → Prosody → carol: the UAC addresses carol in the module's
     * style, {@code sip:carol*xmpp.test@kamailio-gw.bench}, and Kamailio's UDP port is its next hop.
     */
    private RunResult kamailioSipToXmpp(int count, int rate) {
        String tag = "run" + (++runNumber) + "-kamailio-sip-xmpp-" + rate;
        Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
        carol.receiveInto(deliveries);
        Cpu cpu = Cpu.start(-1, prosody.pid(), ticks);
        double kamailioStart = kamailio.cpuMillis(ticks);
        long memoryFailures = kamailio.memoryFailures(kamailioLog());
        SippPeer.runUac(directory, tag, ports, children, kamailio.sipPort(), SIP_USER,
                KamailioLauncher.sipUriOfJid(CAROL, ProsodyLauncher.XMPP_DOMAIN), count, rate, drain());
        awaitDeliveries(deliveries, () -> { });
        RunResult result = deliveries.result(KAMAILIO_SIP_TO_XMPP, rate, kamailioPer1000(kamailioStart, count),
                cpu.prosodyPer1000(count));
        noteMemoryFailures(result, memoryFailures);
        return result;
    }

    /**
     * alice → Prosody → Kamailio (xmpp module) → SIPp UAS: alice addresses bob in the module's style,
     * {@code bob*sip.bench@kamailio.xmpp.test}; Kamailio sends the MESSAGE to its outbound proxy, this
     * path's UAS.
     */
    private RunResult kamailioXmppToSip(int count, int rate) {
        String tag = "run" + (++runNumber) + "-kamailio-xmpp-sip-" + rate;
        try (SippPeer.Uas uas = SippPeer.startUas(directory, tag, ports, children, kamailioUasPort, bound(count, rate))) {
            Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
            alice.receiveInto(deliveries);
            Cpu cpu = Cpu.start(-1, prosody.pid(), ticks);
            double kamailioStart = kamailio.cpuMillis(ticks);
            long memoryFailures = kamailio.memoryFailures(kamailioLog());
            alice.sendPaced(KamailioLauncher.jidOfSipUser(BOB, GatewayLauncher.SIP_DOMAIN), count, rate);
            awaitDeliveries(deliveries, () -> uas.collect(deliveries));
            RunResult result = deliveries.result(KAMAILIO_XMPP_TO_SIP, rate, kamailioPer1000(kamailioStart, count),
                    cpu.prosodyPer1000(count));
            noteMemoryFailures(result, memoryFailures);
            return result;
        }
    }

    private Path kamailioLog() {
        return directory.resolve("kamailio.log");
    }

    /** Says, and keeps for the report, how many memory failures Kamailio logged during a run. */
    private void noteMemoryFailures(RunResult result, long before) {
        long failures = kamailio.memoryFailures(kamailioLog()) - before;
        if (failures > 0) {
            String entry = String.format(Locale.ROOT, "%s at %.0f/s: %d", result.path(), result.offeredRate(), failures);
            kamailioMemoryFailures.add(entry);
            say("  Kamailio logged memory allocation failures during this run: " + entry);
        }
    }

    /** Kamailio's CPU (all its processes) per 1000 messages since a reading: {total, NaN, NaN} (no JIT, no GC). */
    private double[] kamailioPer1000(double start, int count) {
        double end = kamailio.cpuMillis(ticks);
        double total = start < 0 || end < 0 ? Double.NaN : (end - start) * 1000.0 / count;
        return new double[] {total, Double.NaN, Double.NaN};
    }

    /** SIPp UAC → SIPp UAS, no gateway. */
    private RunResult sippCeiling(int count, int rate) {
        String tag = "run" + (++runNumber) + "-sipp-sipp-" + rate;
        int port = ports.next();
        try (SippPeer.Uas uas = SippPeer.startUas(directory, tag, ports, children, port, bound(count, rate))) {
            Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
            SippPeer.runUac(directory, tag, ports, children, port, SIP_USER, "sip:alice@" + GatewayLauncher.SIP_DOMAIN,
                    count, rate, drain());
            awaitDeliveries(deliveries, () -> uas.collect(deliveries));
            return deliveries.result(SIPP_CEILING, rate, new double[] {Double.NaN, Double.NaN, Double.NaN}, Double.NaN);
        }
    }

    /** alice → Prosody → carol, no gateway. */
    private RunResult xmppCeiling(int count, int rate) {
        runNumber++;
        Deliveries deliveries = new Deliveries(count, PipeliningXmppClient.nowMicros());
        carol.receiveInto(deliveries);
        alice.receiveInto(deliveries);
        Cpu cpu = Cpu.start(-1, prosody.pid(), ticks);
        alice.sendPaced(CAROL + "@" + ProsodyLauncher.XMPP_DOMAIN, count, rate);
        awaitDeliveries(deliveries, () -> { });
        return deliveries.result(XMPP_CEILING, rate, new double[] {Double.NaN, Double.NaN, Double.NaN},
                cpu.prosodyPer1000(count));
    }

    /**
     * Waits until every message arrived or the drain time is up, then a little longer, so that the
     * CPU read afterwards includes the work on the final responses.
     */
    private void awaitDeliveries(Deliveries deliveries, Runnable collect) {
        long deadline = System.nanoTime() + drain().toNanos();
        collect.run();
        while (deliveries.delivered() < deliveries.expected() && System.nanoTime() < deadline) {
            ProsodyLauncher.sleep(20);
            collect.run();
        }
        ProsodyLauncher.sleep(400);
        collect.run();
    }

    private Duration drain() {
        return Duration.ofSeconds(options.drainSeconds());
    }

    private Duration bound(int count, int rate) {
        return Duration.ofSeconds((long) Math.ceil((double) count / rate) + options.drainSeconds() + 30);
    }

    private static void report(RunResult r, String prefix) {
        say(String.format(Locale.ROOT,
                "%s%-32s offered %6.0f/s  delivered %6d/%-6d (%8.1f/s)  lost %d  dup %d  err %d  "
                        + "p50 %.2f ms  p99 %.2f ms  max %.2f ms  gateway CPU %s ms/1000 (JIT %s, GC %s)%s",
                prefix, r.path(), r.offeredRate(), r.delivered(), r.sent(), r.deliveredRate(), r.lost(), r.duplicates(),
                r.errors(), r.p50Micros() / 1e3, r.p99Micros() / 1e3, r.maxMicros() / 1e3,
                LoadReport.number(r.cpuMillisPer1000()), LoadReport.number(r.jitMillisPer1000()),
                LoadReport.number(r.gcMillisPer1000()),
                r.deferred().measured() ? String.format(Locale.ROOT, " + deferred %s (JIT %s, GC %s) in %.0f s%s",
                        LoadReport.number(r.deferred().millisPer1000()), LoadReport.number(r.deferred().jitMillisPer1000()),
                        LoadReport.number(r.deferred().gcMillisPer1000()), r.deferred().seconds(),
                        r.deferred().settled() ? "" : " (not idle)") : ""));
    }

    static void say(String line) {
        System.out.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
    }

    private void stop() {
        if (alice != null) {
            alice.close();
        }
        if (carol != null) {
            carol.close();
        }
        if (gateway != null) {
            gateway.stop();
        }
        if (kamailio != null) {
            kamailio.stop();
        }
        children.stopAll();
    }

    /** CPU of the gateway and of Prosody read at the start of a run, for the per-1000 figures at its end. */
    private record Cpu(ProcessCpu gateway, long gatewayStart, Map<String, long[]> jvmStart, ProcessCpu prosody,
            long prosodyStart) {

        static Cpu start(long gatewayPid, long prosodyPid, long ticks) {
            ProcessCpu g = new ProcessCpu(gatewayPid, ticks);
            ProcessCpu p = new ProcessCpu(prosodyPid, ticks);
            return new Cpu(g, gatewayPid < 0 ? -1 : g.millis(), gatewayPid < 0 ? Map.of() : g.jvmThreads(), p,
                    p.millis());
        }

        /** Isthmus's CPU per 1000 messages, and of it the JIT compilers' and the GC's: {total, jit, gc}. */
        double[] gatewayPer1000(int count) {
            double total = per1000(gateway, gatewayStart, count);
            if (gatewayStart < 0) {
                return new double[] {Double.NaN, Double.NaN, Double.NaN};
            }
            long[] jvm = ProcessCpu.jvmDelta(jvmStart, gateway.jvmThreads());
            return new double[] {total, jvm[0] * 1000.0 / count, jvm[1] * 1000.0 / count};
        }

        double prosodyPer1000(int count) {
            return per1000(prosody, prosodyStart, count);
        }

        private static double per1000(ProcessCpu process, long start, int count) {
            long end = start < 0 ? -1 : process.millis();
            return start < 0 || end < 0 ? Double.NaN : (end - start) * 1000.0 / count;
        }
    }
}
