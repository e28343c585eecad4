package org.isthmus.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Prosody 0.12 of the driver's own: configured from {@code prosody.cfg.lua.template} (beside this
 * class) in its own directory, listening on 127.0.0.1 only, on free ports, with the load users
 * registered through prosodyctl. Its log (warnings only) stays in the directory.
 */
final class ProsodyLauncher {

    static final String XMPP_DOMAIN = "xmpp.test";
    static final String COMPONENT_DOMAIN = "sip.xmpp.test";
    static final String COMPONENT_SECRET = "isthmus-bench-secret";
    /** The subdomain Kamailio's xmpp module attaches to as a second XEP-0114 component (same secret). */
    static final String KAMAILIO_COMPONENT_DOMAIN = "kamailio.xmpp.test";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path directory;
    private final int c2sPort;
    private final int componentPort;
    private final Process process;

    private ProsodyLauncher(Path directory, int c2sPort, int componentPort, Process process) {
        this.directory = directory;
        this.c2sPort = c2sPort;
        this.componentPort = componentPort;
        this.process = process;
    }

    /** Writes the config, registers the users (name to password), starts prosody -F, waits for both ports. */
    static ProsodyLauncher start(Path directory, LoopbackPorts ports, ChildProcesses children,
            Map<String, String> users) {
        return start(directory, ports, children, users, false);
    }

    /**
     * {@link #start(Path, LoopbackPorts, ChildProcesses, Map)}; with {@code inMemory}, for the presence
     * run, every store (accounts, rosters) is kept in memory and clients may register in band.
     */
    static ProsodyLauncher start(Path directory, LoopbackPorts ports, ChildProcesses children,
            Map<String, String> users, boolean inMemory) {
        int c2sPort = ports.next();
        int componentPort = ports.next();
        Path config = directory.resolve("prosody.cfg.lua");
        try {
            Files.createDirectories(directory.resolve("certs"));
            String text = template();
            Map<String, String> values = Map.of(
                    "DATA_DIR", directory.toString(),
                    "C2S_PORT", Integer.toString(c2sPort),
                    "COMPONENT_PORT", Integer.toString(componentPort),
                    "XMPP_DOMAIN", XMPP_DOMAIN,
                    "COMPONENT_DOMAIN", COMPONENT_DOMAIN,
                    "COMPONENT_SECRET", COMPONENT_SECRET,
                    "KAMAILIO_COMPONENT_DOMAIN", KAMAILIO_COMPONENT_DOMAIN,
                    "STORAGE", inMemory ? "memory" : "internal",
                    "ALLOW_REGISTRATION", Boolean.toString(inMemory));
            for (Map.Entry<String, String> value : values.entrySet()) {
                String luaSafe = value.getValue().replace("\\", "\\\\").replace("\"", "\\\"");
                text = text.replace("@" + value.getKey() + "@", luaSafe);
            }
            Files.writeString(config, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Prosody config in " + directory, e);
        }
        Path out = directory.resolve("prosody.out");
        String prosodyctl = ChildProcesses.executable("prosodyctl");
        for (Map.Entry<String, String> user : users.entrySet()) {
            int exit = children.run(List.of(prosodyctl, "--config", config.toString(), "register", user.getKey(),
                    XMPP_DOMAIN, user.getValue()), directory, out, Duration.ofSeconds(30));
            if (exit != 0) {
                throw new IllegalStateException("prosodyctl register " + user.getKey() + " failed (exit " + exit
                        + "):\n" + ChildProcesses.tail(out, 20));
            }
        }
        Process process = children.start(List.of(ChildProcesses.executable("prosody"), "--config", config.toString(),
                "-F"), directory, out);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!(LoopbackPorts.tcpAccepting(c2sPort) && LoopbackPorts.tcpAccepting(componentPort))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                ChildProcesses.stop(process, Duration.ofSeconds(2));
                throw new IllegalStateException("Prosody did not open 127.0.0.1:" + c2sPort + " and :"
                        + componentPort + " within " + START_TIMEOUT.toSeconds() + " s\n"
                        + ChildProcesses.tail(directory.resolve("prosody.log"), 30) + "\n" + ChildProcesses.tail(out, 20));
            }
            sleep(50);
        }
        return new ProsodyLauncher(directory, c2sPort, componentPort, process);
    }

    private static String template() throws IOException {
        try (InputStream in = ProsodyLauncher.class.getResourceAsStream("prosody.cfg.lua.template")) {
            if (in == null) {
                throw new IllegalStateException("prosody.cfg.lua.template is missing from the bench jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    int c2sPort() {
        return c2sPort;
    }

    int componentPort() {
        return componentPort;
    }

    long pid() {
        return process.pid();
    }

    Path directory() {
        return directory;
    }
}
