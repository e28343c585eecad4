package org.isthmus.bench.load;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kamailio with its xmpp module as the comparison gateway of the load driver (issue 7): its own
 * process on loopback, configured from {@code kamailio-xmpp.cfg.template} (beside this class) in the
 * run's work directory, attached to the driver's Prosody as the XEP-0114 component
 * {@link ProsodyLauncher#KAMAILIO_COMPONENT_DOMAIN}, SIP on a free UDP port, every request it makes
 * towards SIP sent to the SIPp UAS of its path (the module's {@code outbound_proxy}). The packaged
 * system service is neither used nor touched. Its log (warnings only) is {@code kamailio.log}.
 *
 * <p>The module maps addresses in its own way ({@code user*domain}, the module's default
 * {@code domain_separator}), see {@link #sipUriOfJid} and {@link #jidOfSipUser}.
 */
final class KamailioLauncher {

    /** The SIP domain of the gateway: SIP users address XMPP users as {@code sip:user*domain@} this. */
    static final String GATEWAY_DOMAIN = "kamailio-gw.bench";
    /** Kamailio 5.6's own defaults (kamailio -I: DEFAULT SHM_SIZE, PKG_SIZE), in MB. */
    static final int DEFAULT_SHM_MB = 64;
    static final int DEFAULT_PKG_MB = 8;
    /** Kamailio's default number of UDP receiver processes (the core's {@code children}). */
    static final int DEFAULT_CHILDREN = 8;
    private static final String TEMPLATE = "kamailio-xmpp.cfg.template";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** Where Debian and a source install put Kamailio's modules; the first with xmpp.so is used. */
    private static final List<String> MODULE_DIRECTORIES = List.of("/usr/lib/x86_64-linux-gnu/kamailio/modules",
            "/usr/lib/aarch64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules",
            "/usr/local/lib/kamailio/modules", "/usr/local/lib64/kamailio/modules");

    private static final String SHIM = "kamailio-expat-shim";

    private final Process process;
    private final int sipPort;
    private final boolean shimmed;

    private KamailioLauncher(Process process, int sipPort, boolean shimmed) {
        this.process = process;
        this.sipPort = sipPort;
        this.shimmed = shimmed;
    }

    /**
     * Whether Kamailio and its xmpp module are installed: the module file, or why not (for the report).
     *
     * @return the module's path, or empty with the reason in {@code why}
     */
    static Optional<Path> xmppModule(StringBuilder why) {
        try {
            ChildProcesses.executable("kamailio");
        } catch (IllegalStateException e) {
            why.append("kamailio is not on PATH (apt-get install kamailio kamailio-xmpp-modules, or .ci/install-peers)");
            return Optional.empty();
        }
        for (String directory : MODULE_DIRECTORIES) {
            Path module = Path.of(directory, "xmpp.so");
            if (Files.isRegularFile(module)) {
                return Optional.of(module);
            }
        }
        why.append("Kamailio's xmpp module (xmpp.so) is not in ").append(String.join(", ", MODULE_DIRECTORIES))
                .append(" (apt-get install kamailio-xmpp-modules, or .ci/install-peers)");
        return Optional.empty();
    }

    /**
     * Writes the config, starts Kamailio in the foreground and returns once it listens on its UDP port
     * and its component stream to Prosody is up (an established TCP connection from one of its
     * processes to the component port that is still the same one a second later: Prosody closes a
     * stream whose handshake fails, and the module then reconnects after 3 s).
     *
     * <p>When the module's XMPP process dies of SIGSEGV on Prosody's first element (Debian 12's
     * 5.6.3 does, see {@code kamailio-expat-shim.c} beside this class), Kamailio is started once more
     * with that shim preloaded ({@link #shimmed()}); its first log is kept as
     * {@code kamailio-without-shim.log}.
     *
     * @param uasPort   the outbound proxy: where every MESSAGE it turns from XMPP into SIP goes
     * @param shmMb     shared memory, MB ({@code -m})
     * @param pkgMb     private memory per process, MB ({@code -M})
     * @param childCount UDP receiver processes (the core's {@code children})
     */
    static KamailioLauncher start(Path directory, ProsodyLauncher prosody, LoopbackPorts ports, ChildProcesses children,
            int uasPort, int shmMb, int pkgMb, int childCount) {
        int sipPort = ports.next();
        Path config = directory.resolve("kamailio.cfg");
        Path runtime = directory.resolve("kamailio-run");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("SIP_PORT", Integer.toString(sipPort));
        values.put("CHILDREN", Integer.toString(childCount));
        values.put("GATEWAY_DOMAIN", GATEWAY_DOMAIN);
        values.put("COMPONENT_DOMAIN", ProsodyLauncher.KAMAILIO_COMPONENT_DOMAIN);
        values.put("COMPONENT_PORT", Integer.toString(prosody.componentPort()));
        values.put("COMPONENT_SECRET", ProsodyLauncher.COMPONENT_SECRET);
        values.put("OUTBOUND_PROXY", "sip:" + LoopbackPorts.LOOPBACK + ":" + uasPort);
        try {
            String text = template();
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace("@" + value.getKey() + "@", value.getValue());
            }
            Files.writeString(config, text, StandardCharsets.UTF_8);
            // Kamailio 5.6 wants a writable runtime directory; its default, /run/kamailio, may be missing or
            // belong to the packaged service.
            Files.createDirectories(runtime);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kamailio config in " + directory, e);
        }
        List<String> command = List.of(ChildProcesses.executable("kamailio"),
                "-f", config.toString(),
                "-DD",  // foreground: the driver owns the process (its workers are its children)
                "-E",   // log to stderr, here kamailio.log
                "-w", directory.toString(),
                "-Y", runtime.toString(),
                "-P", directory.resolve("kamailio.pid").toString(),
                "-m", Integer.toString(shmMb),
                "-M", Integer.toString(pkgMb));
        Path log = directory.resolve("kamailio.log");
        try {
            Files.write(directory.resolve("kamailio.command"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
            KamailioLauncher plain = awaitUp(new KamailioLauncher(children.start(command, directory, log), sipPort, false),
                    prosody, log);
            if (plain != null) {
                return plain;
            }
            Files.move(log, directory.resolve("kamailio-without-shim.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path shim = buildShim(directory, children);
            Files.deleteIfExists(directory.resolve("kamailio.pid"));
            Files.write(directory.resolve("kamailio.command"), List.of("LD_PRELOAD=" + shim + " " + String.join(" ", command)),
                    StandardCharsets.UTF_8);
            KamailioLauncher shimmed = awaitUp(new KamailioLauncher(children.start(command, directory, log,
                    Map.of("LD_PRELOAD", shim.toString())), sipPort, true), prosody, log);
            if (shimmed == null) {
                throw new IllegalStateException("Kamailio's xmpp module crashed (SIGSEGV) even with " + SHIM + ".so\n"
                        + ChildProcesses.tail(log, 30));
            }
            return shimmed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until Kamailio is up (see {@link #start}); null when it exited because a process of it died
     * of SIGSEGV (its log says "exited by a signal 11"), a failure with the logs' tails otherwise.
     */
    private static KamailioLauncher awaitUp(KamailioLauncher kamailio, ProsodyLauncher prosody, Path log) {
        Process process = kamailio.process;
        int sipPort = kamailio.sipPort;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long seenSince = -1;
        Set<Long> seen = Set.of();
        while (true) {
            // The main process logs a child's death ("child process N exited by a signal 11"), then stops the rest.
            boolean crashed = ChildProcesses.tail(log, 200).contains("exited by a signal 11");
            if (crashed || !process.isAlive() || System.nanoTime() > deadline) {
                kamailio.stop();
                if (crashed || ChildProcesses.tail(log, 200).contains("exited by a signal 11")) {
                    return null;
                }
                throw new IllegalStateException("Kamailio did not " + (process.isAlive() ? "come up" : "stay up")
                        + " (UDP 127.0.0.1:" + sipPort + " and its component stream to Prosody :"
                        + prosody.componentPort() + ") within " + START_TIMEOUT.toSeconds() + " s\n"
                        + ChildProcesses.tail(log, 30) + "\n" + ChildProcesses.tail(prosody.directory().resolve("prosody.log"), 10));
            }
            Set<Long> links = LoopbackPorts.udpBound(sipPort) ? kamailio.connectionsTo(prosody.componentPort()) : Set.of();
            if (links.isEmpty() || !links.equals(seen)) {
                seen = links;
                seenSince = System.nanoTime();
            } else if (System.nanoTime() - seenSince > Duration.ofSeconds(1).toNanos()) {
                return kamailio;
            }
            ProsodyLauncher.sleep(100);
        }
    }

    /** Compiles kamailio-expat-shim.c (from the jar) with cc into the work directory. */
    private static Path buildShim(Path directory, ChildProcesses children) throws IOException {
        Path source = directory.resolve(SHIM + ".c");
        Path library = directory.resolve(SHIM + ".so");
        try (InputStream in = KamailioLauncher.class.getResourceAsStream(SHIM + ".c")) {
            if (in == null) {
                throw new IllegalStateException(SHIM + ".c is missing from the bench jar");
            }
            Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String cc;
        try {
            cc = ChildProcesses.executable("cc");
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Kamailio's xmpp module crashed (SIGSEGV, see kamailio-without-shim.log) and"
                    + " the shim that avoids it cannot be built: no C compiler (cc) on PATH (apt-get install gcc libc6-dev,"
                    + " or .ci/install-peers); or run with --no-kamailio");
        }
        Path out = directory.resolve(SHIM + ".out");
        int exit = children.run(List.of(cc, "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString()),
                directory, out, Duration.ofSeconds(60));
        if (exit != 0 || !Files.isRegularFile(library)) {
            throw new IllegalStateException("cc could not build " + library + " (exit " + exit + "):\n"
                    + ChildProcesses.tail(out, 20));
        }
        return library;
    }

    private static String template() throws IOException {
        try (InputStream in = KamailioLauncher.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the bench jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The socket inodes of established TCP connections (proc(5), /proc/net/tcp state 01) from any of
     * Kamailio's processes to 127.0.0.1:port.
     */
    private Set<Long> connectionsTo(int port) {
        Set<Long> established = new HashSet<>();
        String remote = String.format(Locale.ROOT, ":%04X", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"), StandardCharsets.US_ASCII)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[2].endsWith(remote) && fields[3].equals("01")) {
                    established.add(Long.parseLong(fields[9]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Set.of();
        }
        Set<Long> ours = new HashSet<>();
        for (long pid : pids()) {
            File[] fds = new File("/proc/" + pid + "/fd").listFiles();
            if (fds == null) {
                continue;
            }
            for (File fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd.toPath()).toString();
                    if (target.startsWith("socket:[")) {
                        long inode = Long.parseLong(target.substring(8, target.length() - 1));
                        if (established.contains(inode)) {
                            ours.add(inode);
                        }
                    }
                } catch (IOException | RuntimeException closed) {
                    // The descriptor closed while listed.
                }
            }
        }
        return ours;
    }

    /** The main process and every process it forked (the UDP receivers, timers, the XMPP process). */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /**
     * User + system CPU of all of Kamailio's processes, in ms; -1 when the main process is gone. Its
     * processes live as long as it does, so two readings subtract. Read from /proc/&lt;pid&gt;/schedstat
     * (proc(5): time on the CPU in nanoseconds; Kamailio's processes are single-threaded), the same time
     * as utime + stime in /proc/&lt;pid&gt;/stat without their clock ticks: a reading truncates each
     * process's time to a tick (10 ms), which over a dozen processes would blur a run of 2,000 messages by
     * up to ±65 ms per 1000. Where schedstat is missing (a kernel without CONFIG_SCHED_INFO), utime + stime.
     */
    double cpuMillis(long ticksPerSecond) {
        if (!process.isAlive()) {
            return -1;
        }
        double total = 0;
        for (long pid : pids()) {
            double millis = scheduledMillis(pid);
            total += millis >= 0 ? millis : Math.max(0, new ProcessCpu(pid, ticksPerSecond).millis());
        }
        return total;
    }

    /** Whether CPU is read from schedstat (see {@link #cpuMillis}); false means utime + stime in ticks. */
    boolean preciseCpu() {
        return scheduledMillis(process.pid()) >= 0;
    }

    private static double scheduledMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "schedstat"), StandardCharsets.US_ASCII);
            return Long.parseLong(stat.trim().split(" ")[0]) / 1e6;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "5.6.3", from {@code kamailio -v} (its output kept in kamailio-version.out), or "(version unknown)". */
    static String version(Path directory, ChildProcesses children) {
        Path out = directory.resolve("kamailio-version.out");
        children.run(List.of(ChildProcesses.executable("kamailio"), "-v"), directory, out, Duration.ofSeconds(10));
        try {
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("version: ")) {
                    return line.substring("version: ".length()).split(" \\(")[0].replace("kamailio", "").trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Reported as unknown below.
        }
        return "(version unknown)";
    }

    /**
     * Lines of Kamailio's log so far that say it could not allocate memory (tm's "could not allocate
     * shared memory from shm pool", the core's "out of memory" and "no more ... memory"): each is a
     * request it could not build or keep, i.e. a message lost for want of {@code -m} (issue 7's author saw
     * the default pool run out at 8,000/s). Read whole; the log holds warnings and errors only.
     */
    long memoryFailures(Path log) {
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.map(line -> line.toLowerCase(Locale.ROOT))
                    .filter(line -> line.contains("could not allocate shared memory") || line.contains("out of memory")
                            || line.contains("out of mem") || line.contains("no more shm") || line.contains("no more pkg"))
                    .count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Whether Kamailio runs with kamailio-expat-shim.so preloaded (its xmpp module crashed without). */
    boolean shimmed() {
        return shimmed;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int sipPort() {
        return sipPort;
    }

    /** The SIP URI through which a SIP user reaches an XMPP user via Kamailio: sip:user*domain@gateway. */
    static String sipUriOfJid(String user, String domain) {
        return "sip:" + user + "*" + domain + "@" + GATEWAY_DOMAIN;
    }

    /** The JID through which an XMPP user reaches a SIP user via Kamailio: user*domain@component. */
    static String jidOfSipUser(String user, String domain) {
        return user + "*" + domain + "@" + ProsodyLauncher.KAMAILIO_COMPONENT_DOMAIN;
    }

    /** Stops Kamailio (SIGTERM to the main process ends its workers) and any worker left behind. */
    void stop() {
        List<ProcessHandle> workers = process.descendants().toList();
        ChildProcesses.stop(process, Duration.ofSeconds(5));
        for (ProcessHandle worker : workers) {
            if (worker.isAlive()) {
                worker.destroyForcibly();
            }
        }
    }
}
