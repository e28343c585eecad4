package org.isthmus.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Isthmus as deployed: {@code java -jar isthmus.jar run --config FILE} as a child process (a copy of
 * the jar in the work directory), with a
 * config written for the run (component link to the bench's Prosody, SIP on a free loopback port, a
 * static route for {@link #SIP_DOMAIN} to the SIPp UAS). Its log goes to {@code gateway.log}; the
 * two lines that say it is ready are timed as they are read.
 */
final class GatewayLauncher {

    /** The SIP domain of the SIPp users; messages from XMPP to it go to the UAS port. */
    static final String SIP_DOMAIN = "sip.bench";
    private static final String SIP_READY = "SIP edge listening";
    private static final String XMPP_READY = "xmpp link " + ProsodyLauncher.COMPONENT_DOMAIN + " up";

    private final Process process;
    private final int sipPort;
    private final long startNanos;
    private volatile long firstLineNanos;
    private volatile long sipReadyNanos;
    private volatile long xmppReadyNanos;
    private final CountDownLatch ready = new CountDownLatch(2);

    private GatewayLauncher(Process process, int sipPort, long startNanos) {
        this.process = process;
        this.sipPort = sipPort;
        this.startNanos = startNanos;
    }

    /**
     * Writes the config and starts the gateway; returns at once (see {@link #awaitReady}).
     *
     * @param uasPort where messages to {@link #SIP_DOMAIN} users go
     * @param javaOptions JVM options for the gateway, e.g. a flight recording
     */
    static GatewayLauncher start(Path jar, Path directory, ProsodyLauncher prosody, int sipPort, int uasPort,
            List<String> javaOptions, ChildProcesses children) {
        return start(jar, directory, prosody, sipPort, uasPort, javaOptions, children, "");
    }

    /** {@link #start(Path, Path, ProsodyLauncher, int, int, List, ChildProcesses)} with more config sections. */
    static GatewayLauncher start(Path jar, Path directory, ProsodyLauncher prosody, int sipPort, int uasPort,
            List<String> javaOptions, ChildProcesses children, String moreYaml) {
        Path config = directory.resolve("gateway.yaml");
        String yaml = """
                # Written by the load driver (org.isthmus.bench.load.GatewayLauncher) for one run.
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: %s, secret: %s}
                  domains: [%s]
                sip:
                  listen: {address: 127.0.0.1, port: %d, transports: [udp]}
                  routes:
                    - {domain: %s, host: 127.0.0.1, port: %d, transport: udp}
                """.formatted(prosody.componentPort(), ProsodyLauncher.COMPONENT_DOMAIN,
                ProsodyLauncher.COMPONENT_SECRET, ProsodyLauncher.XMPP_DOMAIN, sipPort, SIP_DOMAIN, uasPort) + moreYaml;
        try {
            Files.writeString(config, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        // A copy of its own, so that a rebuild of the reactor during the session cannot change the jar under it;
        // made once per session, since an AppCDS archive is valid only for the jar file it was made with.
        Path copy = directory.resolve("isthmus.jar");
        try {
            if (!Files.exists(copy)) {
                Files.copy(jar, copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + jar, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", copy.toString(), "run", "--config", config.toString()));
        try {
            Files.write(directory.resolve("gateway.command"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long startNanos = System.nanoTime();
        Process process = children.startPiped(command, directory);
        GatewayLauncher gateway = new GatewayLauncher(process, sipPort, startNanos);
        Thread reader = new Thread(() -> gateway.copyLog(directory.resolve("gateway.log")), "gateway-log");
        reader.setDaemon(true);
        reader.start();
        return gateway;
    }

    /** Copies the gateway's output to the log file, noting when each ready line appears. */
    private void copyLog(Path file) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer log = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                long now = System.nanoTime();
                if (firstLineNanos == 0) {
                    firstLineNanos = now;
                }
                if (sipReadyNanos == 0 && line.contains(SIP_READY)) {
                    sipReadyNanos = now;
                    ready.countDown();
                }
                if (xmppReadyNanos == 0 && line.contains(XMPP_READY)) {
                    xmppReadyNanos = now;
                    ready.countDown();
                }
                log.write(line);
                log.write('\n');
                if (!lines.ready()) {
                    log.flush();
                }
            }
        } catch (IOException e) {
            // The process ended; its log is complete.
        }
    }

    /** Waits (bounded) for both edges; fails with the log's tail when the gateway does not get there. */
    void awaitReady(Duration timeout, Path log) {
        try {
            if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Isthmus was not ready within " + timeout.toSeconds() + " s (alive: "
                        + process.isAlive() + ")\n" + ChildProcesses.tail(log, 40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Process start to both ready lines, in milliseconds. */
    double startToReadyMillis() {
        return (Math.max(sipReadyNanos, xmppReadyNanos) - startNanos) / 1e6;
    }

    /** The gateway's first log line to both ready lines (the JVM's own start excluded), in milliseconds. */
    double firstLineToReadyMillis() {
        return (Math.max(sipReadyNanos, xmppReadyNanos) - firstLineNanos) / 1e6;
    }

    int sipPort() {
        return sipPort;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM (the gateway shuts down cleanly and a flight recording is dumped), then a kill. */
    void stop() {
        stop(Duration.ofSeconds(20));
    }

    /** SIGTERM, then a kill after {@code grace}. */
    void stop(Duration grace) {
        ChildProcesses.stop(process, grace);
    }
}
