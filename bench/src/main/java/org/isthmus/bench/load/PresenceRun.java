package org.isthmus.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The presence run of issue 7 ({@code --presence N}): N mirrored pairs, each an XMPP user on the
 * driver's Prosody and a SIP contact of {@link PresenceSipUa}, subscribed to each other through
 * Isthmus in both directions, then a wave of presence changes each way. It prints the gateway's heap
 * per pair after a full GC and the NOTIFY / presence fan-out rates.
 *
 * <p>Users {@code pu0..pu(K-1)@xmpp.test} (K = N / contacts per user, rounded up) register in band
 * and log in with {@link PipeliningXmppClient}; pair i is user {@code i / M} and contact
 * {@code sip:pc<i>@sip.bench}. The phases, each bounded in seconds:
 * <ol>
 *   <li>XMPP→SIP subscriptions: each user sends {@code subscribe} to its contacts (RFC 6121 §3.1.1)
 *       at the offered rate; Isthmus SUBSCRIBEs to the contact, the agent answers 200 and NOTIFY
 *       {@code active} (RFC 6665 §4.2.1), Isthmus sends {@code subscribed} to the user;</li>
 *   <li>SIP→XMPP subscriptions: the agent SUBSCRIBEs as each contact to its user; Isthmus asks the user
 *       ({@code subscribe}), the client approves ({@code subscribed}), Isthmus NOTIFYs {@code active};</li>
 *   <li>the heap: {@code jcmd GC.run} then {@code GC.heap_info} (used), against the same before phase 1,
 *       and a class histogram kept in the work directory;</li>
 *   <li>XMPP→SIP wave: every user changes presence (show away, a marked status), paced so that
 *       the NOTIFYs it fans out to are offered at the rate; counted at the agent by the mark;</li>
 *   <li>SIP→XMPP wave: the agent sends one NOTIFY with a marked note in every dialog at the rate;
 *       counted at the users' clients by the mark in the status.</li>
 * </ol>
 */
final class PresenceRun {

    private static final String PASSWORD = "pw-bench";
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final LoadOptions options;
    private final Path directory;
    private final LoopbackPorts ports;
    private final ChildProcesses children;
    private final long ticks = ProcessCpu.ticksPerSecond();
    private final List<PipeliningXmppClient> clients = new ArrayList<>();
    /** The contacts whose presence reached their user: one per pair once the user's subscription is active. */
    private final java.util.Set<String> contactsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger subscribeRequests = new AtomicInteger();
    private final AtomicInteger presenceErrors = new AtomicInteger();
    private final AtomicInteger waveReceived = new AtomicInteger();
    private volatile String waveMark = "\u0000";

    PresenceRun(LoadOptions options, Path directory, LoopbackPorts ports, ChildProcesses children) {
        this.options = options;
        this.directory = directory;
        this.ports = ports;
        this.children = children;
    }

    /** Figures of one phase: how many of how many, in how long, and the gateway's CPU for it. */
    record Phase(String name, int expected, int done, double seconds, double gatewayCpuMillis) {
        double rate() {
            return done / seconds;
        }
    }

