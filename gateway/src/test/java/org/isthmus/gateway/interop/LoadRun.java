package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.isthmus.gateway.GatewayProcess;

/**
 * A load run against real peers on loopback, with faults injected while it runs: Prosody with two
 * users, Isthmus as a child process ({@code isthmus run}) attached to it as its XEP-0114 component,
 * a SIPp UAC sending numbered MESSAGEs to carol@xmpp.test through Isthmus, and alice sending
 * numbered chat messages through Prosody and Isthmus to a SIPp UAS (the static route of
 * {@link #SIP_DOMAIN}). Every sender's answers and every receiver's arrivals are recorded per
 * message number; {@link #sipToXmpp()} and {@link #xmppToSip()} turn them into a {@link LoadLedger}.
 *
 * <p>Faults: {@link #restartProsody()}, {@link #sipAgentDown(Duration)}, {@link #killGateway()} with
 * {@link #startGateway()}, and {@link #terminateGateway()} (SIGTERM). Each is timed, so the ledger
 * can tell the messages in flight at the instant of a fault from the others.
 */
public final class LoadRun implements AutoCloseable {

    /** The SIP domain of the load's SIP user; Isthmus routes it to the UAS. */
    public static final String SIP_DOMAIN = "sip.load";
    static final String SIP_USER = "sip:bob@" + SIP_DOMAIN;
    /** bob@sip.load as XMPP users see him through the component (XEP-0106 escaping, RFC 7247 §6). */
    static final String SIP_USER_AS_JID = "bob\\40" + SIP_DOMAIN + "@" + ProsodyServer.COMPONENT_DOMAIN;
    /** The error window of the gateway under load. */
    public static final Duration ERROR_WINDOW = Duration.ofSeconds(1);
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    /** SIPp's retransmissions of one MESSAGE: 0.5 + 1 + 2 + 4 × 6 s = 27.5 s (RFC 3261 §17.1.2.2, T2 = 4 s). */
    private static final int UAC_RETRANSMISSIONS = 9;

    private final Path directory;
    private final int count;
    private final int rate;
    private final ProsodyServer prosody;
    private final int sipPort;
    private final int uasPort;
    private final int adminPort;
    private final Path gatewayConfig;
    /** The log of the gateway process started last: gateway-1.log, gateway-2.log, … one per start. */
    private volatile Path gatewayLog;
    private int gatewayStarts;
    private final List<Process> uasProcesses = new ArrayList<>();
    private final List<Path> uasLogs = new ArrayList<>();
    private final AtomicInteger uasRuns = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Faults as they happened: what, and from when to when (wall-clock µs). */
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile GatewayProcess gateway;
    private LoadXmppClient alice;
    private LoadXmppClient carol;
    private Process uac;
    private Path uacLog;
    private Thread aliceSender;
    private volatile long trafficStartMicros;

    /** One injected fault: its kind and the interval during which it was in effect. */
    public record Fault(String kind, long fromMicros, long untilMicros) {
    }

    private LoadRun(Path directory, int count, int rate, ProsodyServer prosody) {
        this.directory = directory;
        this.count = count;
        this.rate = rate;
        this.prosody = prosody;
        this.sipPort = Peers.freePort();
        this.uasPort = Peers.freePort();
        this.adminPort = Peers.freePort();
        this.gatewayConfig = directory.resolve("gateway.yaml");
    }

