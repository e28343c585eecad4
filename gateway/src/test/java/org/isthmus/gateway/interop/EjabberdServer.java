package org.isthmus.gateway.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An ejabberd 23.01 server federating with Isthmus over server-to-server streams, for one test: its
 * own node, config, Mnesia spool, logs and Erlang cookie in a directory under {@code target/interop/},
 * never the system's ejabberd. Configured from {@code conf/interop/ejabberd.yml.template}: c2s and s2s
 * on free ports of 127.0.0.1, STARTTLS required on s2s, the certificate and the trusted CA given by
 * the test, users registered through {@code ejabberd_ctl}.
 *
 * <p>How it runs, and why not through Debian's {@code ejabberdctl}: that script runs only as root or
 * as the {@code ejabberd} user, and as root it switches to that user, who cannot write the test's
 * directory. So this class starts {@code erl} itself with the arguments {@code ejabberdctl foreground}
 * would use ({@code -mnesia dir}, {@code -s ejabberd}, the {@code EJABBERD_*} variables). Erlang
 * distribution, which {@code ejabberd_ctl} needs, listens on a fixed free port of 127.0.0.1
 * ({@code -erl_epmd_port} with {@code -start_epmd false}), so no epmd is started or needed (if one
 * already runs, the node registers with it, and the entry goes when the node stops); control
 * commands are run by a hidden node that does not listen ({@code -dist_listen false}). The cookie is
 * a random one in {@code $HOME/.erlang.cookie}, with {@code HOME} set to the test's directory.
 *
 * <p>How it finds Isthmus without DNS: ejabberd looks up SRV records with Erlang's own resolver
 * ({@code inet_res}) and the host of the answer with the C library's {@code getaddrinfo}. The inetrc
 * file given in {@code ERL_INETRC} leaves the resolver without name servers (no query leaves the
 * machine), and an {@code -eval} at start puts an SRV record for the peer's domain into the resolver
 * cache, whose target is an IP address that {@code getaddrinfo} takes literally. So Isthmus may listen
 * on any port; no hosts file or system DNS change is needed. (Without that record ejabberd would fall
 * back to {@code getaddrinfo} on the domain itself, which asks the system's resolver: the record is
 * what keeps the lookup on this machine.)
 *
 * <p>{@link #close()} stops the node ({@code ejabberd_ctl stop}, then SIGTERM, then a kill); the
 * directory, with {@code logs/ejabberd.log} (every stanza at the debug level), stays for diagnostics.
 */
public final class EjabberdServer implements AutoCloseable {

    public static final String XMPP_DOMAIN = "ejabberd.test";
    static final String TEMPLATE = "conf/interop/ejabberd.yml.template";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final AtomicInteger CONTROL_NODES = new AtomicInteger();

    private final Path directory;
    private final String node;
    private final int distributionPort;
    private final int c2sPort;
    private final int s2sPort;
    private final Map<String, String> environment;
    private final Map<String, String> users = new LinkedHashMap<>();
    private Process process;

    private EjabberdServer(Path directory, String node, int distributionPort, int c2sPort, int s2sPort,
                           Map<String, String> environment) {
        this.directory = directory;
        this.node = node;
        this.distributionPort = distributionPort;
        this.c2sPort = c2sPort;
        this.s2sPort = s2sPort;
        this.environment = environment;
    }

    /**
     * Starts ejabberd for {@link #XMPP_DOMAIN} and registers {@code users} (name to password); waits
     * at most 40 s for its listeners. Fails with the log's tail when it does not come up.
     *
     * @param certificate  ejabberd's certificate chain (PEM) for {@link #XMPP_DOMAIN}
     * @param key          its private key (PEM, PKCS#8, P-256), rewritten for ejabberd by {@link #sec1Key}
     * @param caFile       the CA certificates ejabberd trusts in peers' certificates ({@code ca_file})
     * @param peerDomain   the domain Isthmus serves
     * @param peerAddress  the IPv4 address Isthmus listens on, the SRV record's target
     * @param peerPort     the port Isthmus listens on, the SRV record's port
     */
    public static EjabberdServer start(Path certificate, Path key, Path caFile, String peerDomain, String peerAddress,
                                       int peerPort, Map<String, String> users) {
        Peers.assumeInstalled("erl", "ejabberdctl");
        Path libraries = ejabberdLibraries();
        if (!DOMAIN.matcher(peerDomain).matches()) {
            throw new IllegalArgumentException("not a plain DNS name: " + peerDomain);
        }
        if (!IPV4.matcher(peerAddress).matches()) {
            throw new IllegalArgumentException("not an IPv4 address: " + peerAddress);
        }

        Path directory = Peers.workDirectory("ejabberd");
        int distributionPort = Peers.freePort();
        int c2sPort = Peers.freePort();
        int s2sPort = Peers.freePort();
        String node = "ejabberd-test-" + distributionPort + "@localhost";
        Path config = directory.resolve("ejabberd.yml");
        Path inetrc = directory.resolve("inetrc");
        Path logs = directory.resolve("logs");
        try {
            Path keyFile = directory.resolve("ejabberd.key");
            Files.writeString(keyFile, sec1Key(certificate, key), StandardCharsets.US_ASCII);
            Files.createDirectories(logs);
            Files.createDirectories(directory.resolve("spool"));
            String template = Files.readString(Peers.projectFile(TEMPLATE), StandardCharsets.UTF_8);
            Files.writeString(config, render(template, Map.of(
                    "XMPP_DOMAIN", XMPP_DOMAIN,
                    "C2S_PORT", Integer.toString(c2sPort),
                    "S2S_PORT", Integer.toString(s2sPort),
                    "CERTIFICATE", certificate.toString(),
                    "KEY", keyFile.toString(),
                    "CA_FILE", caFile.toString(),
                    "LOG_LEVEL", "debug")), StandardCharsets.UTF_8);
            // No resolv.conf and no name server: inet_res answers from its cache or says nxdomain at
            // once. "localhost" is needed by the distribution (the node names end in @localhost).
            // One {host, ...} line per address: a second line for the same address replaces the first.
            Files.writeString(inetrc, "{resolv_conf, \"\"}.\n{hosts_file, \"\"}.\n{lookup, [file]}.\n"
                    + "{host, {127,0,0,1}, [\"localhost\"]}.\n", StandardCharsets.US_ASCII);
            // Erlang reads the cookie from $HOME/.erlang.cookie, which must be readable by its owner only.
            Path cookie = directory.resolve(".erlang.cookie");
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            Files.writeString(cookie, HexFormat.of().formatHex(secret), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ejabberd config in " + directory, e);
        }

        Map<String, String> environment = Map.ofEntries(
                Map.entry("HOME", directory.toString()),
                Map.entry("ERL_LIBS", libraries.toString()),
                Map.entry("ERL_INETRC", inetrc.toString()),
                Map.entry("EJABBERD_CONFIG_PATH", config.toString()),
                Map.entry("EJABBERD_LOG_PATH", logs.resolve("ejabberd.log").toString()),
                Map.entry("ERL_CRASH_DUMP", logs.resolve("erl_crash.dump").toString()),
                Map.entry("ERL_CRASH_DUMP_BYTES", "0"),
                Map.entry("CONTRIB_MODULES_PATH", directory.resolve("modules").toString()),
                // A developer's Erlang flags must not change the test nodes.
                Map.entry("ERL_FLAGS", ""),
                Map.entry("ERL_AFLAGS", ""),
                Map.entry("ERL_ZFLAGS", ""));
        EjabberdServer server = new EjabberdServer(directory, node, distributionPort, c2sPort, s2sPort, environment);
        // The answer to ejabberd's SRV query for the peer: priority 0, weight 0, an IP address as target.
        String srv = "inet_db:add_rr(\"_xmpp-server._tcp." + peerDomain + "\", in, srv, 86400, {0, 0, " + peerPort
                + ", \"" + peerAddress + "\"})";
        server.launch(srv);
        try {
            for (Map.Entry<String, String> user : users.entrySet()) {
                server.register(user.getKey(), user.getValue());
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void launch(String srvRecord) {
        List<String> command = new ArrayList<>(List.of(Peers.executable("erl"),
                "-sname", node, "-noinput",
                "-erl_epmd_port", Integer.toString(distributionPort), "-start_epmd", "false",
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
                "-mnesia", "dir", erlangString(directory.resolve("spool").toString()),
                // What ejabberdctl reads from ejabberd.yml and passes here: one log file, nothing dropped.
                "-ejabberd", "log_rotate_size", "infinity", "log_burst_limit_count", "100000",
                "-eval", srvRecord,
                "-s", "ejabberd"));
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("ejabberd.out").toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start erl for ejabberd", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // ejabberd opens its listeners last, once Mnesia, the modules and the routes are up.
        boolean up = Peers.awaitBound(c2sPort, false, START_TIMEOUT, process)
                && Peers.awaitBound(s2sPort, false, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), process)
                && control(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), "status").exitCode() == 0;
        if (!up) {
            boolean exited = !process.isAlive();
            close();
            throw new IllegalStateException("ejabberd did not start on 127.0.0.1:" + c2sPort + " and :" + s2sPort
                    + " within " + START_TIMEOUT.toSeconds() + " s" + (exited ? " (it exited)" : "") + "\n"
                    + diagnostics());
        }
    }

    /** Registers (or fails to re-register) a user on {@link #XMPP_DOMAIN} with ejabberd_ctl. */
    public void register(String user, String password) {
        Peers.CommandResult result = control(COMMAND_TIMEOUT, "register", user, XMPP_DOMAIN, password);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("ejabberd_ctl register " + user + "@" + XMPP_DOMAIN + " failed ("
                    + (result.timedOut() ? "timed out" : "exit " + result.exitCode()) + "):\n" + result.output()
                    + "\n" + diagnostics());
        }
        users.put(user, password);
    }

    /**
     * Runs an ejabberd_ctl command against this node from a hidden Erlang node that connects to the
     * fixed distribution port and listens on none, as {@code ejabberdctl <command>} does.
     */
    public Peers.CommandResult control(Duration timeout, String... arguments) {
        List<String> command = new ArrayList<>(List.of(Peers.executable("erl"),
                "-sname", "ctl-" + CONTROL_NODES.incrementAndGet() + "-" + distributionPort + "@localhost",
                "-hidden", "-noinput",
                "-erl_epmd_port", Integer.toString(distributionPort), "-start_epmd", "false", "-dist_listen", "false",
                "-s", "ejabberd_ctl", "-extra", node));
        command.addAll(List.of(arguments));
        return Peers.run(timeout, directory, environment, command.toArray(String[]::new));
    }

    /** Logs in a registered user with the slixmpp client and waits until it is ready. */
    public XmppClientProcess login(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException(user + " is not registered; registered: " + users.keySet());
        }
        XmppClientProcess client = XmppClientProcess.start(jid(user), password, c2sPort);
        try {
            client.awaitReady(Duration.ofSeconds(20));
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw new IllegalStateException(e.getMessage() + "\n" + diagnostics(), e);
        }
        return client;
    }

    /** The bare JID of a user of this server, e.g. {@code alice@ejabberd.test}. */
    public String jid(String user) {
        return user + "@" + XMPP_DOMAIN;
    }

    public int c2sPort() {
        return c2sPort;
    }

    public int s2sPort() {
        return s2sPort;
    }

    public Path directory() {
        return directory;
    }

    public Path logFile() {
        return directory.resolve("logs").resolve("ejabberd.log");
    }

    /**
     * Waits until a line of ejabberd's log matches {@code pattern}, e.g. to see which authentication
     * a stream used; false when none does in time. ejabberd writes its log asynchronously, so a line
     * may appear a little after the event it reports.
     */
    public boolean awaitLogLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (Files.exists(logFile())
                        && new String(Files.readAllBytes(logFile()), StandardCharsets.UTF_8).lines()
                                .anyMatch(line -> pattern.matcher(line).find())) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Peers.sleep(Duration.ofMillis(100));
        }
    }

    /** The tails of ejabberd's log and console output, for a failure message. */
    public String diagnostics() {
        return "--- " + logFile() + " (tail) ---\n" + Peers.tail(logFile(), 80)
                + "\n--- " + directory.resolve("ejabberd.out") + " (tail) ---\n"
                + Peers.tail(directory.resolve("ejabberd.out"), 20);
    }

    /** Stops the node: ejabberd_ctl stop, then SIGTERM, then a kill. The directory and its logs stay. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        control(COMMAND_TIMEOUT, "stop");
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                Peers.stop(process, Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Peers.stop(process, Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return "ejabberd[" + node + ", c2s=127.0.0.1:" + c2sPort + ", s2s=127.0.0.1:" + s2sPort + ", dir=" + directory
                + "]";
    }

    /**
     * The directory to put in ERL_LIBS: the one holding {@code ejabberd-<version>/ebin/ejabberd.app}.
     * Debian installs it under {@code /usr/lib/<multiarch>/}; system property
     * {@code isthmus.interop.ejabberd.libs} overrides the search.
     */
    static Path ejabberdLibraries() {
        Optional<String> configured = Optional.ofNullable(System.getProperty("isthmus.interop.ejabberd.libs"));
        if (configured.isPresent()) {
            return Path.of(configured.get());
        }
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/lib/erlang/lib"), Path.of("/usr/local/lib")));
        try (DirectoryStream<Path> lib = Files.newDirectoryStream(Path.of("/usr/lib"), Files::isDirectory)) {
            lib.forEach(candidates::add);
        } catch (IOException e) {
            // no /usr/lib: nothing more to search
        }
        for (Path candidate : candidates) {
            try (DirectoryStream<Path> apps = Files.newDirectoryStream(candidate, "ejabberd-*")) {
                for (Path app : apps) {
                    if (Files.isRegularFile(app.resolve("ebin").resolve("ejabberd.app"))) {
                        return candidate;
                    }
                }
            } catch (IOException e) {
                // not readable: try the next one
            }
        }
        throw new IllegalStateException("ejabberd's Erlang application (ejabberd-*/ebin/ejabberd.app) not found under "
                + candidates + "; set isthmus.interop.ejabberd.libs");
    }

    /**
     * The private key as a SEC1 {@code EC PRIVATE KEY} PEM (RFC 5915) that carries its public key.
     * ejabberd 23.01 pairs each key of {@code certfiles} with a certificate by that public key, and the
     * JDK's PKCS#8 encoding of an EC key leaves it out ("no matching private key found for this
     * certificate"), so it is taken from the certificate. P-256 only, the curve TestCertificates uses.
     */
    static String sec1Key(Path certificateChain, Path pkcs8Key) {
        try {
            String pem = Files.readString(pkcs8Key, StandardCharsets.US_ASCII);
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            ECPublicKey publicKey;
            try (InputStream in = Files.newInputStream(certificateChain)) {
                publicKey = (ECPublicKey) CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
            }
            if (privateKey.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("only P-256 keys are rewritten: " + pkcs8Key);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {0x02, 0x01, 0x01}); // version 1
            body.writeBytes(new byte[] {0x04, 0x20});
            body.writeBytes(unsigned32(privateKey.getS()));
            // [0] namedCurve prime256v1 (1.2.840.10045.3.1.7)
            body.writeBytes(new byte[] {(byte) 0xa0, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03,
                0x01, 0x07});
            // [1] publicKey BIT STRING: no unused bits, uncompressed point 04 || X || Y
            body.writeBytes(new byte[] {(byte) 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04});
            body.writeBytes(unsigned32(publicKey.getW().getAffineX()));
            body.writeBytes(unsigned32(publicKey.getW().getAffineY()));
            ByteArrayOutputStream sequence = new ByteArrayOutputStream();
            sequence.write(0x30);
            sequence.write(body.size());
            sequence.writeBytes(body.toByteArray());
            return "-----BEGIN EC PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(sequence.toByteArray())
                    + "\n-----END EC PRIVATE KEY-----\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read the EC key " + pkcs8Key + " and certificate "
                    + certificateChain, e);
        }
    }

    private static byte[] unsigned32(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[32];
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
        return fixed;
    }

    static String render(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            String yamlSafe = value.getValue().replace("\\", "\\\\").replace("\"", "\\\"");
            text = text.replace("@" + value.getKey() + "@", yamlSafe);
        }
        return text;
    }

    /** An Erlang string literal, for {@code -mnesia dir}. */
    private static String erlangString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
