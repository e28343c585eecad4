package org.isthmus.gateway.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An XMPP user logged in through slixmpp ({@code gateway/src/test/python/xmpp_client.py}), driven by
 * JSON lines: commands to its stdin, events from its stdout. Event fields are described in the
 * script; the ones tests read are {@code event}, {@code from}, {@code type}, {@code body},
 * {@code id}, {@code show}, {@code status} and {@code error.condition}/{@code error.text}.
 */
public final class XmppClientProcess implements AutoCloseable {

    static final String SCRIPT = "gateway/src/test/python/xmpp_client.py";
    /** The client quits on its own after this long, whatever the test does. */
    static final Duration LIFETIME = Duration.ofSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode END = JSON.createObjectNode().put("event", "end-of-output");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String jid;
    private final Process process;
    private final Writer commands;
    private final Path stderr;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private XmppClientProcess(String jid, Process process, Path stderr) {
        this.jid = jid;
        this.process = process;
        this.stderr = stderr;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readEvents, "xmpp-client-" + jid);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the client for a bare JID against 127.0.0.1:port; call {@link #awaitReady} next. */
    public static XmppClientProcess start(String jid, String password, int port) {
        Peers.assumePythonModule("slixmpp");
        Path directory = Peers.workDirectory("xmpp-" + jid.replaceAll("[^A-Za-z0-9.]", "_"));
        Path stderr = directory.resolve("client.err");
        try {
            ProcessBuilder builder = new ProcessBuilder(Peers.python(), "-u",
                    Peers.projectFile(SCRIPT).toString(),
                    "--jid", jid, "--password", password,
                    "--host", Peers.LOOPBACK, "--port", Integer.toString(port),
                    "--resource", "interop" + SEQUENCE.incrementAndGet(),
                    "--timeout", Long.toString(LIFETIME.toSeconds()), "--debug")
                    .directory(directory.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().put("PYTHONIOENCODING", "utf-8");
            // A pyenv or virtualenv on PATH must not leak its modules into Debian's Python.
            builder.environment().remove("PYTHONPATH");
            builder.environment().remove("PYTHONHOME");
            return new XmppClientProcess(jid, builder.start(), stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + Peers.python() + " " + SCRIPT, e);
        }
    }

    private void readEvents() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException notJson) {
                    events.add(JSON.createObjectNode().put("event", "unparsed").put("line", line));
                }
            }
        } catch (IOException e) {
            // the process went away; END below tells the waiting test
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** Waits for the {@code ready} event (logged in, initial presence sent); fails on anything fatal. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode event = nextEvent(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            switch (event.path("event").asText()) {
                case "ready":
                    return;
                case "failed":
                    throw new AssertionError(jid + " could not log in: " + event.path("reason").asText()
                            + "\n" + diagnostics());
                default:
                    // presence and the like before ready: not interesting here
            }
        }
    }

    /** Sends a {@code chat} message; returns its stanza id. */
    public String send(String to, String body) {
        return send(to, body, "chat");
    }

    /** Sends a message of the given type ({@code chat}, {@code normal}, …); returns its stanza id. */
    public String send(String to, String body, String type) {
        String id = "interop-" + UUID.randomUUID();
        ObjectNode command = JSON.createObjectNode()
                .put("cmd", "send").put("to", to).put("body", body).put("type", type).put("id", id);
        command(command);
        return id;
    }

    /**
     * Sends a {@code chat} message whose payload is an RFC 3923 {@code <e2e/>} element with this text,
     * and no body; returns its stanza id.
     */
    public String sendE2e(String to, String e2eText) {
        String id = "interop-" + UUID.randomUUID();
        command(JSON.createObjectNode().put("cmd", "send").put("to", to).put("type", "chat").put("id", id)
                .put("e2e", e2eText));
        return id;
    }

    /**
     * Sends a directed presence whose payload is an RFC 3923 §4.1 {@code <e2e/>} element with this text;
     * returns its stanza id.
     */
    public String sendPresenceE2e(String to, String e2eText) {
        String id = "interop-" + UUID.randomUUID();
        command(JSON.createObjectNode().put("cmd", "presence").put("to", to).put("id", id).put("e2e", e2eText));
        return id;
    }

    /** Sends presence; {@code to} and {@code type} may be null (initial, broadcast presence). */
    public void sendPresence(String to, String type) {
        ObjectNode command = JSON.createObjectNode().put("cmd", "presence");
        if (to != null) {
            command.put("to", to);
        }
        if (type != null) {
            command.put("type", type);
        }
        command(command);
    }

    /** Broadcasts available presence with a {@code show} (away, dnd, …; null for none) and a status text. */
    public void setPresence(String show, String status) {
        ObjectNode command = JSON.createObjectNode().put("cmd", "presence").put("status", status);
        if (show != null) {
            command.put("show", show);
        }
        command(command);
    }

    private void command(ObjectNode command) {
        try {
            commands.write(JSON.writeValueAsString(command));
            commands.write('\n');
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(jid + "'s client is gone\n" + diagnostics(), e);
        }
    }

    /** The next event of any kind, or empty when none comes in time. */
    public Optional<JsonNode> pollEvent(Duration timeout) {
        try {
            JsonNode event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == END) {
                events.add(END); // stays at the head for every later call
            }
            return Optional.ofNullable(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The next event of any kind; fails when none comes in time or the client has ended. */
    public JsonNode nextEvent(Duration timeout) {
        JsonNode event = pollEvent(timeout).orElseThrow(() -> new AssertionError(
                jid + ": no event within " + timeout.toMillis() + " ms\n" + diagnostics()));
        if (event == END) {
            throw new AssertionError(jid + "'s client ended\n" + diagnostics());
        }
        return event;
    }

    /** The next {@code message} event (chat, normal or error), skipping presence and the like. */
    public JsonNode nextMessage(Duration timeout) {
        return pollMessage(timeout).orElseThrow(() -> new AssertionError(
                jid + ": no message within " + timeout.toMillis() + " ms\n" + diagnostics()));
    }

    /** The next {@code message} event, or empty when none comes in time; other events are dropped. */
    public Optional<JsonNode> pollMessage(Duration timeout) {
        return poll(event -> "message".equals(event.path("event").asText()), timeout);
    }

    /**
     * The next {@code presence} event (subscription requests and answers included) from the bare or
     * full JID {@code from} of the given {@code type} ({@code available}, {@code subscribe}, …);
     * other events are dropped. Fails when none comes in time or the client has ended.
     */
    public JsonNode nextPresence(String from, String type, Duration timeout) {
        return poll(event -> {
            String sender = event.path("from").asText();
            return "presence".equals(event.path("event").asText()) && type.equals(event.path("type").asText())
                    && (sender.equals(from) || sender.startsWith(from + "/"));
        }, timeout).orElseThrow(() -> new AssertionError(jid + ": no presence of type " + type + " from " + from
                + " within " + timeout.toMillis() + " ms\n" + diagnostics()));
    }

    /** The next event that {@code wanted} accepts, or empty when none comes in time; others are dropped. */
    private Optional<JsonNode> poll(Predicate<JsonNode> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<JsonNode> event = pollEvent(Duration.ofNanos(left));
            if (event.isEmpty()) {
                return Optional.empty();
            }
            if (event.get() == END) {
                throw new AssertionError(jid + "'s client ended\n" + diagnostics());
            }
            if (wanted.test(event.get())) {
                return event;
            }
        }
    }

    public String jid() {
        return jid;
    }

    public boolean isRunning() {
        return process.isAlive() && !ended;
    }

    /** The tail of the client's stderr (slixmpp's debug log), for a failure message. */
    public String diagnostics() {
        return "--- " + stderr + " (tail) ---\n" + Peers.tail(stderr, 40);
    }

    /** Logs out ({@code quit}, end of input), then SIGTERM and a kill if the client lingers. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                command(JSON.createObjectNode().put("cmd", "quit"));
            }
            commands.close();
        } catch (IOException | UncheckedIOException gone) {
            // already gone: nothing to log out
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Peers.stop(process, Duration.ofSeconds(3));
    }

    @Override
    public String toString() {
        return "XmppClient[" + jid + "]";
    }
}