    /**
     * Starts Prosody (warnings-only logging), Isthmus (waiting for its {@code /health} to say ready),
     * the UAS, and logs alice and carol in; the traffic starts with {@link #startTraffic()}.
     *
     * @param count messages each way
     * @param rate  messages per second each way
     */
    public static LoadRun start(String name, int count, int rate) {
        Peers.assumeInstalled("prosody", "prosodyctl", "sipp");
        Path directory = Peers.workDirectory(name);
        ProsodyServer prosody = ProsodyServer.start(List.of(ProsodyServer.DEFAULT_HOST), ProsodyServer.TEST_USERS, "warn");
        LoadRun run = new LoadRun(directory, count, rate, prosody);
        try {
            run.writeGatewayConfig();
            run.startGateway();
            run.startUas();
            run.alice = LoadXmppClient.login(prosody.c2sPort(), prosody.domain(), "alice", prosody.password("alice"));
            run.carol = LoadXmppClient.login(prosody.c2sPort(), prosody.domain(), "carol", prosody.password("carol"));
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
        return run;
    }

    private void writeGatewayConfig() {
        String yaml = """
                # LoadRun: Isthmus attached to the test's Prosody, bob@%s reached through the SIPp UAS.
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: %s, secret: %s,
                              reconnect: {initial: 200ms, max: 1s}}
                  domains: [%s]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  routes:
                    - {domain: %s, host: 127.0.0.1, port: %d, transport: udp}
                messages: {error-window: %dms}
                admin: {address: 127.0.0.1, port: %d}
                """.formatted(SIP_DOMAIN, prosody.componentPort(), prosody.componentDomain(), prosody.componentSecret(),
                prosody.domain(), sipPort, SIP_DOMAIN, uasPort, ERROR_WINDOW.toMillis(), adminPort);
        try {
            Files.writeString(gatewayConfig, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- The gateway -------------------------------------------------------------------------------

    /** Starts Isthmus and waits, at most 60 s, until {@code /health} says ready (both edges up). */
    public void startGateway() {
        try {
            gatewayLog = directory.resolve("gateway-" + (++gatewayStarts) + ".log");
            gateway = GatewayProcess.start(gatewayConfig, gatewayLog, List.of("-Xmx384m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway", e);
        }
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited while starting\n" + Peers.tail(gatewayLog, 40));
            }
            if (admin("/health").map(r -> r.statusCode() == 200).orElse(false)) {
                return;
            }
            Peers.sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException("the gateway was not ready within " + READY_WAIT + "\n"
                + Peers.tail(gatewayLog, 40) + "\n" + prosody.diagnostics());
    }

    /** Kills Isthmus with SIGKILL, as a crash would, and starts it again at once. */
    public void killAndRestartGateway() {
        long from = LoadXmppClient.nowMicros();
        try {
            gateway.kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        startGateway();
        faults.add(new Fault("isthmus killed (SIGKILL) and restarted", from, LoadXmppClient.nowMicros()));
    }

    /**
     * Stops Isthmus with SIGTERM (graceful shutdown), waits for it to exit (bounded), and starts it
     * again; returns the exit status of the stopped process.
     */
    public int terminateAndRestartGateway(Duration bound) {
        long from = LoadXmppClient.nowMicros();
        int status;
        try {
            status = gateway.terminate(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        startGateway();
        faults.add(new Fault("isthmus stopped (SIGTERM) and restarted", from, LoadXmppClient.nowMicros()));
        return status;
    }

    /** GETs a path of the admin API; empty when it does not answer. */
    public java.util.Optional<HttpResponse<String>> admin(String path) {
        try {
            return java.util.Optional.of(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    // ---- Prosody and the SIP agent -----------------------------------------------------------------

    /** Restarts Prosody (SIGTERM, then start on the same ports); every stream to it ends. */
    public void restartProsody() {
        long from = LoadXmppClient.nowMicros();
        prosody.restart();
        faults.add(new Fault("prosody restarted", from, LoadXmppClient.nowMicros()));
    }

    /** Kills the SIPp UAS, leaves its port unanswered for {@code outage}, then starts a new one there. */
    public void sipAgentDown(Duration outage) {
        long from = LoadXmppClient.nowMicros();
        Process current = uasProcesses.get(uasProcesses.size() - 1);
        current.destroyForcibly();
        try {
            current.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Peers.sleep(outage);
        startUas();
        faults.add(new Fault("SIP agent unreachable for " + outage.toMillis() + " ms", from, LoadXmppClient.nowMicros()));
    }

    private void startUas() {
        Path log = directory.resolve("uas-" + uasRuns.incrementAndGet() + ".log");
        List<String> command = new ArrayList<>(List.of(Peers.executable("sipp"), "-sf",
                Sipp.scenarioFile("uas_load.xml").toString()));
        command.addAll(loopbackSockets(uasPort));
        command.addAll(List.of("-trace_logs", "-log_file", log.toString(),
                "-trace_err", "-error_file", directory.resolve("uas-" + uasRuns.get() + "-errors.log").toString()));
        Process process = startSipp(command, "uas-" + uasRuns.get());
        if (!Peers.awaitBound(uasPort, true, Duration.ofSeconds(10), process)) {
            throw new IllegalStateException("SIPp UAS did not bind 127.0.0.1:" + uasPort);
        }
        uasProcesses.add(process);
        uasLogs.add(log);
    }

    private static List<String> loopbackSockets(int port) {
        return List.of("-i", Peers.LOOPBACK, "-bind_local",
                "-ci", Peers.LOOPBACK, "-cp", Integer.toString(Peers.freePort()),
                "-mi", Peers.LOOPBACK, "-mp", Integer.toString(Peers.freePortWith(2)),
                "-p", Integer.toString(port), "-t", "u1", "-nostdin", "-buff_size", Integer.toString(4 << 20));
    }

    private Process startSipp(List<String> command, String name) {
        try {
            Files.write(directory.resolve(name + ".command"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(directory.resolve(name + ".out").toFile()).start();
            process.getOutputStream().close();
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sipp", e);
        }
    }

    // ---- Traffic -----------------------------------------------------------------------------------

    /** Starts both directions at once: the SIPp UAC to carol, and alice to bob, each {@code count} at {@code rate}/s. */
    public void startTraffic() {
        trafficStartMicros = LoadXmppClient.nowMicros();
        uacLog = directory.resolve("uac.log");
        List<String> command = new ArrayList<>(List.of(Peers.executable("sipp"), Peers.LOOPBACK + ":" + sipPort,
                "-sf", Sipp.scenarioFile("uac_load.xml").toString(),
                "-key", "from_uri", SIP_USER, "-key", "to_uri", "sip:carol@" + prosody.domain()));
        command.addAll(loopbackSockets(Peers.freePort()));
        command.addAll(List.of("-m", Integer.toString(count), "-r", Integer.toString(rate), "-rp", "1000",
                "-l", "100000", "-max_non_invite_retrans", Integer.toString(UAC_RETRANSMISSIONS),
                "-trace_logs", "-log_file", uacLog.toString(),
                "-trace_err", "-error_file", directory.resolve("uac-errors.log").toString()));
        uac = startSipp(command, "uac");
        aliceSender = new Thread(() -> alice.sendPaced(SIP_USER_AS_JID, 1, count, rate, Duration.ofSeconds(30)),
                "alice-sender");
        aliceSender.setDaemon(true);
        aliceSender.start();
    }

    /** Seconds since the traffic started. */
    public double elapsedSeconds() {
        return (LoadXmppClient.nowMicros() - trafficStartMicros) / 1e6;
    }

    /** Sleeps until {@code seconds} after the traffic started. */
    public void at(double seconds) {
        long wait = (long) ((seconds - elapsedSeconds()) * 1000);
        if (wait > 0) {
            Peers.sleep(Duration.ofMillis(wait));
        }
    }

    /**
     * Waits, at most {@code bound}, until both senders are done (SIPp has every final response or gave
     * up, alice has written everything), then until nothing more arrives for 3 s.
     */
    public void awaitQuiet(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while ((uac.isAlive() || aliceSender.isAlive()) && System.nanoTime() < deadline) {
                Peers.sleep(Duration.ofMillis(200));
            }
            int last = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline && System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
                int now = carol.received().size() + alice.errors().size() + uasLines();
                if (now != last) {
                    last = now;
                    quietSince = System.nanoTime();
                }
                Peers.sleep(Duration.ofMillis(200));
            }
        } finally {
            if (uac.isAlive()) {
                Peers.stop(uac, Duration.ofSeconds(2));
            }
        }
    }

    private int uasLines() {
        int n = 0;
        for (Path log : uasLogs) {
            n += readLines(log).size();
        }
        return n;
    }

    private static List<String> readLines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- The ledger --------------------------------------------------------------------------------

    /** SIPp UAC → Isthmus → Prosody → carol: what SIPp was answered, against what carol got. */
    public LoadLedger sipToXmpp() {
        Map<Integer, Integer> answers = new HashMap<>();
        for (String line : readLines(uacLog)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[0].equals("F")) {
                answers.put(Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            }
        }
        LoadLedger ledger = new LoadLedger("SIP→XMPP (SIPp → Isthmus → Prosody → carol)", count, List.copyOf(faults));
        for (int seq = 1; seq <= count; seq++) {
            Integer status = answers.get(seq);
            LoadLedger.Answer answer = status == null ? LoadLedger.Answer.NONE
                    : status / 100 == 2 ? LoadLedger.Answer.SUCCESS : LoadLedger.Answer.ERROR;
            ledger.record(seq, true, answer, status == null ? "" : Integer.toString(status),
                    carol.received().getOrDefault(seq, 0), plannedSend(seq));
        }
        return ledger;
    }

    /** When SIPp sent call {@code seq}: it starts calls evenly at the rate, from the start of the traffic. */
    private long plannedSend(int seq) {
        return trafficStartMicros + (long) ((seq - 1) * 1e6 / rate);
    }

    /** alice → Prosody → Isthmus → SIPp UAS: what came back to alice, against what the UAS got. */
    public LoadLedger xmppToSip() {
        Map<Integer, Integer> arrivals = new HashMap<>();
        List<String> otherMessages = new ArrayList<>();
        for (Path log : uasLogs) {
            for (String line : readLines(log)) {
                if (!line.startsWith("R ")) {
                    continue;
                }
                int bar = line.indexOf('|');
                String number = line.substring(2, bar < 0 ? line.length() : bar).trim();
                if (number.isEmpty()) {
                    otherMessages.add(line);
                } else {
                    arrivals.merge(Integer.parseInt(number), 1, Integer::sum);
                }
            }
        }
        LoadLedger ledger = new LoadLedger("XMPP→SIP (alice → Prosody → Isthmus → SIPp)", count, List.copyOf(faults));
        for (int seq = 1; seq <= count; seq++) {
            String condition = alice.errors().get(LoadXmppClient.ID_PREFIX + seq);
            boolean sent = alice.sentAt().containsKey(seq);
            LoadLedger.Answer answer = condition != null ? LoadLedger.Answer.ERROR : LoadLedger.Answer.NONE;
            ledger.record(seq, sent, answer, condition == null ? "" : condition, arrivals.getOrDefault(seq, 0),
                    alice.sentAt().getOrDefault(seq, 0L));
        }
        ledger.noteOthers(otherMessages);
        return ledger;
    }

    public ProsodyServer prosody() {
        return prosody;
    }

    public Path directory() {
        return directory;
    }

    /** The log of the gateway process started last. */
    public Path gatewayLog() {
        return gatewayLog;
    }

    @Override
    public void close() {
        EndToEndCloser.closeQuietly(alice, carol);
        if (uac != null) {
            Peers.stop(uac, Duration.ofSeconds(2));
        }
        for (Process p : uasProcesses) {
            Peers.stop(p, Duration.ofSeconds(2));
        }
        if (gateway != null) {
            try {
                gateway.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        prosody.close();
    }

    /** Closes what was opened, ignoring failures: the run's result is already recorded. */
    private static final class EndToEndCloser {
        static void closeQuietly(AutoCloseable... resources) {
            for (AutoCloseable r : resources) {
                try {
                    if (r != null) {
                        r.close();
                    }
                } catch (Exception ignored) {
                    // Closing anyway.
                }
            }
        }
    }
}
