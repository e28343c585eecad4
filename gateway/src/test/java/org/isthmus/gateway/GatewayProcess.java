package org.isthmus.gateway;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.isthmus.gateway.cli.IsthmusCommand;

/**
 * Isthmus as users run it, {@code isthmus run --config F}, in a process of its own on the test's class
 * path, so that a test can kill it with SIGKILL as a crash would, or stop it with SIGTERM as an
 * operator (or systemd) does.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;

    private GatewayProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code isthmus run --config config}, its output going to {@code log}. */
    public static GatewayProcess start(Path config, Path log) throws IOException {
        return start(config, log, List.of());
    }

    /** The same, with {@code jvmOptions} (e.g. system properties, {@code -Xmx256m}) before the main class. */
    public static GatewayProcess start(Path config, Path log, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IsthmusCommand.class.getName(), "run",
                "--config", config.toString()));
        return new GatewayProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start());
    }

    /** Sends the process a signal by name, e.g. {@code HUP}, as {@code kill -s} does. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process with SIGKILL and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the gateway process did not die");
        }
    }

    /**
     * Sends SIGTERM and waits, at most {@code bound}, for the process to exit (killing it after that);
     * returns its exit status, or -1 when it had to be killed.
     */
    public int terminate(Duration bound) throws InterruptedException {
        process.destroy();
        if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill();
        return -1;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
