package org.isthmus.gateway.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * baresip 1.0 from Debian as a real SIP user agent for one test, sending and receiving pager-mode
 * MESSAGEs and presence. Configured from {@code conf/interop/baresip.config.template} in its own
 * directory under {@code target/interop/}, with one account that registers through an outbound proxy
 * (Kamailio, or Isthmus's own registrar) and a list of contacts to message or to watch. The test sends
 * commands to its {@code ctrl_tcp} module (JSON netstrings) and reads what it received from its
 * stdout, which the {@code stdio} UI and {@code -s} (a SIP trace) write to; both are kept in
 * {@code baresip.out}.
 *
 * <p>baresip 1.0 has no "message this URI" command: {@code message} goes to the <em>current
 * contact</em>, the first of {@link #start}'s contacts until {@link #nextContact()} moves on.
 *
 * <p>Its presence module (RFC 3856) knows four states of a contact, Unknown, Online, Offline and Busy,
 * read from a NOTIFY's PIDF by pattern: {@code <basic>open</basic>} is Online, then
 * {@code <rpid:busy/>} or {@code <rpid:on-the-phone/>} Busy and {@code <rpid:away/>} Offline; a NOTIFY
 * without a body Unknown. It shows no note. Its own state is Online or Offline only, and starts
 * unknown: until {@link #setPresence} its NOTIFYs carry {@code <basic>?</basic>}.
 */
public final class Baresip implements AutoCloseable {

    static final String TEMPLATE = "conf/interop/baresip.config.template";
    /** baresip quits on its own after this long ({@code -t}), whatever the test does. */
    static final Duration LIFETIME = Duration.ofSeconds(300);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How the menu module prints a received MESSAGE: {@code \r<From URI>: "<body>"\n}. */
    private static final Pattern RECEIVED = Pattern.compile("\r(sips?:[^\r\n\"]*): \"(.*?)\"\n", Pattern.DOTALL);
    private static final Pattern ANSI_COLOUR = Pattern.compile("\u001B\\[[;0-9]*m");
    /** The colour reset that ends each message of the SIP trace ({@code -s}). */
    private static final String TRACE_END = "\u001B[;m";
    /** The line that starts each message of the SIP trace: transport, source, destination. */
    private static final Pattern TRACE_START = Pattern.compile("^(UDP|TCP|TLS) (\\S+) -> (\\S+)\n", Pattern.MULTILINE);
    /** A line of the {@code contacts} listing: current mark, presence (padded), display name, address. */
    private static final Pattern CONTACT_LINE = Pattern.compile("^[> ] +(\\w+) +[^<\n]*<([^>\n]+)>$", Pattern.MULTILINE);
    /** What the core prints when a NOTIFY changes a known presence of a contact (not from Unknown). */
    private static final Pattern PRESENCE_CHANGE = Pattern.compile("<([^>\n]+)> changed status from (\\w+) to (\\w+)\n");

    private final String aor;
    private final Path directory;
    private final int sipPort;
    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicInteger tokens = new AtomicInteger();
    private Socket control;
    private int messagesTaken;

    private Baresip(String aor, Path directory, int sipPort, Process process) {
        this.aor = aor;
        this.directory = directory;
        this.sipPort = sipPort;
        this.process = process;
        Thread reader = new Thread(this::readOutput, "baresip-" + aor);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts baresip as {@code aor} (e.g. {@code sip:dave@sip.test}), registering every 600 s through
     * the outbound proxy at 127.0.0.1:proxyPort, which also carries every request it sends; waits,
     * at most 15 s, until it listens. The first of {@code contacts} (SIP URIs) is the current one.
     */
    public static Baresip start(String aor, int proxyPort, List<String> contacts) {
        return start(aor, proxyPort, contacts, List.of());
    }

    /**
     * As {@link #start(String, int, List)}, with {@code watched} (SIP URIs) as further contacts marked
     * {@code ;presence=p2p}: a second after it starts, baresip SUBSCRIBEs to the presence of each
     * through the outbound proxy (Expires 600), and {@link #contactPresence} shows what they NOTIFY.
     */
    public static Baresip start(String aor, int proxyPort, List<String> contacts, List<String> watched) {
        String baresip = Peers.executable("baresip");
        Path directory = Peers.workDirectory("baresip");
        int sipPort = Peers.freePort();
        int ctrlPort = Peers.freePort();
        try {
            String template = Files.readString(Peers.projectFile(TEMPLATE), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve("config"), KamailioServer.render(template, Map.of(
                    "SIP_PORT", Integer.toString(sipPort),
                    "CTRL_PORT", Integer.toString(ctrlPort),
                    "DNS_PORT", Integer.toString(Peers.freePort()))), StandardCharsets.UTF_8);
            // One account: <aor>;addr-params. regint is the REGISTER expiry; the outbound proxy gets
            // every request as a preloaded Route (RFC 3261 §8.1.2).
            Files.writeString(directory.resolve("accounts"),
                    "<" + aor + ">;regint=600;outbound=\"sip:" + Peers.LOOPBACK + ":" + proxyPort + "\"\n",
                    StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String contact : contacts) {
                lines.add("<" + contact + ">");
            }
            for (String contact : watched) {
                lines.add("<" + contact + ">;presence=p2p");
            }
            Files.write(directory.resolve("contacts"), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the baresip config in " + directory, e);
        }
        List<String> command = List.of(baresip, "-f", directory.toString(), "-s",
                "-t", Long.toString(LIFETIME.toSeconds()));
        Process process;
        try {
            Files.write(directory.resolve("command.txt"), List.of(String.join(" ", command)), StandardCharsets.UTF_8);
            // stdin stays an open pipe: the stdio UI needs a descriptor it can poll (not /dev/null).
            process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start baresip in " + directory, e);
        }
        Baresip agent = new Baresip(aor, directory, sipPort, process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        boolean up = Peers.awaitBound(sipPort, true, START_TIMEOUT, process)
                // Bound, not connected to: ctrl_tcp serves one connection, which is the test's.
                && Peers.awaitBound(ctrlPort, false, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), process);
        if (!up) {
            boolean exited = !process.isAlive();
            agent.close();
            throw new IllegalStateException("baresip did not bind 127.0.0.1:" + sipPort + " and :" + ctrlPort
                    + " within " + START_TIMEOUT.toSeconds() + " s" + (exited ? " (it exited)" : "")
                    + "\n" + agent.diagnostics());
        }
        try {
            agent.control = new Socket();
            agent.control.connect(new InetSocketAddress(Peers.loopback(), ctrlPort), (int) COMMAND_TIMEOUT.toMillis());
            agent.control.setSoTimeout((int) COMMAND_TIMEOUT.toMillis());
        } catch (IOException e) {
            agent.close();
            throw new UncheckedIOException("cannot connect to baresip's ctrl_tcp on 127.0.0.1:" + ctrlPort
                    + "\n" + agent.diagnostics(), e);
        }
        return agent;
    }

    private void readOutput() {
        Path file = directory.resolve("baresip.out");
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream();
                OutputStream log = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (output) {
                    output.write(buffer, 0, n);
                }
                log.write(buffer, 0, n);
                log.flush();
            }
        } catch (IOException e) {
            // the process went away; what it wrote so far stays in output
        }
    }

    /** Everything baresip wrote to stdout and stderr so far, decoded as UTF-8. */
    public String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs one ctrl_tcp command and returns its response ({@code ok}, {@code data}); events that
     * arrive before it are skipped. Fails when no response comes within 10 s.
     */
    public JsonNode command(String name, String params) {
        String token = "isthmus-" + tokens.incrementAndGet();
        try {
            byte[] json = JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("command", name).put("params", params).put("token", token));
            OutputStream out = control.getOutputStream();
            out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write(',');
            out.flush();
            while (true) {
                JsonNode reply = JSON.readTree(readNetstring(control.getInputStream()));
                if (reply.path("response").asBoolean() && token.equals(reply.path("token").asText())) {
                    return reply;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("baresip did not answer " + name + " within " + COMMAND_TIMEOUT.toSeconds()
                    + " s\n" + diagnostics(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("baresip's ctrl_tcp failed on " + name + "\n" + diagnostics(), e);
        }
    }

    /** One netstring ({@code <length>:<bytes>,}), at most 1 MB. */
    private static byte[] readNetstring(InputStream in) throws IOException {
        int length = 0;
        for (int c = in.read(); c != ':'; c = in.read()) {
            if (c < '0' || c > '9' || length > 1_000_000) {
                throw new IOException("not a netstring length: " + (c < 0 ? "end of stream" : "byte " + c));
            }
            length = length * 10 + (c - '0');
        }
        byte[] data = in.readNBytes(length);
        if (data.length < length || in.read() != ',') {
            throw new IOException("truncated netstring");
        }
        return data;
    }

    /** Waits (bounded) until the account's registration is OK, by asking {@code reginfo}. */
    public void awaitRegistered(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = ANSI_COLOUR.matcher(command("reginfo", "").path("data").asText()).replaceAll("");
            if (status.lines().anyMatch(line -> line.contains(aor) && line.contains(" OK "))) {
                return;
            }
            Peers.sleep(Duration.ofMillis(100));
        }
        throw new AssertionError(aor + " not registered within " + timeout.toSeconds() + " s; reginfo:\n" + status
                + "\n" + diagnostics());
    }

    /** Sends a MESSAGE with this text to the current contact; fails when baresip refuses the command. */
    public void message(String text) {
        JsonNode reply = command("message", text);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("baresip refused to send a MESSAGE: " + reply + "\n" + diagnostics());
        }
    }

    /** Makes the next of the contacts the current one (the last stays current). */
    public void nextContact() {
        command("contact_next", "");
    }

    /**
     * The next MESSAGE baresip received and printed, in arrival order, waiting (bounded) for it;
     * fails when none comes in time. baresip 1.0's UI formats each line into 512 bytes and drops a
     * longer one, so a MESSAGE with a larger body is never printed; {@link #awaitReceived} finds it.
     */
    public ReceivedMessage nextMessage(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher matcher = RECEIVED.matcher(output());
            for (int i = 0; i <= messagesTaken && matcher.find(); i++) {
                if (i == messagesTaken) {
                    messagesTaken++;
                    return new ReceivedMessage(matcher.group(1), matcher.group(2));
                }
            }
            if (System.nanoTime() >= deadline || !process.isAlive()) {
                throw new AssertionError(aor + ": no MESSAGE printed within " + timeout.toMillis() + " ms"
                        + (process.isAlive() ? "" : " (baresip exited)") + "\n" + diagnostics());
            }
            Peers.sleep(Duration.ofMillis(50));
        }
    }

    /**
     * Sets the account's own presence with {@code presence_online} or {@code presence_offline}; every
     * watcher gets a NOTIFY with {@code <basic>open</basic>} or {@code closed} (and nothing else: no
     * note, no activity). Fails when baresip refuses the command.
     */
    public void setPresence(boolean online) {
        String name = online ? "presence_online" : "presence_offline";
        JsonNode reply = command(name, "");
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("baresip refused " + name + ": " + reply + "\n" + diagnostics());
        }
    }

    /**
     * The presence baresip shows for the contact {@code uri} in its {@code contacts} listing:
     * {@code Unknown}, {@code Online}, {@code Offline} or {@code Busy}; empty if it lists no such contact.
     */
    public Optional<String> contactPresence(String uri) {
        String listing = ANSI_COLOUR.matcher(command("contacts", "").path("data").asText()).replaceAll("");
        Matcher line = CONTACT_LINE.matcher(listing);
        while (line.find()) {
            if (line.group(2).equals(uri)) {
                return Optional.of(line.group(1));
            }
        }
        return Optional.empty();
    }

    /** Waits (bounded) until {@link #contactPresence} is {@code presence}; fails with the listing otherwise. */
    public void awaitContactPresence(String uri, String presence, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> shown = Optional.empty();
        while (System.nanoTime() < deadline && process.isAlive()) {
            shown = contactPresence(uri);
            if (shown.equals(Optional.of(presence))) {
                return;
            }
            Peers.sleep(Duration.ofMillis(100));
        }
        throw new AssertionError(aor + ": " + uri + " not shown " + presence + " within " + timeout.toMillis()
                + " ms, but " + shown.orElse("not at all") + (process.isAlive() ? "" : " (baresip exited)") + "\n"
                + diagnostics());
    }

    /**
     * Every change of a contact's presence baresip printed so far, in order, as {@code "Online > Busy"};
     * the first NOTIFY, which changes Unknown into something, prints nothing.
     */
    public List<String> presenceChanges(String uri) {
        List<String> changes = new ArrayList<>();
        Matcher change = PRESENCE_CHANGE.matcher(ANSI_COLOUR.matcher(output()).replaceAll(""));
        while (change.find()) {
            if (change.group(1).equals(uri)) {
                changes.add(change.group(2) + " > " + change.group(3));
            }
        }
        return changes;
    }

    /** The first SIP trace block baresip received whose start line begins so, e.g. {@code SIP/2.0 202}. */
    public Optional<String> receivedSipMessage(String startLinePrefix) {
        return received(startLinePrefix).map(TracedMessage::head);
    }

    /**
     * The first SIP message baresip's stack received whose start line begins so, as its trace shows
     * it: the transport its socket read it from, and the message framed as the stack parsed it.
     * Empty until its trace has been printed to the end.
     */
    public Optional<TracedMessage> received(String startLinePrefix) {
        List<TracedMessage> all = receivedAll(startLinePrefix);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Every SIP message baresip's stack received so far whose start line begins so, in order, up to
     * the first whose trace is still being printed.
     */
    public List<TracedMessage> receivedAll(String startLinePrefix) {
        String text = output();
        String local = Peers.LOOPBACK + ":" + sipPort;
        List<TracedMessage> found = new ArrayList<>();
        // -s prints "<TRANSPORT> <from> -> <to>\n<message>" in colour, then the colour reset.
        Matcher start = TRACE_START.matcher(text);
        while (start.find()) {
            if (!start.group(3).equals(local) || !text.startsWith(startLinePrefix, start.end())) {
                continue;
            }
            int end = text.indexOf(TRACE_END, start.end());
            if (end < 0) {
                break; // still being printed
            }
            String message = text.substring(start.end(), end);
            int blank = message.indexOf("\r\n\r\n");
            found.add(new TracedMessage(start.group(1), blank < 0 ? message : message.substring(0, blank),
                    blank < 0 ? "" : message.substring(blank + 4)));
        }
        return found;
    }

    /** Waits (bounded) for {@link #received}; fails when no such message comes in time. */
    public TracedMessage awaitReceived(String startLinePrefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<TracedMessage> message = received(startLinePrefix);
            if (message.isPresent()) {
                return message.get();
            }
            if (System.nanoTime() >= deadline || !process.isAlive()) {
                throw new AssertionError(aor + ": no " + startLinePrefix.strip() + " received within "
                        + timeout.toMillis() + " ms" + (process.isAlive() ? "" : " (baresip exited)")
                        + "\n" + diagnostics());
            }
            Peers.sleep(Duration.ofMillis(50));
        }
    }

    public String aor() {
        return aor;
    }

    public Path directory() {
        return directory;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The tail of baresip's output (its log, SIP trace and UI), for a failure message. */
    public String diagnostics() {
        return "--- " + directory.resolve("baresip.out") + " (tail) ---\n"
                + ANSI_COLOUR.matcher(Peers.tail(directory.resolve("baresip.out"), 80)).replaceAll("");
    }

    /** Closes the control connection and stdin, then SIGTERM (baresip unregisters) and a kill after 5 s. */
    @Override
    public void close() {
        try {
            if (control != null) {
                control.close();
            }
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // gone already
        }
        Peers.stop(process, STOP_GRACE);
    }

    @Override
    public String toString() {
        return "Baresip[" + aor + " at 127.0.0.1:" + sipPort + ", dir=" + directory + "]";
    }

    /** A MESSAGE as baresip printed it: the From URI (with its parameters) and the body. */
    public record ReceivedMessage(String from, String body) {
    }

    /**
     * A SIP message as baresip's trace shows it: the transport it came over ({@code UDP}, {@code TCP}),
     * the start line and headers (CRLF-separated), and the body.
     */
    public record TracedMessage(String transport, String head, String body) {
    }
}
