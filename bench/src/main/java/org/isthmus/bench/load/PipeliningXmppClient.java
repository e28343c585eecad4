package org.isthmus.bench.load;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A small XMPP client (RFC 6120) for load: plain TCP on loopback, SASL PLAIN, resource binding, an
 * initial presence, then as many messages in flight as the offered rate makes, with no wait for
 * any answer. A reader thread counts the messages that arrive, by the {@link Deliveries#MARK} in
 * their body, and the error stanzas.
 *
 * <p>Only for the bench's own Prosody: it trusts the server's framing, looks for a few tokens in
 * the stream instead of parsing it as XML, and has no TLS.
 */
final class PipeliningXmppClient implements AutoCloseable {

    private static final int SOCKET_BUFFER = 1 << 20;
    /** Text kept unparsed at most; a longer run without a {@code </message>} is mostly presence. */
    private static final int MAX_PENDING_CHARS = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String jid;
    private volatile Deliveries deliveries;
    private volatile int errors;
    private Thread reader;
    /** Every stanza other than a message, whole, on the reader thread (the presence run); null for none. */
    private volatile Consumer<String> stanzas;

    private PipeliningXmppClient(Socket socket, String jid) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        this.jid = jid;
    }

    /** Connects, authenticates, binds and sends presence, within the timeout. */
    static PipeliningXmppClient login(int port, String domain, String user, String password, Duration timeout) {
        return login(port, domain, user, password, timeout, false, null);
    }

    /**
     * {@link #login(int, String, String, String, Duration)}, first registering the account in band
     * (XEP-0077 §3.1; an account that exists already is fine) when {@code register}, and with
     * {@code stanzas} (if not null) given every presence and iq that arrives, from the first one on.
     */
    static PipeliningXmppClient login(int port, String domain, String user, String password, Duration timeout,
            boolean register, Consumer<String> stanzas) {
        try {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(SOCKET_BUFFER);
            socket.setSendBufferSize(SOCKET_BUFFER);
            socket.connect(new InetSocketAddress(LoopbackPorts.loopback(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            PipeliningXmppClient client = new PipeliningXmppClient(socket, user + "@" + domain);
            client.stanzas = stanzas;
            client.handshake(domain, user, password, register);
            socket.setSoTimeout(0);
            client.startReader();
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("XMPP login of " + user + "@" + domain + " on port " + port + " failed: "
                    + e.getMessage(), e);
        }
    }

    private void handshake(String domain, String user, String password, boolean register) throws IOException {
        StringBuilder seen = new StringBuilder();
        String header = "<?xml version='1.0'?><stream:stream to='" + domain + "' version='1.0' xml:lang='en'"
                + " xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
        write(header);
        readUntil(seen, "</stream:features>");
        if (seen.indexOf(">PLAIN<") < 0) {
            throw new IOException("the server offers no SASL PLAIN: " + seen);
        }
        if (register) {
            write("<iq type='set' id='reg1'><query xmlns='jabber:iq:register'><username>" + user
                    + "</username><password>" + password + "</password></query></iq>");
            readUntil(seen, "</iq>", "'/>", "\"/>");
            if (seen.indexOf("type='error'") >= 0 && seen.indexOf("conflict") < 0) {
                throw new IOException("in-band registration of " + jid + " refused: " + seen);
            }
        }
        String credentials = Base64.getEncoder().encodeToString(
                ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + credentials + "</auth>");
        readUntil(seen, "success", "failure");
        if (seen.indexOf("failure") >= 0) {
            throw new IOException("SASL PLAIN refused for " + jid + ": " + seen);
        }
        write(header);
        readUntil(seen, "</stream:features>");
        write("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                + "<resource>bench</resource></bind></iq>");
        readUntil(seen, "</iq>", "type='error'", "type=\"error\"");
        if (seen.indexOf("<jid>") < 0) {
            throw new IOException("resource binding failed for " + jid + ": " + seen);
        }
        // Available, so that messages to the bare JID are delivered here (RFC 6121 §8.5.2.1.1).
        write("<presence/>");
    }

    /** Reads into {@code seen} (cleared first) until it holds one of the tokens. */
    private void readUntil(StringBuilder seen, String... tokens) throws IOException {
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
            if (seen.indexOf("</stream:stream>") >= 0 || seen.indexOf("<stream:error") >= 0) {
                throw new IOException("stream error for " + jid + ": " + seen);
            }
        }
    }

    /** Writes one stanza (or several) and flushes; safe from any thread. */
    void sendRaw(String xml) {
        try {
            write(xml);
        } catch (IOException e) {
            throw new UncheckedIOException("sending as " + jid + " failed", e);
        }
    }

    private synchronized void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void startReader() {
        reader = new Thread(this::pump, "xmpp-reader-" + jid);
        reader.setDaemon(true);
        reader.start();
    }

    /** From now on, arriving marked messages are recorded here. */
    void receiveInto(Deliveries target) {
        deliveries = target;
    }

    int errors() {
        return errors;
    }

    /**
     * Reads stanzas until the connection closes: each complete {@code <message>...</message>} is
     * either an error (counted) or, with the mark in its body, a delivery stamped with the time the
     * bytes were read. ISO-8859-1 decoding keeps the ASCII marks intact at no cost.
     */
    private void pump() {
        byte[] buffer = new byte[1 << 16];
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                long arrived = nowMicros();
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (stanzas != null) {
                    splitStanzas(text, arrived);
                    continue;
                }
                int from = 0;
                while (true) {
                    int end = text.indexOf("</message>", from);
                    if (end < 0) {
                        break;
                    }
                    onMessage(text, from, end, arrived);
                    from = end + "</message>".length();
                }
                if (from > 0) {
                    text.delete(0, from);
                } else if (text.length() > MAX_PENDING_CHARS) {
                    text.delete(0, text.length() - 4096);
                }
            }
        } catch (SocketException closed) {
            // close() ends the reader this way.
        } catch (IOException e) {
            System.err.println("xmpp reader of " + jid + " stopped: " + e);
        }
    }

    /**
     * The presence run's reading: hands each complete first-level stanza to {@link #stanzas}, messages
     * to {@link #onMessage}, and keeps an incomplete one for the next read. A stanza ends at its
     * start tag's {@code />} or at the first closing tag of its name (no stanza nests its own kind).
     */
    private void splitStanzas(StringBuilder text, long arrived) {
        int from = 0;
        while (true) {
            int start = text.indexOf("<", from);
            if (start < 0 || start + 1 >= text.length()) {
                break;
            }
            int nameEnd = start + 1;
            while (nameEnd < text.length() && " />\t\r\n".indexOf(text.charAt(nameEnd)) < 0) {
                nameEnd++;
            }
            int tagEnd = text.indexOf(">", start);
            if (nameEnd >= text.length() || tagEnd < 0) {
                break;
            }
            String name = text.substring(start + 1, nameEnd);
            int end;
            if (text.charAt(tagEnd - 1) == '/') {
                end = tagEnd + 1;
            } else {
                int close = text.indexOf("</" + name + ">", tagEnd);
                if (close < 0) {
                    break;
                }
                end = close + name.length() + 3;
            }
            if (name.equals("message")) {
                onMessage(text, start, end - "</message>".length(), arrived);
            } else {
                stanzas.accept(text.substring(start, end));
            }
            from = end;
        }
        text.delete(0, from);
    }

    private void onMessage(StringBuilder text, int from, int end, long arrived) {
        int start = text.lastIndexOf("<message", end);
        if (start < from) {
            return;
        }
        int tagEnd = text.indexOf(">", start);
        String tag = text.substring(start, Math.max(start, tagEnd));
        Deliveries target = deliveries;
        if (tag.contains("type='error'") || tag.contains("type=\"error\"")) {
            errors++;
            if (target != null) {
                target.error();
            }
            return;
        }
        int mark = text.indexOf(Deliveries.MARK, start);
        if (mark >= 0 && mark < end && target != null) {
            target.recordMarked(text, mark + Deliveries.MARK.length(), arrived);
        }
    }

    /**
     * Sends {@code count} chat messages to {@code to}, numbered 1..count, at {@code rate} per second:
     * message i is due at (i - 1) / rate seconds after the start; whatever is due is written and
     * flushed at once, each stamped with the wall-clock time it was written. Returns when all are sent.
     */
    void sendPaced(String to, int count, double rate) {
        String head = "<message type='chat' to='" + to + "' id='b";
        long start = System.nanoTime();
        double nanosPerMessage = 1e9 / rate;
        int sent = 0;
        StringBuilder stanza = new StringBuilder(200);
        try {
            while (sent < count) {
                long elapsed = System.nanoTime() - start;
                int due = (int) Math.min(count, 1 + (long) (elapsed / nanosPerMessage));
                if (due <= sent) {
                    long next = start + (long) (sent * nanosPerMessage);
                    LockSupport.parkNanos(Math.max(1_000, next - System.nanoTime()));
                    continue;
                }
                while (sent < due) {
                    sent++;
                    long micros = nowMicros();
                    stanza.setLength(0);
                    stanza.append(head).append(sent).append("'><body>").append(Deliveries.MARK).append(sent)
                            .append(" s=").append(micros / 1_000_000).append(" us=").append(micros % 1_000_000)
                            .append("</body></message>");
                    out.write(stanza.toString().getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sending as " + jid + " failed after " + sent + " messages", e);
        }
    }

    /** Wall-clock time in microseconds, the clock SIPp's gettimeofday reads too. */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        try {
            write("</stream:stream>");
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to do.
        }
    }
}
