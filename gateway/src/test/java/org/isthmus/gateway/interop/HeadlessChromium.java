package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium in headless mode, as the status page's browser test drives it: it loads one page,
 * lets the page's scripts run for a bounded virtual time, then prints the DOM or takes a screenshot.
 *
 * <p>It cannot reach the network: no proxy, every host name but the loopback address resolves to
 * nothing, and the background services that phone home (component updates, sync, metrics) are off.
 * Each run has a fresh profile directory under {@code target/interop/}, kept with the run's stderr.
 */
final class HeadlessChromium {

    /** How much virtual time the page's scripts get before the DOM is taken. */
    static final Duration VIRTUAL_TIME = Duration.ofSeconds(8);
    /** The wall-clock bound of one run; a run past it is killed and fails the test. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(90);

    private HeadlessChromium() {
    }

    /** Loads {@code url} and returns the DOM as HTML once the page's scripts had {@link #VIRTUAL_TIME}. */
    static String dumpDom(String url) {
        Path work = Peers.workDirectory("chromium");
        Path dom = work.resolve("dom.html");
        run(work, dom, List.of("--dump-dom", url));
        return read(dom);
    }

    /** Loads {@code url} and writes a PNG screenshot of a 1280×1600 window to {@code png}. */
    static void screenshot(String url, Path png) {
        Path work = Peers.workDirectory("chromium");
        run(work, work.resolve("stdout.txt"), List.of("--window-size=1280,1600", "--hide-scrollbars",
                "--screenshot=" + png.toAbsolutePath(), url));
    }

    private static void run(Path work, Path stdout, List<String> what) {
        List<String> command = new ArrayList<>(List.of(Peers.executable("chromium"),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=" + work.resolve("profile"),
                "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--disable-breakpad", "--metrics-recording-only", "--mute-audio",
                "--virtual-time-budget=" + VIRTUAL_TIME.toMillis()));
        command.addAll(what);
        Path stderr = work.resolve("stderr.txt");
        try {
            Process process = new ProcessBuilder(command).directory(work.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("chromium did not finish within " + RUN_LIMIT + "; stderr in " + stderr);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("chromium exited with " + process.exitValue() + ":\n" + read(stderr));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
