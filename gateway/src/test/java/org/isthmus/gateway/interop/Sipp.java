package org.isthmus.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SIPp run of a scenario from {@code src/test/resources/sipp/} on 127.0.0.1, bounded in time,
 * with every message sent and received captured from SIPp's message trace. Build it with the
 * {@code with…} methods (each returns a changed copy), then {@link #run()} it to completion or
 * {@link #start()} it in the background (a UAS) and {@link Running#await} its result later.
 *
 * <pre>{@code
 * try (Sipp.Running uas = Sipp.scenario("uas_message.xml").withLocalPort(uasPort).start()) {
 *     Sipp.Result sent = Sipp.scenario("uac_message.xml").withRemote(gatewayPort)
 *             .withKey("from_uri", "sip:bob@sip.test").withKey("to_uri", "sip:alice@xmpp.test")
 *             .withInjection("Grüße").run();
 *     Sipp.Result received = uas.await(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class Sipp {

    /** SIPp ends the last line of a scenario's body with CRLF, so a body sent as X arrives as X + this. */
    public static final String BODY_LINE_END = "\r\n";

    /** The SIP transports SIPp is run with here, one socket each. */
    public enum Transport {
        UDP("u1"), TCP("t1");

        final String mode;

        Transport(String mode) {
            this.mode = mode;
        }
    }

    private final String scenario;
    private final int localPort;
    private final Optional<Integer> remotePort;
    private final Transport transport;
    private final Duration timeout;
    private final List<String> parameters;
    private final Optional<List<String>> injection;

    private final java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();

    private Sipp(String scenario, int localPort, Optional<Integer> remotePort, Transport transport,
            Duration timeout, List<String> parameters, Optional<List<String>> injection) {
        this.scenario = scenario;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.transport = transport;
        this.timeout = timeout;
        this.parameters = List.copyOf(parameters);
        this.injection = injection.map(List::copyOf);
    }

    /** A run of the named scenario over UDP, on a free local port, with a 15 s bound and no peer yet. */
    public static Sipp scenario(String name) {
        return new Sipp(name, Peers.freePort(), Optional.empty(), Transport.UDP, Duration.ofSeconds(15),
                List.of(), Optional.empty());
    }

    /**
     * Puts a file in SIPp's working directory before it starts, for a scenario's {@code [file name="..."]}
     * keyword, which inserts the file's octets as they are (a binary body, say). Call it last: the other
     * {@code with..} methods make a copy without the files.
     */
    public Sipp withFile(String name, byte[] content) {
        files.put(name, content.clone());
        return this;
    }

    /** The peer at 127.0.0.1:port that a UAC scenario sends to. */
    public Sipp withRemote(int port) {
        return new Sipp(scenario, localPort, Optional.of(port), transport, timeout, parameters, injection);
    }

    /** The port SIPp binds on 127.0.0.1 (a UAS listens there). */
    public Sipp withLocalPort(int port) {
        return new Sipp(scenario, port, remotePort, transport, timeout, parameters, injection);
    }

    public Sipp withTransport(Transport newTransport) {
        return new Sipp(scenario, localPort, remotePort, newTransport, timeout, parameters, injection);
    }

    /** SIPp's global timeout ({@code -timeout -timeout_error}); the process is killed a little after it. */
    public Sipp withTimeout(Duration newTimeout) {
        return new Sipp(scenario, localPort, remotePort, transport, newTimeout, parameters, injection);
    }

    /** A {@code [name]} keyword of the scenario ({@code -key}). ASCII only: it passes through argv. */
    public Sipp withKey(String name, String value) {
        return withArguments("-key", name, value);
    }

    /** A global variable of the scenario ({@code -set}), e.g. {@code status} of uas_message.xml. */
    public Sipp withVariable(String name, String value) {
        return withArguments("-set", name, value);
    }

    /** Further SIPp command-line arguments. */
    public Sipp withArguments(String... arguments) {
        List<String> all = new ArrayList<>(parameters);
        all.addAll(List.of(arguments));
        return new Sipp(scenario, localPort, remotePort, transport, timeout, all, injection);
    }

    /**
     * The {@code [field0]}, {@code [field1]}, … of the scenario, written as UTF-8 to an injection
     * file ({@code -inf}), so any text survives; a field may hold neither ';' nor a line break.
     */
    public Sipp withInjection(String... fields) {
        for (String field : fields) {
            if (field.contains(";") || field.contains("\n") || field.contains("\r")) {
                throw new IllegalArgumentException("a SIPp injection field may hold no ';' and no line break: " + field);
            }
        }
        return new Sipp(scenario, localPort, remotePort, transport, timeout, parameters, Optional.of(List.of(fields)));
    }

    public int localPort() {
        return localPort;
    }

    /** Runs the scenario to its end (or its timeout) and returns what happened. */
    public Result run() {
        try (Running running = start(false)) {
            return running.await(timeout.plusSeconds(5));
        }
    }

    /** Starts the scenario and returns once SIPp has bound its local port (a UAS is then listening). */
    public Running start() {
        return start(true);
    }

    private Running start(boolean awaitBound) {
        String sipp = Peers.executable("sipp");
        Path directory = Peers.workDirectory("sipp-" + scenario.replace(".xml", ""));
        List<String> command = new ArrayList<>();
        command.add(sipp);
        remotePort.ifPresent(port -> command.add(Peers.LOOPBACK + ":" + port));
        command.addAll(List.of("-sf", scenarioFile(scenario).toString(),
                "-i", Peers.LOOPBACK, "-bind_local", "-p", Integer.toString(localPort),
                // SIPp also opens a control socket (default 0.0.0.0:8888) and RTP echo sockets
                // (default port 6000): keep them on loopback, on ports of their own.
                "-ci", Peers.LOOPBACK, "-cp", Integer.toString(Peers.freePort()),
                "-mi", Peers.LOOPBACK, "-mp", Integer.toString(Peers.freePortWith(2)),
                "-t", transport.mode, "-m", "1", "-nostdin",
                "-timeout", timeout.toSeconds() + "s", "-timeout_error",
                "-recv_timeout", Long.toString(timeout.toMillis()),
                "-trace_msg", "-message_file", directory.resolve("messages.log").toString(),
                "-trace_err", "-error_file", directory.resolve("errors.log").toString()));
        try {
            for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(directory.resolve(f.getKey()), f.getValue());
            }
            if (injection.isPresent()) {
                Path csv = directory.resolve("injection.csv");
                Files.writeString(csv, "SEQUENTIAL\n" + String.join(";", injection.get()) + "\n", StandardCharsets.UTF_8);
                command.addAll(List.of("-inf", csv.toString()));
            }
            command.addAll(parameters);
            Files.write(directory.resolve("command.txt"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("screen.log").toFile())
                    .start();
            process.getOutputStream().close();
            Running running = new Running(process, directory, transport, localPort);
            if (awaitBound && !Peers.awaitBound(localPort, transport == Transport.UDP, Duration.ofSeconds(10), process)) {
                running.close();
                throw new IllegalStateException("SIPp did not bind 127.0.0.1:" + localPort + "\n"
                        + Peers.tail(directory.resolve("screen.log"), 30) + "\n" + Peers.tail(directory.resolve("errors.log"), 30));
            }
            return running;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sipp in " + directory, e);
        }
    }

    /** The file of a scenario under the test resources' {@code sipp/} folder. */
    public static Path scenarioFile(String name) {
        URL url = Sipp.class.getResource("/sipp/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no scenario sipp/" + name + " on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A SIPp process started by {@link #start()}; closing it kills SIPp if it is still running. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path directory;
        private final Transport transport;
        private final int localPort;

        Running(Process process, Path directory, Transport transport, int localPort) {
            this.process = process;
            this.directory = directory;
            this.transport = transport;
            this.localPort = localPort;
        }

        /** SIPp's address for its peers, e.g. {@code 127.0.0.1:5070}. */
        public String address() {
            return Peers.LOOPBACK + ":" + localPort;
        }

        /** The port SIPp is bound to on 127.0.0.1. */
        public int port() {
            return localPort;
        }

        /** A SIP URI of a user at this SIPp, e.g. {@code sip:bob@127.0.0.1:5070;transport=tcp}. */
        public String contact(String user) {
            return "sip:" + user + "@" + address()
                    + (transport == Transport.TCP ? ";transport=tcp" : "");
        }

        /** Waits (bounded) for SIPp to end; kills it when the time is up (exit code then -1). */
        public Result await(Duration timeout) {
            boolean exited;
            try {
                exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = false;
            }
            if (!exited) {
                Peers.stop(process, Duration.ofSeconds(2));
            }
            return Result.read(exited ? process.exitValue() : -1, directory);
        }

        public boolean isRunning() {
            return process.isAlive();
        }

        /**
         * Waits, at most {@code timeout}, until SIPp has traced a message that {@code wanted} accepts,
         * e.g. the NOTIFY a later step of the test depends on; returns it, or fails with the trace.
         * SIPp writes its trace as it goes, so this works while it runs.
         */
        public TracedMessage awaitMessage(Predicate<TracedMessage> wanted, String what, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                // Asked before reading: a SIPp that ends meanwhile has written its whole trace.
                boolean ended = !process.isAlive();
                Optional<TracedMessage> found = readTrace(directory).stream().filter(wanted).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                if (ended || System.nanoTime() > deadline) {
                    throw new AssertionError("SIPp traced no " + what + " within " + timeout.toMillis() + " ms\n"
                            + Result.read(ended ? process.exitValue() : -1, directory).diagnostics());
                }
                Peers.sleep(Duration.ofMillis(50));
            }
        }

        @Override
        public void close() {
            Peers.stop(process, Duration.ofSeconds(2));
        }
    }

    /** The messages of a run's {@code -message_file} trace so far; none when it has not been written yet. */
    static List<TracedMessage> readTrace(Path directory) {
        Path trace = directory.resolve("messages.log");
        try {
            return Files.exists(trace) ? TracedMessage.parseTrace(Files.readAllBytes(trace)) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How a run ended: SIPp's exit code (0 every call succeeded, 1 a call failed, 99 no call was
     * made, 255 a fatal error or the global timeout, -1 killed by the harness), the messages it
     * sent and received in order, and its screen and error log for diagnostics.
     */
    public record Result(int exitCode, List<TracedMessage> messages, String screen, String errors, Path directory) {

        public Result {
            messages = List.copyOf(messages);
        }

        static Result read(int exitCode, Path directory) {
            return new Result(exitCode, readTrace(directory), Peers.tail(directory.resolve("screen.log"), 40),
                    Peers.tail(directory.resolve("errors.log"), 40), directory);
        }

        public boolean succeeded() {
            return exitCode == 0;
        }

        public List<TracedMessage> received() {
            return messages.stream().filter(TracedMessage::received).toList();
        }

        public List<TracedMessage> sent() {
            return messages.stream().filter(message -> !message.received()).toList();
        }

        /** The first request received with this method, e.g. the MESSAGE a UAS got. */
        public Optional<TracedMessage> receivedRequest(String method) {
            return received().stream().filter(message -> method.equals(message.method().orElse(null))).findFirst();
        }

        /** The status of the last final response received (a UAC's outcome), if any came. */
        public OptionalInt finalStatus() {
            List<TracedMessage> received = received();
            for (int i = received.size() - 1; i >= 0; i--) {
                OptionalInt status = received.get(i).status();
                if (status.isPresent() && status.getAsInt() >= 200) {
                    return status;
                }
            }
            return OptionalInt.empty();
        }

        /** Everything a failure message needs. */
        public String diagnostics() {
            StringBuilder text = new StringBuilder("SIPp exit code " + exitCode + ", files in " + directory + "\n");
            for (TracedMessage message : messages) {
                text.append(message.received() ? "<<< received\n" : ">>> sent\n").append(message.text()).append('\n');
            }
            return text.append("--- errors ---\n").append(errors).append("\n--- screen ---\n").append(screen).toString();
        }
    }

    /** One SIP message from SIPp's trace, as it was on the wire: its text (decoded as UTF-8) and its octets. */
    public record TracedMessage(boolean received, String text, byte[] raw) {

        /** A message of this text, its octets the text's UTF-8. */
        public TracedMessage(boolean received, String text) {
            this(received, text, text.getBytes(StandardCharsets.UTF_8));
        }

        private static final Pattern HEADER =
                Pattern.compile("\\S+ message (sent|received) [(\\[](\\d+)(?:[)\\]] bytes| bytes\\)) ?:");
        private static final Pattern STATUS_LINE = Pattern.compile("^SIP/2\\.0 (\\d{3}) ");
        private static final byte[] SEPARATOR = "-----------------------------------------------".getBytes(StandardCharsets.US_ASCII);

        /**
         * Splits a {@code -message_file} trace into messages. Each entry is a dashed line with a
         * timestamp, a line such as {@code UDP message received [374] bytes :} (or, for one sent,
         * {@code UDP message sent (374 bytes):}), an empty line and
         * then exactly that many bytes, which is how a body with any bytes is cut out intact.
         */
        static List<TracedMessage> parseTrace(byte[] trace) {
            List<TracedMessage> messages = new ArrayList<>();
            int at = 0;
            while (at < trace.length) {
                int lineEnd = indexOf(trace, (byte) '\n', at);
                if (lineEnd < 0) {
                    break;
                }
                if (startsWith(trace, at, SEPARATOR)) {
                    int headerEnd = indexOf(trace, (byte) '\n', lineEnd + 1);
                    if (headerEnd < 0) {
                        break;
                    }
                    String header = new String(trace, lineEnd + 1, headerEnd - lineEnd - 1, StandardCharsets.UTF_8);
                    Matcher matcher = HEADER.matcher(header);
                    int start = headerEnd + 2; // after the header line and the empty line
                    if (matcher.find() && start <= trace.length) {
                        int length = Math.min(Integer.parseInt(matcher.group(2)), trace.length - start);
                        // SIPp prints a message as a C string: one with a NUL octet (a binary body) stops
                        // there, short of its length, and the next entry follows at once.
                        int next = indexOfEntry(trace, start, start + length);
                        if (next >= 0) {
                            length = next - start;
                        }
                        messages.add(new TracedMessage("received".equals(matcher.group(1)),
                                new String(trace, start, length, StandardCharsets.UTF_8),
                                java.util.Arrays.copyOfRange(trace, start, start + length)));
                        at = start + length;
                        continue;
                    }
                }
                at = lineEnd + 1;
            }
            return messages;
        }

        /** Where a new trace entry (a line break, then the dashed line) starts within [from, to), or -1. */
        private static int indexOfEntry(byte[] bytes, int from, int to) {
            for (int i = from; i < to; i++) {
                if (bytes[i] == '\n' && startsWith(bytes, i + 1, SEPARATOR)) {
                    return i + 1;
                }
            }
            return -1;
        }

        private static int indexOf(byte[] bytes, byte wanted, int from) {
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == wanted) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
            if (at + prefix.length > bytes.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (bytes[at + i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        public String startLine() {
            int end = text.indexOf("\r\n");
            return end < 0 ? text : text.substring(0, end);
        }

        /** The status code when this is a response. */
        public OptionalInt status() {
            Matcher matcher = STATUS_LINE.matcher(startLine());
            return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
        }

        /** The method when this is a request. */
        public Optional<String> method() {
            String line = startLine();
            return line.startsWith("SIP/2.0 ") || !line.contains(" ") ? Optional.empty()
                    : Optional.of(line.substring(0, line.indexOf(' ')));
        }

        /** The first value of a header, by its full name, case-insensitively (no compact forms). */
        public Optional<String> header(String name) {
            String head = text.split("\r\n\r\n", 2)[0];
            String wanted = name.toLowerCase(Locale.ROOT) + ":";
            return head.lines().skip(1)
                    .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(wanted))
                    .map(line -> line.substring(wanted.length()).trim())
                    .findFirst();
        }

        /** The octets after the empty line that ends the headers, exactly as they were on the wire. */
        public byte[] bodyBytes() {
            for (int i = 0; i + 3 < raw.length; i++) {
                if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                    return java.util.Arrays.copyOfRange(raw, i + 4, raw.length);
                }
            }
            return new byte[0];
        }

        /** Everything after the empty line that ends the headers. */
        public String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }
}
