package org.isthmus.gateway.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.isthmus.gateway.interop.Peers;

/**
 * A redis-server from Debian's package, started by a test on a free loopback port with its own
 * directory and no configuration file (so nothing from /etc applies), and stopped by it.
 */
public final class RedisServer implements AutoCloseable {

    private static final List<String> FSYNC_EVERY_WRITE = List.of("--appendonly", "yes", "--appendfsync", "always");

    private final String executable;
    private final Path directory;
    private final int port;
    private final List<String> options;
    private Process process;

    private RedisServer(String executable, Path directory, int port, List<String> options) {
        this.executable = executable;
        this.directory = directory;
        this.port = port;
        this.options = List.copyOf(options);
    }

    /**
     * Starts a server in a new directory under target/interop: in memory only, or with an append-only
     * file fsynced before every reply ({@code fsyncEveryWrite}). Skips the test when redis-server is
     * not installed (fails it under the interop profile).
     */
    public static RedisServer start(boolean fsyncEveryWrite) {
        return start(Peers.freePort(), "redis", fsyncEveryWrite ? FSYNC_EVERY_WRITE : List.of("--appendonly", "no"));
    }

    /**
     * Starts a node for a Redis Cluster, not yet part of one ({@link RedisCluster} joins them), with an
     * append-only file fsynced before every reply, and its cluster bus on the port 10000 above its own.
     */
    static RedisServer startClusterNode() {
        List<String> options = new ArrayList<>(FSYNC_EVERY_WRITE);
        options.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
        return start(Peers.freePortWith(10_000), "redis-cluster", options);
    }

    private static RedisServer start(int port, String directoryPrefix, List<String> options) {
        String executable = Peers.executable("redis-server");
        RedisServer server = new RedisServer(executable, Peers.workDirectory(directoryPrefix), port, options);
        server.launch();
        return server;
    }

    /** The server's {@code redis://} URI. */
    public String uri() {
        return "redis://" + Peers.LOOPBACK + ":" + port;
    }

    int port() {
        return port;
    }

    /** Kills the server with SIGKILL, as a crash would. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port and directory (after {@link #kill()}). */
    void restart() {
        launch();
    }

    @Override
    public void close() {
        if (process != null) {
            Peers.stop(process, Duration.ofSeconds(5));
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(executable,
                "--port", Integer.toString(port), "--bind", Peers.LOOPBACK, "--protected-mode", "yes",
                "--dir", directory.toString(), "--logfile", directory.resolve("redis.log").toString(),
                "--daemonize", "no", "--save", ""));
        command.addAll(options);
        try {
            process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        if (!Peers.awaitTcpPort(port, Duration.ofSeconds(15), process)) {
            close();
            throw new IllegalStateException("redis-server did not listen on " + port + ":\n"
                    + Peers.tail(directory.resolve("redis.log"), 20) + Peers.tail(directory.resolve("redis.out"), 20));
        }
    }
}
