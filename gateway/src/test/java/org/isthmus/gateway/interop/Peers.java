package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the real-peer harness: loopback ports, installed binaries, bounded waits. */
public final class Peers {

    /** Every peer listens and connects here only; nothing is looked up by name. */
    public static final String LOOPBACK = "127.0.0.1";

    /** The Python with python3-slixmpp (Debian's), not whatever python3 comes first on PATH. */
    public static final String SYSTEM_PYTHON = "/usr/bin/python3";

    /**
     * Ports handed out in this JVM, so two peers started close together never get the same one
     * before either has bound it. A test-only registry: the set only grows, by a handful per test.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Peers() {
    }

    /** The loopback address as an {@link InetAddress}, without any name lookup. */
    public static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A port on 127.0.0.1 that is free for both TCP and UDP right now, and not handed out before. */
    public static int freePort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(loopback(), 0));
                port = tcp.getLocalPort();
                boolean udpFree;
                try {
                    new DatagramSocket(new InetSocketAddress(loopback(), port)).close();
                    udpFree = true;
                } catch (IOException udpTaken) {
                    udpFree = false;
                }
                if (udpFree && HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind a TCP port on " + LOOPBACK, e);
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on " + LOOPBACK);
    }

    /**
     * A free port p whose neighbour p + offset is free too, both handed out; SIPp's media ports
     * come in such pairs (RTP on p, video on p + 2).
     */
    public static int freePortWith(int offset) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            int other = port + offset;
            if (other > 0 && other < 65536 && isFree(other) && HANDED_OUT.add(other)) {
                return port;
            }
        }
        throw new IllegalStateException("no pair of free ports " + offset + " apart on " + LOOPBACK);
    }

    private static boolean isFree(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(false);
            tcp.bind(new InetSocketAddress(loopback(), port));
            new DatagramSocket(new InetSocketAddress(loopback(), port)).close();
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The executable a command name resolves to on PATH (or the path itself when it has a slash). */
    public static Optional<Path> which(String command) {
        if (command.contains("/")) {
            Path path = Path.of(command);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("");
        List<String> dirs = new ArrayList<>(List.of(pathVariable.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test when a command is missing, e.g. on a developer's machine without peers; fails
     * it instead when the system property {@code isthmus.interop.required} is true (the interop profile
     * sets it, so CI cannot pass by skipping because an install step went missing).
     */
    public static void assumeInstalled(String... commands) {
        for (String command : commands) {
            require(which(command).isPresent(), command + " is not installed; .ci/install-peers installs the interop peers");
        }
    }

    private static void require(boolean present, String why) {
        if (Boolean.getBoolean("isthmus.interop.required")) {
            Assertions.assertTrue(present, why);
        } else {
            Assumptions.assumeTrue(present, why);
        }
    }

    /** The path of an installed command, for ProcessBuilder; skips the calling test when it is missing. */
    public static String executable(String command) {
        assumeInstalled(command);
        return which(command).orElseThrow().toString();
    }

    /** The Python interpreter for the slixmpp client: system property isthmus.interop.python, else Debian's. */
    public static String python() {
        return System.getProperty("isthmus.interop.python", SYSTEM_PYTHON);
    }

    /** Skips the calling test when {@link #python()} is missing or cannot import the given module. */
    public static void assumePythonModule(String module) {
        assumeInstalled(python());
        boolean importable;
        try {
            Process process = new ProcessBuilder(python(), "-c", "import " + module)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            importable = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
            process.destroyForcibly();
        } catch (IOException e) {
            importable = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            importable = false;
        }
        require(importable, python() + " cannot import " + module + "; .ci/install-peers installs python3-" + module);
    }

    /**
     * A file of the source tree by its path from the reactor root, e.g. {@code conf/interop/x}:
     * found from the working directory upwards (Maven runs tests in the module's directory).
     */
    public static Path projectFile(String pathFromRoot) {
        Path dir = Path.of("").toAbsolutePath();
        for (Path at = dir; at != null; at = at.getParent()) {
            Path candidate = at.resolve(pathFromRoot);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(pathFromRoot + " not found from " + dir + " upwards");
    }

    /**
     * A new directory for one peer's files (config, data, logs, traces) under
     * {@code target/interop/}, kept after the test so a failure can be read afterwards.
     */
    public static Path workDirectory(String prefix) {
        try {
            Path base = Path.of(System.getProperty("isthmus.interop.dir", "target/interop")).toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a TCP port on loopback accepts a connection; false when the time is up or the process died. */
    public static boolean awaitTcpPort(int port, Duration timeout, Process owner) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (owner != null && !owner.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(loopback(), port), 200);
                return true;
            } catch (IOException notYet) {
                sleep(Duration.ofMillis(50));
            }
        }
        return false;
    }

    /**
     * Waits until some process has bound a port on loopback (TCP listener or UDP socket), found by
     * failing to bind it ourselves, so nothing connects to the peer before the test does.
     */
    public static boolean awaitBound(int port, boolean udp, Duration timeout, Process owner) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (owner != null && !owner.isAlive()) {
                return false;
            }
            try {
                if (udp) {
                    new DatagramSocket(new InetSocketAddress(loopback(), port)).close();
                } else {
                    ServerSocket probe = new ServerSocket();
                    probe.setReuseAddress(false);
                    probe.bind(new InetSocketAddress(loopback(), port));
                    probe.close();
                }
            } catch (BindException bound) {
                return true;
            } catch (IOException other) {
                throw new UncheckedIOException(other);
            }
            sleep(Duration.ofMillis(50));
        }
        return false;
    }

    /** Runs a command to completion within a bound; the result carries its exit code and output. */
    public static CommandResult run(Duration timeout, Path workDirectory, String... command) {
        return run(timeout, workDirectory, Map.of(), command);
    }

    /**
     * Runs a command as {@link #run(Duration, Path, String...)} does, with {@code environment} added to
     * (or replacing entries of) this JVM's environment.
     */
    public static CommandResult run(Duration timeout, Path workDirectory, Map<String, String> environment,
                                    String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDirectory.toFile())
                    .redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            // Output of these short commands is small; read it after exit or destruction.
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                stop(process, Duration.ofSeconds(2));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new CommandResult(exited ? process.exitValue() : -1, !exited, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command[0], e);
        }
    }

    /** The exit code (-1 when it timed out) and merged output of {@link #run}. */
    public record CommandResult(int exitCode, boolean timedOut, String output) {
    }

    /** Asks a process to end (SIGTERM), then kills it if it is still there after the grace period. */
    public static void stop(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of a text file, for failure messages; empty when it does not exist. */
    public static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            // Decoded leniently: a log may hold bytes that are not UTF-8.
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
