package org.isthmus.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * SIPp runs of the load scenarios ({@code uac_load.xml}, {@code uas_load.xml} beside this class),
 * every socket on loopback: SIP on {@code -i 127.0.0.1 -bind_local}, the control socket on
 * {@code -ci/-cp}, the media sockets on {@code -mi/-mp} (SIPp binds them even for MESSAGE-only
 * scenarios, by default on ports 6000 and up, which two SIPps would share).
 */
final class SippPeer {

    /** The UDP receive buffer SIPp asks for; the kernel caps it at net.core.rmem_max. */
    private static final String BUFFER_BYTES = Integer.toString(8 << 20);

    private SippPeer() {
    }

    /** Copies the scenarios out of the jar into the run's directory, where SIPp reads them. */
    static void extractScenarios(Path directory) {
        for (String name : List.of("uac_load.xml", "uas_load.xml")) {
            try (InputStream in = SippPeer.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is missing from the bench jar");
                }
                Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract " + name, e);
            }
        }
    }

    private static List<String> loopbackSockets(LoopbackPorts ports, int sipPort) {
        return List.of("-i", LoopbackPorts.LOOPBACK, "-bind_local",
                "-ci", LoopbackPorts.LOOPBACK, "-cp", Integer.toString(ports.next()),
                "-mi", LoopbackPorts.LOOPBACK, "-mp", Integer.toString(ports.nextPair()),
                "-p", Integer.toString(sipPort), "-t", "u1", "-nostdin", "-buff_size", BUFFER_BYTES);
    }

    /**
     * Runs the UAC to its end: {@code count} MESSAGEs from {@code from} to {@code to} at {@code rate}
     * per second to 127.0.0.1:remotePort; bounded by the time the offer takes plus {@code grace}.
     * Returns SIPp's exit code (0: every MESSAGE got its final response), -1 when it was killed.
     */
    static int runUac(Path directory, String tag, LoopbackPorts ports, ChildProcesses children, int remotePort,
            String from, String to, int count, double rate, Duration grace) {
        long bound = (long) Math.ceil(count / rate) + grace.toSeconds();
        List<String> command = new ArrayList<>(List.of(ChildProcesses.executable("sipp"),
                LoopbackPorts.LOOPBACK + ":" + remotePort, "-sf", directory.resolve("uac_load.xml").toString(),
                "-key", "from_uri", from, "-key", "to_uri", to));
        command.addAll(loopbackSockets(ports, ports.next()));
        command.addAll(List.of("-m", Integer.toString(count),
                "-r", Long.toString(Math.round(rate)), "-rp", "1000",
                "-l", "1000000", "-timeout", bound + "s", "-timeout_error",
                "-trace_err", "-error_file", directory.resolve(tag + "-uac-errors.log").toString()));
        writeCommand(directory.resolve(tag + "-uac.command"), command);
        return children.run(command, directory, directory.resolve(tag + "-uac.out"), Duration.ofSeconds(bound + 10));
    }

    private static void writeCommand(Path file, List<String> command) {
        try {
            Files.write(file, List.of(String.join(" ", command)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the UAS on 127.0.0.1:port, bounded by {@code bound}, and returns once it listens. It
     * logs one line per MESSAGE; {@link Uas#collect} reads them into a {@link Deliveries}.
     */
    static Uas startUas(Path directory, String tag, LoopbackPorts ports, ChildProcesses children, int port,
            Duration bound) {
        Path log = directory.resolve(tag + "-uas.log");
        List<String> command = new ArrayList<>(List.of(ChildProcesses.executable("sipp"),
                "-sf", directory.resolve("uas_load.xml").toString()));
        command.addAll(loopbackSockets(ports, port));
        command.addAll(List.of("-timeout", bound.toSeconds() + "s", "-trace_logs", "-log_file", log.toString(),
                "-trace_err", "-error_file", directory.resolve(tag + "-uas-errors.log").toString()));
        writeCommand(directory.resolve(tag + "-uas.command"), command);
        Process process = children.start(command, directory, directory.resolve(tag + "-uas.out"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!LoopbackPorts.udpBound(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                ChildProcesses.stop(process, Duration.ofSeconds(2));
                throw new IllegalStateException("SIPp UAS did not bind 127.0.0.1:" + port + "\n"
                        + ChildProcesses.tail(directory.resolve(tag + "-uas.out"), 20));
            }
            ProsodyLauncher.sleep(20);
        }
        return new Uas(process, log);
    }

    /** A running UAS and the log it writes, read incrementally. */
    static final class Uas implements AutoCloseable {
        private final Process process;
        private final Path log;
        private long offset;
        private final StringBuilder partial = new StringBuilder();

        Uas(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        /**
         * Reads the log lines written since the last call into the deliveries. A line reads
         * {@code R <arrival s>.000000 <arrival us>.000000 seq=N s=S.000000 us=U.000000}.
         */
        void collect(Deliveries deliveries) {
            if (!Files.exists(log)) {
                return;
            }
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                long length = file.length();
                if (length <= offset) {
                    return;
                }
                byte[] bytes = new byte[(int) Math.min(length - offset, 64 << 20)];
                file.seek(offset);
                file.readFully(bytes);
                offset += bytes.length;
                partial.append(new String(bytes, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
            int from = 0;
            int end;
            while ((end = partial.indexOf("\n", from)) >= 0) {
                parse(partial.substring(from, end), deliveries);
                from = end + 1;
            }
            partial.delete(0, from);
        }

        private static void parse(String line, Deliveries deliveries) {
            String[] fields = line.trim().split(" ");
            int mark = line.indexOf("seq=");
            if (fields.length < 4 || !fields[0].equals("R") || mark < 0) {
                return;
            }
            long arrived;
            try {
                arrived = (long) Double.parseDouble(fields[1]) * 1_000_000 + (long) Double.parseDouble(fields[2]);
            } catch (NumberFormatException e) {
                // Seen once in a warm-up ("empty String"); say which line rather than end the whole run.
                System.err.println("SIPp UAS log line not understood, skipped: [" + line + "]");
                return;
            }
            deliveries.recordMarked(line, mark + "seq=".length(), arrived);
        }

        @Override
        public void close() {
            ChildProcesses.stop(process, Duration.ofSeconds(5));
        }
    }
}
