package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Prosody 0.12 server for one test: configured from {@code conf/interop/prosody.cfg.lua.template}
 * in its own directory under {@code target/interop/}, listening on 127.0.0.1 only (c2s and the
 * XEP-0114 component port, on free ports), with users registered through prosodyctl. It hosts
 * {@link #XMPP_DOMAIN} with the component {@link #COMPONENT_DOMAIN}, or the {@link Host}s it is
 * started with, each a VirtualHost with a Component of its own on the one component port.
 * {@link #close()} stops it; the directory, with {@code prosody.log}, stays for diagnostics.
 */
public final class ProsodyServer implements AutoCloseable {

    public static final String XMPP_DOMAIN = "xmpp.test";
    public static final String COMPONENT_DOMAIN = "sip.xmpp.test";
    public static final String COMPONENT_SECRET = "isthmus-interop-secret";
    /** The users {@link #start()} registers: name to password. */
    public static final Map<String, String> TEST_USERS = Map.of("alice", "alice-pw", "carol", "carol-pw");

    /** One XMPP domain the server hosts and the component (XEP-0114) that serves its users. */
    public record Host(String domain, String componentDomain, String componentSecret) {
    }

    /** The one host of {@link #start()}: {@link #XMPP_DOMAIN} with {@link #COMPONENT_DOMAIN}. */
    public static final Host DEFAULT_HOST = new Host(XMPP_DOMAIN, COMPONENT_DOMAIN, COMPONENT_SECRET);

    static final String TEMPLATE = "conf/interop/prosody.cfg.lua.template";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path directory;
    private final Path config;
    private final int c2sPort;
    private final int componentPort;
    private final List<Host> hosts;
    /** Registered users, bare JID to password. */
    private final Map<String, String> users;
    private volatile Process process;

    private ProsodyServer(Path directory, Path config, int c2sPort, int componentPort, List<Host> hosts,
                          Map<String, String> users) {
        this.directory = directory;
        this.config = config;
        this.c2sPort = c2sPort;
        this.componentPort = componentPort;
        this.hosts = hosts;
        this.users = users;
    }

    /** Starts a server with alice and carol ({@link #TEST_USERS}) registered on {@link #XMPP_DOMAIN}. */
    public static ProsodyServer start() {
        return start(TEST_USERS);
    }

    /**
     * Writes the config, registers the users (name to password), starts {@code prosody -F} and
     * waits, at most 20 s, until both ports accept connections. Fails with the log's tail otherwise.
     */
    public static ProsodyServer start(Map<String, String> users) {
        return start(List.of(DEFAULT_HOST), users);
    }

    /**
     * As {@link #start(Map)}, hosting each of {@code hosts} (the first is the one {@link #domain()} and
     * {@link #componentDomain()} name); a user is a bare JID, or a name on the first host.
     */
    public static ProsodyServer start(List<Host> hosts, Map<String, String> users) {
        return start(hosts, users, "debug");
    }

    /**
     * As {@link #start(List, Map)}, logging from {@code logLevel} up ({@code debug}, {@code info},
     * {@code warn}); load runs log warnings only, since debug logging would be their bottleneck.
     */
    public static ProsodyServer start(List<Host> hosts, Map<String, String> users, String logLevel) {
        if (!List.of("debug", "info", "warn", "error").contains(logLevel)) {
            throw new IllegalArgumentException("not a Prosody log level: " + logLevel);
        }
        Peers.assumeInstalled("prosody", "prosodyctl");
        Host first = hosts.get(0);
        Path directory = Peers.workDirectory("prosody");
        int c2sPort = Peers.freePort();
        int componentPort = Peers.freePort();
        Path config = directory.resolve("prosody.cfg.lua");
        try {
            String template = Files.readString(Peers.projectFile(TEMPLATE), StandardCharsets.UTF_8);
            StringBuilder text = new StringBuilder(render(template, Map.of(
                    "DATA_DIR", directory.toString(),
                    "LISTEN_ADDRESS", Peers.LOOPBACK,
                    "C2S_PORT", Integer.toString(c2sPort),
                    "COMPONENT_PORT", Integer.toString(componentPort),
                    "XMPP_DOMAIN", first.domain(),
                    "COMPONENT_DOMAIN", first.componentDomain(),
                    "COMPONENT_SECRET", first.componentSecret()))
                    .replace("levels = { min = \"debug\" }", "levels = { min = \"" + logLevel + "\" }"));
            for (Host more : hosts.subList(1, hosts.size())) {
                // The template's own host section, again for each further host.
                text.append(render("""

                        VirtualHost "@XMPP_DOMAIN@"

                        Component "@COMPONENT_DOMAIN@"
                            component_secret = "@COMPONENT_SECRET@"
                        """, Map.of("XMPP_DOMAIN", more.domain(), "COMPONENT_DOMAIN", more.componentDomain(),
                        "COMPONENT_SECRET", more.componentSecret())));
            }
            Files.writeString(config, text, StandardCharsets.UTF_8);
            // Prosody indexes <config dir>/certs at start and logs an error when it is missing.
            Files.createDirectories(directory.resolve("certs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Prosody config in " + directory, e);
        }
        Map<String, String> registered = new LinkedHashMap<>();
        for (Map.Entry<String, String> user : users.entrySet()) {
            String jid = bare(user.getKey(), first);
            register(directory, config, jid, user.getValue());
            registered.put(jid, user.getValue());
        }

        ProsodyServer server = new ProsodyServer(directory, config, c2sPort, componentPort, List.copyOf(hosts),
                registered);
        server.launch();
        return server;
    }

    /** Starts prosody -F and waits (bounded) for both ports; on failure stops it and throws with the log. */
    private void launch() {
        try {
            process = new ProcessBuilder(Peers.executable("prosody"), "--config", config.toString(), "-F")
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("prosody.out").toFile()))
                    .start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start prosody", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        boolean up = Peers.awaitTcpPort(c2sPort, START_TIMEOUT, process)
                && Peers.awaitTcpPort(componentPort, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), process);
        if (!up) {
            boolean exited = !process.isAlive();
            close();
            throw new IllegalStateException("Prosody did not open 127.0.0.1:" + c2sPort + " and :" + componentPort
                    + " within " + START_TIMEOUT.toSeconds() + " s" + (exited ? " (it exited)" : "")
                    + "\n" + diagnostics());
        }
    }

    /**
     * Stops Prosody and starts it again on the same ports with the same accounts, e.g. to see the
     * gateway's component link reconnect. Logged-in clients are disconnected by the stop.
     */
    public void restart() {
        close();
        launch();
    }

    /** Registers (or re-registers) a user (a bare JID, or a name on the first host), also while the server runs. */
    public void register(String user, String password) {
        String jid = bare(user, hosts.get(0));
        register(directory, config, jid, password);
        users.put(jid, password);
    }

    private static String bare(String user, Host first) {
        return user.contains("@") ? user : user + "@" + first.domain();
    }

    private static void register(Path directory, Path config, String jid, String password) {
        int at = jid.indexOf('@');
        Peers.CommandResult result = Peers.run(COMMAND_TIMEOUT, directory, Peers.executable("prosodyctl"),
                "--config", config.toString(), "register", jid.substring(0, at), jid.substring(at + 1), password);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("prosodyctl register " + jid + " failed ("
                    + (result.timedOut() ? "timed out" : "exit " + result.exitCode()) + "):\n" + result.output());
        }
    }

    static String render(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            String luaSafe = value.getValue().replace("\\", "\\\\").replace("\"", "\\\"");
            text = text.replace("@" + value.getKey() + "@", luaSafe);
        }
        return text;
    }

    public int c2sPort() {
        return c2sPort;
    }

    public int componentPort() {
        return componentPort;
    }

    public String componentSecret() {
        return hosts.get(0).componentSecret();
    }

    public String domain() {
        return hosts.get(0).domain();
    }

    public String componentDomain() {
        return hosts.get(0).componentDomain();
    }

    /** The hosts this server runs, the first being the one {@link #domain()} names. */
    public List<Host> hosts() {
        return hosts;
    }

    /** The bare JID of a user of the first host, e.g. {@code alice@xmpp.test}; a bare JID stays as it is. */
    public String jid(String user) {
        return bare(user, hosts.get(0));
    }

    /** The password a registered user (a bare JID, or a name on the first host) was given. */
    public String password(String user) {
        String password = users.get(jid(user));
        if (password == null) {
            throw new IllegalArgumentException(user + " is not registered; registered: " + users.keySet());
        }
        return password;
    }

    /** Logs in a registered user (a bare JID, or a name on the first host) with slixmpp and waits until it is ready. */
    public XmppClientProcess login(String user) {
        XmppClientProcess client = XmppClientProcess.start(jid(user), password(user), c2sPort);
        try {
            client.awaitReady(Duration.ofSeconds(20));
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw new IllegalStateException(e.getMessage() + "\n" + diagnostics(), e);
        }
        return client;
    }

    public Path directory() {
        return directory;
    }

    public Path logFile() {
        return directory.resolve("prosody.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The tails of Prosody's log and console output, for a failure message. */
    public String diagnostics() {
        return "--- " + logFile() + " (tail) ---\n" + Peers.tail(logFile(), 60)
                + "\n--- " + directory.resolve("prosody.out") + " (tail) ---\n"
                + Peers.tail(directory.resolve("prosody.out"), 20);
    }

    /** Stops Prosody: SIGTERM, then a kill after 10 s. The directory and its log stay. */
    @Override
    public void close() {
        if (process != null) {
            Peers.stop(process, STOP_GRACE);
        }
    }

    @Override
    public String toString() {
        return "Prosody[c2s=127.0.0.1:" + c2sPort + ", component=127.0.0.1:" + componentPort + ", dir=" + directory + "]";
    }
}