    void run() {
        int n = options.presence();
        int perUser = Math.min(options.presenceContacts(), n);
        int users = (n + perUser - 1) / perUser;
        int rate = options.rate();
        LoadDriver.say("presence run: " + n + " pairs, " + users + " XMPP users with up to " + perUser
                + " SIP contacts each, offered " + rate + "/s");
        ProsodyLauncher prosody = ProsodyLauncher.start(directory.resolve("prosody"), ports, children,
                java.util.Map.of(), true);
        int uaPort = ports.next();
        int sipPort = ports.next();
        List<String> javaOptions = new ArrayList<>(options.gatewayJavaOptions());
        if (options.jfr()) {
            javaOptions.add("-XX:StartFlightRecording=filename=" + directory.resolve("isthmus.jfr")
                    + ",settings=profile,dumponexit=true");
        }
        // As deployed with durable presence (conf/gateway.yaml): the embedded store, which fsyncs each commit.
        Path data = storeDirectory();
        LoadDriver.say("Isthmus's embedded store in " + data);
        GatewayLauncher gateway = GatewayLauncher.start(options.jar(), directory, prosody, sipPort, uaPort, javaOptions,
                children, "store: {type: embedded, data-dir: " + data + "}\n");
        gateway.awaitReady(Duration.ofSeconds(60), directory.resolve("gateway.log"));
        try (PresenceSipUa ua = PresenceSipUa.start(uaPort, sipPort)) {
            for (int u = 0; u < users; u++) {
                clients.add(PipeliningXmppClient.login(prosody.c2sPort(), ProsodyLauncher.XMPP_DOMAIN, "pu" + u,
                        PASSWORD, Duration.ofSeconds(20), true, this::onStanza));
            }
            LoadDriver.say(users + " XMPP users registered and online");
            ProsodyLauncher.sleep(1_000);
            long heapBefore = heapUsedAfterGc(gateway.pid());
            LoadDriver.say(String.format(Locale.ROOT, "Isthmus heap after GC, no pairs: %.1f MB", heapBefore / 1e6));

            ProcessCpu cpu = new ProcessCpu(gateway.pid(), ticks);
            Duration bound = Duration.ofSeconds((long) Math.ceil((double) n / rate) + options.drainSeconds() + 60);

            Phase toSip = phase("XMPP→SIP subscriptions (user subscribes to contact)", n, cpu, bound,
                    contactsSeen::size, () -> {
                        PresenceSipUa.paced(n, rate, i -> clients.get(i / perUser).sendRaw(
                                "<presence type='subscribe' to='" + contactJid(i) + "'/>"));
                    });
            Phase toXmpp = phase("SIP→XMPP subscriptions (contact subscribes to user)", n, cpu, bound,
                    ua::watchersActive, () -> ua.subscribeAll(n, rate, i -> new String[] {
                            "sip:pc" + i + "@" + GatewayLauncher.SIP_DOMAIN,
                            "sip:pu" + (i / perUser) + "@" + ProsodyLauncher.XMPP_DOMAIN}));
            // JAIN-SIP keeps a finished non-INVITE server transaction for Timer J, 64*T1 = 32 s on UDP
            // (RFC 3261 §17.2.2): the heap is read once those of the last phase are gone.
            LoadDriver.say("waiting 40 s for the SIP transactions to end before reading the heap");
            ProsodyLauncher.sleep(40_000);
            long heapAfter = heapUsedAfterGc(gateway.pid());
            Path histogram = directory.resolve("presence-histogram.txt");
            jcmd(gateway.pid(), histogram, "GC.class_histogram");
            double perPair = (heapAfter - heapBefore) / (double) n;
            LoadDriver.say(String.format(Locale.ROOT, "Isthmus heap after GC with %d pairs: %.1f MB, %.0f bytes per pair"
                    + " (class histogram in %s)", n, heapAfter / 1e6, perPair, histogram));

            String xmppMark = "wave-x-" + System.nanoTime();
            ua.countMarked(xmppMark);
            int perSecond = Math.max(1, rate / perUser);
            Phase waveToSip = phase("XMPP→SIP wave (presence → NOTIFY)", n, cpu, bound, ua::marked, () ->
                    PresenceSipUa.paced(users, perSecond, u -> clients.get(u).sendRaw(
                            "<presence><show>away</show><status>" + xmppMark + "</status></presence>")));
            String sipMark = "wave-s-" + System.nanoTime();
            waveReceived.set(0);
            waveMark = sipMark;
            Phase waveToXmpp = phase("SIP→XMPP wave (NOTIFY → presence)", n, cpu, bound, waveReceived::get,
                    () -> ua.notifyAll(rate, sipMark));
            LoadDriver.say("agent: " + ua.subscribesAnswered() + " SUBSCRIBEs answered, " + ua.notifiesReceived()
                    + " NOTIFYs received, " + ua.notifyResponsesOk() + " of its NOTIFYs answered 2xx, "
                    + ua.notifyFailures() + " not, " + ua.subscribeFailures() + " of its SUBSCRIBEs refused; clients: "
                    + subscribeRequests.get() + " subscription requests approved, " + presenceErrors.get()
                    + " presence errors");
            System.out.println();
            System.out.println(render(n, users, perUser, heapBefore, heapAfter,
                    List.of(toSip, toXmpp, waveToSip, waveToXmpp), histogram));
        } finally {
            clients.forEach(PipeliningXmppClient::close);
            gateway.stop();
            if (options.storeDirectory().isPresent()) {
                deleteTree(data);
            }
        }
    }

