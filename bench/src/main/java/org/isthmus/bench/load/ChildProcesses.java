package org.isthmus.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes one driver run started (Prosody, Isthmus, SIPp), so that each is stopped, by its own
 * handle, when the run ends, fails or is interrupted; nothing else is ever signalled.
 */
final class ChildProcesses {

    private final List<Process> started = Collections.synchronizedList(new ArrayList<>());

    /** Starts a command in a directory with its output (stdout and stderr) appended to a file. */
    Process start(List<String> command, Path directory, Path output) {
        return start(command, directory, output, java.util.Map.of());
    }

    /** {@link #start(List, Path, Path)} with more environment variables (e.g. LD_PRELOAD). */
    Process start(List<String> command, Path directory, Path output, java.util.Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Starts a command whose output the caller reads (the gateway's log). */
    Process startPiped(List<String> command, Path directory) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Runs a command to its end (bounded) and returns its exit code, -1 when it timed out. */
    int run(List<String> command, Path directory, Path output, Duration timeout) {
        Process process = start(command, directory, output);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process, Duration.ofSeconds(2));
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process, Duration.ZERO);
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    static void stop(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Stops every process still running, newest first. */
    void stopAll() {
        List<Process> copy;
        synchronized (started) {
            copy = new ArrayList<>(started);
        }
        Collections.reverse(copy);
        for (Process process : copy) {
            stop(process, Duration.ofSeconds(5));
        }
    }

    /** The last lines of a file, for a failure message. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    /** The path of an executable on PATH; fails with a hint when it is not installed. */
    static String executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed (sudo .ci/install-peers installs Prosody and SIPp)");
    }
}
