package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A Prosody 0.12 server federating with Isthmus over server-to-server streams, for one test:
 * configured from {@code conf/interop/prosody-s2s.cfg.lua.template}, c2s and s2s on free ports of
 * 127.0.0.1, its certificate and the CA it trusts given by the test, and the peer domain mapped to an
 * address in Prosody's own hosts file (no system DNS, no root-wide /etc/hosts change). Prosody
 * reaches that domain on port 5269 (no SRV record), so Isthmus must listen there.
 */
public final class ProsodyS2sPeer implements AutoCloseable {

    public static final String XMPP_DOMAIN = "xmpp.test";
    static final String TEMPLATE = "conf/interop/prosody-s2s.cfg.lua.template";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Path directory;
    private final Path config;
    private final int c2sPort;
    private final int s2sPort;
    private final Map<String, String> users;
    private Process process;

    private ProsodyS2sPeer(Path directory, Path config, int c2sPort, int s2sPort, Map<String, String> users) {
        this.directory = directory;
        this.config = config;
        this.c2sPort = c2sPort;
        this.s2sPort = s2sPort;
        this.users = users;
    }

    /**
     * Starts Prosody for {@link #XMPP_DOMAIN} with {@code users} registered.
     *
     * @param certificate  Prosody's certificate chain (PEM) for {@link #XMPP_DOMAIN}
     * @param key          its private key (PEM)
     * @param caFile       the CA certificates Prosody trusts in peers' certificates
     * @param peerDomain   the domain Isthmus serves
     * @param peerAddress  the loopback address Isthmus listens on, port 5269
     * @param secureAuth   Prosody's {@code s2s_secure_auth}: true demands a valid certificate
     */
    public static ProsodyS2sPeer start(Path certificate, Path key, Path caFile, String peerDomain, String peerAddress,
                                       boolean secureAuth, Map<String, String> users) {
        Peers.assumeInstalled("prosody", "prosodyctl");
        Path directory = Peers.workDirectory("prosody-s2s");
        int c2sPort = Peers.freePort();
        int s2sPort = Peers.freePort();
        Path config = directory.resolve("prosody.cfg.lua");
        try {
            String template = Files.readString(Peers.projectFile(TEMPLATE), StandardCharsets.UTF_8);
            Files.writeString(config, ProsodyServer.render(template, Map.of(
                    "DATA_DIR", directory.toString(),
                    "C2S_PORT", Integer.toString(c2sPort),
                    "S2S_PORT", Integer.toString(s2sPort),
                    "XMPP_DOMAIN", XMPP_DOMAIN,
                    "CERTIFICATE", certificate.toString(),
                    "KEY", key.toString(),
                    "CA_FILE", caFile.toString(),
                    "SECURE_AUTH", Boolean.toString(secureAuth))), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve("hosts"), "127.0.0.1 localhost\n" + peerAddress + " " + peerDomain + "\n"
                    + "127.0.0.1 " + XMPP_DOMAIN + "\n", StandardCharsets.US_ASCII);
            Files.writeString(directory.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
                    StandardCharsets.US_ASCII);
            Files.createDirectories(directory.resolve("certs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Prosody config in " + directory, e);
        }
        for (Map.Entry<String, String> user : users.entrySet()) {
            Peers.CommandResult result = Peers.run(COMMAND_TIMEOUT, directory, Peers.executable("prosodyctl"),
                    "--config", config.toString(), "register", user.getKey(), XMPP_DOMAIN, user.getValue());
            if (result.exitCode() != 0) {
                throw new IllegalStateException("prosodyctl register " + user.getKey() + " failed:\n" + result.output());
            }
        }
        ProsodyS2sPeer peer = new ProsodyS2sPeer(directory, config, c2sPort, s2sPort, Map.copyOf(users));
        peer.launch();
        return peer;
    }

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
        if (!Peers.awaitTcpPort(c2sPort, START_TIMEOUT, process) || !Peers.awaitTcpPort(s2sPort, START_TIMEOUT, process)) {
            close();
            throw new IllegalStateException("Prosody did not open its ports\n" + diagnostics());
        }
    }

    /** Logs in a registered user with the slixmpp client and waits until it is ready. */
    public XmppClientProcess login(String user) {
        XmppClientProcess client = XmppClientProcess.start(jid(user), users.get(user), c2sPort);
        try {
            client.awaitReady(Duration.ofSeconds(20));
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw new IllegalStateException(e.getMessage() + "\n" + diagnostics(), e);
        }
        return client;
    }

    public String jid(String user) {
        return user + "@" + XMPP_DOMAIN;
    }

    public int s2sPort() {
        return s2sPort;
    }

    public Path logFile() {
        return directory.resolve("prosody.log");
    }

    /** The tail of Prosody's log, for a failure message. */
    public String diagnostics() {
        return "--- " + logFile() + " (tail) ---\n" + Peers.tail(logFile(), 80);
    }

    @Override
    public void close() {
        if (process != null) {
            Peers.stop(process, Duration.ofSeconds(10));
        }
    }
}
