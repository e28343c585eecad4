package org.isthmus.gateway.interop;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An XMPP client (RFC 6120) for load runs against the interop Prosody: plain TCP on loopback, SASL
 * PLAIN, resource binding, an initial presence, then messages pipelined at a steady rate with no
 * wait for any answer. When the server closes the stream (a restart), it logs in again by itself,
 * bounded in time, and carries on; what it could not write meanwhile is written late, never dropped.
 *
 * <p>It records, per message number, what it sent and when, which error stanzas came back (by
 * id), and which numbered messages arrived how many times: the raw material of a {@link LoadLedger}.
 * Only for the tests' own Prosody: it finds tokens in the stream instead of parsing it as XML.
 * Copied and extended from the bench's load client (bench/ is not a dependency of the gateway's tests).
 */
public final class LoadXmppClient implements AutoCloseable {

    /** The text every numbered body starts with: {@code nolost seq=N s=S us=U}. */
    public static final String MARK = "nolost seq=";
    /** Ids of the messages this client sends: {@code PREFIX + number}. */
    public static final String ID_PREFIX = "n";

    private static final int MAX_PENDING_CHARS = 1 << 20;
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(10);
    /** How long the client keeps trying to log in again after the stream ended. */
    private static final Duration RECONNECT_FOR = Duration.ofSeconds(60);

    private final int port;
    private final String domain;
    private final String user;
    private final String password;
    private final String jid;

    private final Object writeLock = new Object();
    private volatile Socket socket;
    private volatile OutputStream out;
    private volatile boolean closed;
    /** Streams opened so far; a message is tagged with the one it was written on. */
    private final AtomicInteger generation = new AtomicInteger();

    /** Numbered messages received: number to times. */
    private final Map<Integer, Integer> received = new ConcurrentHashMap<>();
    /** Error stanzas received: id to condition. */
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    /** Numbered messages sent: number to the wall-clock microseconds of the write. */
    private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    /** Numbered messages sent: number to the stream generation they were written on. */
    private final Map<Integer, Integer> sentOn = new ConcurrentHashMap<>();
    /** When each stream generation ended (wall-clock microseconds). */
    private final Map<Integer, Long> endedAt = new ConcurrentHashMap<>();
    private final AtomicInteger others = new AtomicInteger();

    private LoadXmppClient(int port, String domain, String user, String password) {
        this.port = port;
        this.domain = domain;
        this.user = user;
        this.password = password;
        this.jid = user + "@" + domain;
    }

    /** Logs {@code user@domain} in on 127.0.0.1:port and starts reading; throws when the login fails. */
    public static LoadXmppClient login(int port, String domain, String user, String password) {
        LoadXmppClient client = new LoadXmppClient(port, domain, user, password);
        try {
            client.open();
        } catch (IOException e) {
            throw new IllegalStateException("XMPP login of " + client.jid + " on port " + port + " failed: " + e, e);
        }
        return client;
    }

