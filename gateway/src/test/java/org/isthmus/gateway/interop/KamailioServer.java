package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kamailio 5.6 SIP proxy and registrar for one test: configured from
 * {@code conf/interop/kamailio.cfg.template} in its own directory under {@code target/interop/},
 * listening on 127.0.0.1 only (UDP and TCP on one free port), serving {@link #SIP_DOMAIN} with an
 * in-memory location table and relaying requests for the XMPP domains to Isthmus; with
 * {@link #startWithPresence} also the presence server of {@link #SIP_DOMAIN} (PUBLISH and
 * SUBSCRIBE, modules presence and presence_xml, state in memory). It runs in the foreground with its
 * log in {@code kamailio.log}; {@link #close()} stops it, the directory stays.
 */
public final class KamailioServer implements AutoCloseable {

    /** The SIP domain this proxy is the registrar of; phones register as user@sip.test. */
    public static final String SIP_DOMAIN = "sip.test";

    static final String TEMPLATE = "conf/interop/kamailio.cfg.template";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Path directory;
    private final int port;
    private final Process process;

    private KamailioServer(Path directory, int port, Process process) {
        this.directory = directory;
        this.port = port;
        this.process = process;
    }

    /**
     * Writes the config, starts Kamailio and waits, at most 15 s, until it has bound its UDP and TCP
     * port. Requests for {@link ProsodyServer#XMPP_DOMAIN} and {@link ProsodyServer#COMPONENT_DOMAIN}
     * go to Isthmus at 127.0.0.1:isthmusPort over UDP. Fails with the log's tail otherwise.
     */
    public static KamailioServer start(int isthmusPort) {
        return start(isthmusPort, false);
    }

    /**
     * Starts Kamailio as {@link #start} does, and also as the presence server of {@link #SIP_DOMAIN}
     * ({@code -A WITH_PRESENCE}): it answers PUBLISH and SUBSCRIBE for its users itself, authorizes
     * every watcher, and keeps subscriptions and published state in memory only. The presence module
     * insists on a database URL all the same; a db_text one naming an empty directory serves, since in
     * these modes no table is ever read or written (see the template).
     */
    public static KamailioServer startWithPresence(int isthmusPort) {
        return start(isthmusPort, true);
    }

    private static KamailioServer start(int isthmusPort, boolean presence) {
        String kamailio = Peers.executable("kamailio");
        Path directory = Peers.workDirectory("kamailio");
        int port = Peers.freePort();
        Path config = directory.resolve("kamailio.cfg");
        Path runtime = directory.resolve("run");
        Path database = directory.resolve("dbtext");
        try {
            String template = Files.readString(Peers.projectFile(TEMPLATE), StandardCharsets.UTF_8);
            Files.writeString(config, render(template, Map.of(
                    "LISTEN_ADDRESS", Peers.LOOPBACK,
                    "SIP_PORT", Integer.toString(port),
                    "SIP_DOMAIN", SIP_DOMAIN,
                    "XMPP_DOMAIN", ProsodyServer.XMPP_DOMAIN,
                    "COMPONENT_DOMAIN", ProsodyServer.COMPONENT_DOMAIN,
                    "ISTHMUS_HOST", Peers.LOOPBACK,
                    "ISTHMUS_PORT", Integer.toString(isthmusPort),
                    "DB_DIR", database.toString())), StandardCharsets.UTF_8);
            // Kamailio 5.6 needs a writable runtime directory; its default, /run/kamailio, may be
            // missing or owned by the kamailio user.
            Files.createDirectories(runtime);
            Files.createDirectories(database);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kamailio config in " + directory, e);
        }
        List<String> command = new ArrayList<>(List.of(kamailio,
                "-f", config.toString(),
                "-DD",                 // stay in the foreground: the test owns the process
                "-E",                  // log to stderr (here kamailio.log), not syslog
                "-n", "1",             // one UDP worker is plenty for a test
                "-w", directory.toString(),
                "-Y", runtime.toString(),
                "-P", directory.resolve("kamailio.pid").toString(),
                "-m", "32", "-M", "8")); // shared and private memory in MB, far below the defaults
        if (presence) {
            command.addAll(List.of("-A", "WITH_PRESENCE"));
        }
        Process process;
        try {
            Files.write(directory.resolve("command.txt"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
            process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("kamailio.log").toFile())
                    .start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start kamailio in " + directory, e);
        }
        KamailioServer server = new KamailioServer(directory, port, process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        boolean up = Peers.awaitBound(port, true, START_TIMEOUT, process)
                && Peers.awaitBound(port, false, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), process);
        if (!up) {
            boolean exited = !process.isAlive();
            server.close();
            throw new IllegalStateException("Kamailio did not bind 127.0.0.1:" + port + " (UDP and TCP) within "
                    + START_TIMEOUT.toSeconds() + " s" + (exited ? " (it exited)" : "") + "\n" + server.diagnostics());
        }
        return server;
    }

    static String render(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace("@" + value.getKey() + "@", value.getValue());
        }
        return text;
    }

    /** The port Kamailio listens on at 127.0.0.1, for UDP and TCP. */
    public int port() {
        return port;
    }

    /** Lines for Isthmus's {@code sip:} config that route {@link #SIP_DOMAIN} to this proxy over UDP. */
    public String isthmusRoute() {
        return "  routes:\n    - {domain: %s, host: %s, port: %d, transport: udp}\n"
                .formatted(SIP_DOMAIN, Peers.LOOPBACK, port);
    }

    /** The SIP URI of a user of {@link #SIP_DOMAIN}, e.g. {@code sip:bob@sip.test}. */
    public String aor(String user) {
        return "sip:" + user + "@" + SIP_DOMAIN;
    }

    public Path directory() {
        return directory;
    }

    public Path logFile() {
        return directory.resolve("kamailio.log");
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The tail of Kamailio's log (one line per request and reply it handled), for a failure message. */
    public String diagnostics() {
        return "--- " + logFile() + " (tail) ---\n" + Peers.tail(logFile(), 60);
    }

    /**
     * Stops Kamailio: SIGTERM to the main process, which ends its workers; a kill of the main
     * process and every worker after 5 s. The directory and its log stay.
     */
    @Override
    public void close() {
        // Collected first: a worker orphaned by a killed main process would keep the port bound.
        List<ProcessHandle> workers = process.descendants().toList();
        Peers.stop(process, STOP_GRACE);
        for (ProcessHandle worker : workers) {
            if (worker.isAlive()) {
                worker.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "Kamailio[127.0.0.1:" + port + ", dir=" + directory + "]";
    }
}