    private Path storeDirectory() {
        try {
            return options.storeDirectory().isPresent()
                    ? Files.createTempDirectory(options.storeDirectory().get(), "isthmus-store-")
                    : Files.createDirectories(directory.resolve("gateway-data"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store's directory", e);
        }
    }

    /** Deletes the run's own store directory (created by {@link #storeDirectory}) and what is in it. */
    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    /** Runs {@code start}, then waits (bounded) until {@code done} reaches {@code expected}. */
    private Phase phase(String name, int expected, ProcessCpu cpu, Duration bound, IntSupplier done, Runnable start) {
        LoadDriver.say(name + ": " + expected + " at " + options.rate() + "/s");
        long cpuStart = cpu.millis();
        long t0 = System.nanoTime();
        start.run();
        long deadline = t0 + bound.toNanos();
        int last = -1;
        long lastChange = System.nanoTime();
        // Bounded twice: by the phase's time, and by --drain-seconds without any progress.
        while (done.getAsInt() < expected && System.nanoTime() < deadline
                && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(options.drainSeconds())) {
            ProsodyLauncher.sleep(50);
            int now = done.getAsInt();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (done.getAsInt() < expected) {
            // Stalled or out of time: the rate counts up to the last arrival, not the wait after it.
            seconds = (lastChange - t0) / 1e9;
        }
        ProsodyLauncher.sleep(400);
        Phase p = new Phase(name, expected, Math.min(done.getAsInt(), expected), seconds, cpu.millis() - cpuStart);
        LoadDriver.say(String.format(Locale.ROOT, "  %d of %d in %.1f s: %.0f/s, Isthmus CPU %.0f ms (%.1f ms per 1000)",
                p.done(), expected, seconds, p.rate(), p.gatewayCpuMillis(), p.gatewayCpuMillis() * 1000 / expected));
        return p;
    }

    /** What a user's client does with a presence or iq: approves subscription requests, counts the rest. */
    private void onStanza(String stanza) {
        if (!stanza.startsWith("<presence")) {
            return;
        }
        String type = attribute(stanza, "type");
        switch (type) {
            case "subscribe" -> {
                subscribeRequests.incrementAndGet();
                String from = attribute(stanza, "from");
                clientFor(attribute(stanza, "to")).sendRaw("<presence type='subscribed' to='" + from + "'/>");
            }
            case "subscribed", "unsubscribed", "unavailable", "probe" -> {
                // Roster bookkeeping; the pair counts once the contact's presence arrives.
            }
            case "error" -> presenceErrors.incrementAndGet();
            default -> {
                contactsSeen.add(attribute(stanza, "from").replaceAll("/.*", ""));
                if (stanza.contains(waveMark)) {
                    waveReceived.incrementAndGet();
                }
            }
        }
    }

    private PipeliningXmppClient clientFor(String jid) {
        String local = jid.substring(0, jid.indexOf('@'));
        return clients.get(Integer.parseInt(local.substring(2)));
    }

    /** pc{i}@sip.bench as XMPP users see it through the component (XEP-0106 escaping, RFC 7247 §6). */
    private static String contactJid(int i) {
        return "pc" + i + "\\40" + GatewayLauncher.SIP_DOMAIN + "@" + ProsodyLauncher.COMPONENT_DOMAIN;
    }

    private static String attribute(String stanza, String name) {
        int tagEnd = stanza.indexOf('>');
        String tag = tagEnd < 0 ? stanza : stanza.substring(0, tagEnd);
        for (char quote : new char[] {'\'', '"'}) {
            String key = " " + name + "=" + quote;
            int i = tag.indexOf(key);
            if (i >= 0) {
                int start = i + key.length();
                return tag.substring(start, tag.indexOf(quote, start));
            }
        }
        return "";
    }

    // ---- The gateway's heap -------------------------------------------------------------------------

    /** The gateway's used heap in bytes after two full collections ({@code jcmd GC.run}, {@code GC.heap_info}). */
    private long heapUsedAfterGc(long pid) {
        Path out = directory.resolve("heap-info.txt");
        jcmd(pid, out, "GC.run");
        jcmd(pid, out, "GC.run");
        String info = jcmd(pid, out, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no 'used' in jcmd GC.heap_info:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** Runs {@code jcmd pid command} (bounded), writes its output to {@code file} and returns it. */
    private String jcmd(long pid, Path file, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        int exit = children.run(List.of(jcmd.toString(), Long.toString(pid), command), directory, file,
                Duration.ofSeconds(120));
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (exit != 0) {
                throw new IllegalStateException("jcmd " + command + " failed (exit " + exit + "):\n" + text);
            }
            if (!command.equals("GC.class_histogram")) {
                Files.delete(file);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- The report ---------------------------------------------------------------------------------

    private String render(int n, int users, int perUser, long heapBefore, long heapAfter, List<Phase> phases,
            Path histogram) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "#### Presence run: %d mirrored pairs (%d XMPP users × %d SIP contacts), "
                + "offered %d/s, %d processors%n%n", n, users, perUser, options.rate(),
                Runtime.getRuntime().availableProcessors()));
        b.append("| phase | done | seconds | per second | Isthmus CPU ms per 1000 |\n|---|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            b.append(String.format(Locale.ROOT, "| %s | %d/%d | %.1f | %.0f | %.1f |%n", p.name(), p.done(),
                    p.expected(), p.seconds(), p.rate(), p.gatewayCpuMillis() * 1000 / p.expected()));
        }
        double perPair = (heapAfter - heapBefore) / (double) n;
        b.append(String.format(Locale.ROOT, "%nIsthmus heap used after full GC: %.1f MB with no pairs, %.1f MB with %d: "
                + "**%.0f bytes per mirrored pair** (both directions), so 1,000,000 pairs would take about %.2f GB "
                + "(target: 1 GB).%nClass histogram: %s%n", heapBefore / 1e6, heapAfter / 1e6, n, perPair,
                perPair * 1_000_000 / 1e9 + heapBefore / 1e9, histogram));
        return b.toString();
    }
}