    private void open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        try {
            s.connect(new InetSocketAddress(Peers.loopback(), port), (int) LOGIN_TIMEOUT.toMillis());
            s.setSoTimeout((int) LOGIN_TIMEOUT.toMillis());
            OutputStream o = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            handshake(s.getInputStream(), o);
            s.setSoTimeout(0);
            int g = generation.incrementAndGet();
            synchronized (writeLock) {
                socket = s;
                out = o;
            }
            Thread reader = new Thread(() -> pump(s, g), "load-xmpp-" + jid + "-" + g);
            reader.setDaemon(true);
            reader.start();
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void handshake(InputStream in, OutputStream o) throws IOException {
        StringBuilder seen = new StringBuilder();
        String header = "<?xml version='1.0'?><stream:stream to='" + domain + "' version='1.0' xml:lang='en'"
                + " xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
        write(o, header);
        readUntil(in, seen, "</stream:features>");
        String credentials = Base64.getEncoder().encodeToString(
                ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        write(o, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + credentials + "</auth>");
        readUntil(in, seen, "success", "failure");
        if (seen.indexOf("failure") >= 0) {
            throw new IOException("SASL PLAIN refused for " + jid + ": " + seen);
        }
        write(o, header);
        readUntil(in, seen, "</stream:features>");
        write(o, "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                + "<resource>load</resource></bind></iq>");
        readUntil(in, seen, "</iq>", "type='error'", "type=\"error\"");
        if (seen.indexOf("<jid>") < 0) {
            throw new IOException("resource binding failed for " + jid + ": " + seen);
        }
        // Available, so that messages to the bare JID are delivered here (RFC 6121 §8.5.2.1.1).
        write(o, "<presence/>");
    }

    private void readUntil(InputStream in, StringBuilder seen, String... tokens) throws IOException {
        seen.setLength(0);
        byte[] buffer = new byte[8192];
        while (true) {
            for (String token : tokens) {
                if (seen.indexOf(token) >= 0) {
                    return;
                }
            }
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("the server closed the stream of " + jid + " after: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            if (seen.indexOf("<stream:error") >= 0) {
                throw new IOException("stream error for " + jid + ": " + seen);
            }
        }
    }

    private static void write(OutputStream o, String text) throws IOException {
        o.write(text.getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /** Reads one stream until it ends, then logs in again (bounded) unless the client was closed. */
    private void pump(Socket s, int g) {
        byte[] buffer = new byte[1 << 16];
        StringBuilder text = new StringBuilder();
        try (InputStream in = s.getInputStream()) {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                int from = 0;
                while (true) {
                    int end = text.indexOf("</message>", from);
                    if (end < 0) {
                        break;
                    }
                    onMessage(text, from, end);
                    from = end + "</message>".length();
                }
                if (from > 0) {
                    text.delete(0, from);
                } else if (text.length() > MAX_PENDING_CHARS) {
                    text.delete(0, text.length() - 4096);
                }
            }
        } catch (IOException e) {
            // The stream ended under us (a restart of the server): log in again below.
        }
        endedAt.put(g, nowMicros());
        synchronized (writeLock) {
            if (socket == s) {
                socket = null;
                out = null;
            }
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // Already gone.
        }
        reconnect();
    }

    private void reconnect() {
        long deadline = System.nanoTime() + RECONNECT_FOR.toNanos();
        while (!closed && System.nanoTime() < deadline) {
            try {
                open();
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }
    }

    private void onMessage(StringBuilder text, int from, int end) {
        int start = text.lastIndexOf("<message", end);
        if (start < from) {
            return;
        }
        int tagEnd = text.indexOf(">", start);
        String tag = text.substring(start, Math.max(start, tagEnd));
        if (tag.contains("type='error'") || tag.contains("type=\"error\"")) {
            String id = attribute(tag, "id");
            errors.put(id, condition(text.substring(start, end)));
            return;
        }
        int mark = text.indexOf(MARK, start);
        if (mark < 0 || mark > end) {
            others.incrementAndGet();
            return;
        }
        int at = mark + MARK.length();
        int seq = 0;
        while (at < end && Character.isDigit(text.charAt(at))) {
            seq = seq * 10 + (text.charAt(at) - '0');
            at++;
        }
        received.merge(seq, 1, Integer::sum);
    }

    private static String attribute(String tag, String name) {
        for (char quote : new char[] {'\'', '"'}) {
            int at = tag.indexOf(" " + name + "=" + quote);
            if (at >= 0) {
                int start = at + name.length() + 3;
                int stop = tag.indexOf(quote, start);
                return stop < 0 ? "" : tag.substring(start, stop);
            }
        }
        return "";
    }

    /** The name of the RFC 6120 §8.3.3 condition element in an error stanza. */
    private static String condition(String stanza) {
        int ns = stanza.indexOf("urn:ietf:params:xml:ns:xmpp-stanzas");
        if (ns < 0) {
            return "?";
        }
        int open = stanza.lastIndexOf('<', ns);
        int stop = open + 1;
        while (stop < stanza.length() && !Character.isWhitespace(stanza.charAt(stop)) && stanza.charAt(stop) != '>'
                && stanza.charAt(stop) != '/') {
            stop++;
        }
        return stanza.substring(open + 1, stop);
    }

    /**
     * Sends messages numbered {@code first}..{@code last} to {@code to} at {@code rate} per second
     * (number i is due (i - first) / rate seconds after the start), on the calling thread. A message
     * due while the stream is down waits, at most {@code patience}, for the client to log in again.
     *
     * @return the numbers it could not write at all (the stream stayed down past {@code patience})
     */
    public int sendPaced(String to, int first, int last, double rate, Duration patience) {
        long start = System.nanoTime();
        double nanosPerMessage = 1e9 / rate;
        int next = first;
        int unsent = 0;
        long downSince = -1;
        StringBuilder stanza = new StringBuilder(200);
        while (next <= last && !closed) {
            long due = start + (long) ((next - first) * nanosPerMessage);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            int after = writeDue(to, first, next, last, start, nanosPerMessage, stanza);
            if (after > 0) {
                next = after;
                downSince = -1;
                continue;
            }
            if (downSince < 0) {
                downSince = System.nanoTime();
            } else if (System.nanoTime() - downSince > patience.toNanos()) {
                unsent++;
                next++;
                continue;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return unsent;
    }

    /** Writes every message due now ({@code first} being due at {@code start}) from {@code from}; returns the next number to write, -1 when the stream is down. */
    private int writeDue(String to, int first, int from, int last, long start, double nanosPerMessage,
                         StringBuilder stanza) {
        synchronized (writeLock) {
            OutputStream o = out;
            if (o == null) {
                return -1;
            }
            int g = generation.get();
            long elapsed = System.nanoTime() - start;
            int due = (int) Math.min(last, Math.max(from, (long) Math.floor(elapsed / nanosPerMessage) + first));
            int seq = from;
            try {
                for (; seq <= due; seq++) {
                    long micros = nowMicros();
                    stanza.setLength(0);
                    stanza.append("<message type='chat' to='").append(to).append("' id='").append(ID_PREFIX)
                            .append(seq).append("'><body>").append(MARK).append(seq).append(" s=")
                            .append(micros / 1_000_000).append(" us=").append(micros % 1_000_000)
                            .append("</body></message>");
                    o.write(stanza.toString().getBytes(StandardCharsets.US_ASCII));
                    sentAt.put(seq, micros);
                    sentOn.put(seq, g);
                }
                o.flush();
                return due + 1;
            } catch (IOException e) {
                // The stream is going down; the reader logs in again. What was written stays recorded:
                // the client cannot know whether the server read it (XMPP core has no acknowledgements).
                out = null;
                return seq > from ? seq : -1;
            }
        }
    }

    /** Whether a stream is open now. */
    public boolean isConnected() {
        return out != null;
    }

    /** How many streams were opened, the first login included. */
    public int logins() {
        return generation.get();
    }

    public Map<Integer, Integer> received() {
        return received;
    }

    public Map<String, String> errors() {
        return errors;
    }

    public Map<Integer, Long> sentAt() {
        return sentAt;
    }

    /** When the stream a message was written on ended (wall-clock µs), if it did. */
    public java.util.Optional<Long> streamEndAfter(int seq) {
        Integer g = sentOn.get(seq);
        return g == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(endedAt.get(g));
    }

    /** Messages without the mark and not errors (e.g. a failure notice). */
    public int others() {
        return others.get();
    }

    public String jid() {
        return jid;
    }

    /** Wall-clock time in microseconds, the clock SIPp's gettimeofday reads too. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (writeLock) {
            Socket s = socket;
            try {
                if (out != null) {
                    write(out, "</stream:stream>");
                }
            } catch (IOException ignored) {
                // Closing anyway.
            }
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // Nothing left to do.
            }
        }
    }
}
