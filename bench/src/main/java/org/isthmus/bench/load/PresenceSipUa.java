package org.isthmus.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The SIP side of the presence run: many SIP users of {@link GatewayLauncher#SIP_DOMAIN} in one small
 * UDP user agent of the bench's own (SIPp keeps one call per scenario and cannot hold thousands of
 * long-lived subscription dialogs both ways). It is, for each contact,
 * <ul>
 *   <li>the <b>notifier</b> the gateway subscribes to (RFC 6665 §4.2): answers the gateway's SUBSCRIBE
 *       200 with Expires, then sends NOTIFY {@code active} with a PIDF body (RFC 3863) in that dialog;
 *       later, on {@link #notifyAll}, one more NOTIFY per dialog (the SIP→XMPP fan-out);</li>
 *   <li>a <b>watcher</b> of an XMPP user (RFC 6665 §4.1): sends SUBSCRIBE, answers every NOTIFY 200
 *       and counts those that arrive, and those that carry a given mark (the XMPP→SIP fan-out).</li>
 * </ul>
 * One socket, one reader thread; requests are answered on it at once. It answers retransmissions
 * with the same To tag (derived from the Call-ID) and does not retransmit itself: on loopback a
 * request without an answer is counted, not retried.
 *
 * <p>Only for the bench: it trusts the gateway's framing and reads the few headers it needs.
 */
final class PresenceSipUa implements AutoCloseable {

    private static final int SOCKET_BUFFER = 4 << 20;

    /** A dialog in which this agent is the notifier: the gateway subscribed to one of our contacts. */
    private record NotifierDialog(String callId, String localTag, String remoteTag, String localUri,
            String remoteUri, String remoteTarget, AtomicLong cseq) {
    }

    private final DatagramSocket socket;
    private final InetSocketAddress gateway;
    private final int port;
    private final Thread reader;
    private final AtomicLong branches = new AtomicLong();
    private final Map<String, NotifierDialog> notifierDialogs = new ConcurrentHashMap<>();
    /** Watcher Call-IDs whose subscription the gateway answered 2xx. */
    private final Map<String, Boolean> watchersAccepted = new ConcurrentHashMap<>();
    /** Watcher Call-IDs that received a NOTIFY with Subscription-State active. */
    private final Map<String, Boolean> watchersActive = new ConcurrentHashMap<>();
    private final AtomicInteger subscribesAnswered = new AtomicInteger();
    private final AtomicInteger notifiesReceived = new AtomicInteger();
    private final AtomicInteger notifyFailures = new AtomicInteger();
    private final AtomicInteger subscribeFailures = new AtomicInteger();
    private final AtomicInteger notifyResponsesOk = new AtomicInteger();
    private volatile String mark = "\u0000";
    private final AtomicInteger marked = new AtomicInteger();

    private PresenceSipUa(DatagramSocket socket, InetSocketAddress gateway) {
        this.socket = socket;
        this.gateway = gateway;
        this.port = socket.getLocalPort();
        this.reader = new Thread(this::pump, "presence-sip-ua");
        this.reader.setDaemon(true);
    }

    /** Binds 127.0.0.1:{@code port} and starts reading; requests to the gateway go to {@code gatewayPort}. */
    static PresenceSipUa start(int port, int gatewayPort) {
        try {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LoopbackPorts.loopback(), port));
            socket.setReceiveBufferSize(SOCKET_BUFFER);
            socket.setSendBufferSize(SOCKET_BUFFER);
            PresenceSipUa ua = new PresenceSipUa(socket, new InetSocketAddress(LoopbackPorts.loopback(), gatewayPort));
            ua.reader.start();
            return ua;
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot bind UDP 127.0.0.1:" + port, e);
        }
    }

    // ---- Sending ----------------------------------------------------------------------------------

    /**
     * Sends {@code count} watcher SUBSCRIBEs at {@code rate} a second; {@code target.apply(i)} gives the
     * i-th pair's {watcher SIP URI, presentity SIP URI}. Returns when all are sent.
     */
    void subscribeAll(int count, double rate, java.util.function.IntFunction<String[]> target) {
        paced(count, rate, i -> {
            String[] pair = target.apply(i);
            String callId = "w" + i + "-" + port + "@bench";
            send(request("SUBSCRIBE", pair[1], "<" + pair[0] + ">;tag=w" + i, "<" + pair[1] + ">", callId, 1,
                    List.of("Contact: <" + contactOf(pair[0]) + ">", "Event: presence",
                            "Accept: application/pidf+xml", "Expires: 3600"), ""));
        });
    }

    /**
     * Sends one NOTIFY in each dialog the gateway holds with us, at {@code rate} a second, its PIDF note
     * carrying {@code note}. Returns how many were sent.
     */
    int notifyAll(double rate, String note) {
        List<NotifierDialog> dialogs = new ArrayList<>(notifierDialogs.values());
        paced(dialogs.size(), rate, i -> sendNotify(dialogs.get(i), note));
        return dialogs.size();
    }

    private void sendNotify(NotifierDialog d, String note) {
        String entity = "pres:" + d.localUri().substring("sip:".length());
        String body = "<?xml version='1.0' encoding='UTF-8'?>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='" + entity + "'>"
                + "<tuple id='t1'><status><basic>open</basic></status><note>" + note + "</note></tuple></presence>";
        send(request("NOTIFY", d.remoteTarget(), "<" + d.localUri() + ">;tag=" + d.localTag(),
                "<" + d.remoteUri() + ">;tag=" + d.remoteTag(), d.callId(), d.cseq().incrementAndGet(),
                List.of("Contact: <" + contactOf(d.localUri()) + ">", "Event: presence",
                        "Subscription-State: active;expires=3600", "Content-Type: application/pidf+xml"), body));
    }

    private String request(String method, String uri, String from, String to, String callId, long cseq,
            List<String> headers, String body) {
        StringBuilder b = new StringBuilder(512);
        b.append(method).append(' ').append(uri).append(" SIP/2.0\r\n");
        b.append("Via: SIP/2.0/UDP 127.0.0.1:").append(port).append(";branch=z9hG4bK-pb")
                .append(branches.incrementAndGet()).append(";rport\r\n");
        b.append("Max-Forwards: 70\r\n");
        b.append("From: ").append(from).append("\r\n");
        b.append("To: ").append(to).append("\r\n");
        b.append("Call-ID: ").append(callId).append("\r\n");
        b.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        b.append("Content-Length: ").append(content.length).append("\r\n\r\n").append(body);
        return b.toString();
    }

    private String contactOf(String uri) {
        int at = uri.indexOf('@');
        return uri.substring(0, at + 1) + "127.0.0.1:" + port;
    }

    private void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, gateway));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send to the gateway", e);
        }
    }

    /** Runs {@code action(i)} for i = 0..count-1, the i-th due at i / rate seconds from now. */
    static void paced(int count, double rate, java.util.function.IntConsumer action) {
        long start = System.nanoTime();
        double gap = 1e9 / rate;
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * gap);
            long wait = due - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait);
            }
            action.accept(i);
        }
    }

    // ---- Receiving --------------------------------------------------------------------------------

    private void pump() {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                socket.receive(packet);
            } catch (IOException closed) {
                return;
            }
            String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            try {
                onDatagram(text, (InetSocketAddress) packet.getSocketAddress());
            } catch (RuntimeException e) {
                System.err.println("presence SIP UA: cannot handle a datagram: " + e + "\n" + text);
            }
        }
    }

    private void onDatagram(String text, InetSocketAddress sender) {
        int headEnd = text.indexOf("\r\n\r\n");
        String head = headEnd < 0 ? text : text.substring(0, headEnd);
        String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
        String[] lines = head.split("\r\n");
        Map<String, List<String>> headers = new ConcurrentHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(canonical(lines[i].substring(0, colon).trim()), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
        }
        if (lines[0].startsWith("SIP/2.0 ")) {
            onResponse(Integer.parseInt(lines[0].substring(8, 11)), headers);
        } else {
            onRequest(lines[0].substring(0, lines[0].indexOf(' ')), headers, body, sender);
        }
    }

    private static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "i" -> "call-id";
            case "f" -> "from";
            case "t" -> "to";
            case "v" -> "via";
            case "m" -> "contact";
            case "o" -> "event";
            case "l" -> "content-length";
            case "c" -> "content-type";
            default -> n;
        };
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    private void onResponse(int status, Map<String, List<String>> headers) {
        String method = first(headers, "cseq").replaceAll("^\\d+\\s+", "");
        String callId = first(headers, "call-id");
        boolean ok = status >= 200 && status < 300;
        if (status < 200) {
            return;
        }
        if (method.equals("SUBSCRIBE")) {
            if (ok) {
                watchersAccepted.put(callId, Boolean.TRUE);
            } else {
                subscribeFailures.incrementAndGet();
            }
        } else if (method.equals("NOTIFY")) {
            if (ok) {
                notifyResponsesOk.incrementAndGet();
            } else {
                notifyFailures.incrementAndGet();
            }
        }
    }

    private void onRequest(String method, Map<String, List<String>> headers, String body, InetSocketAddress sender) {
        String callId = first(headers, "call-id");
        String to = first(headers, "to");
        String localTag = tag(to).orElse("n" + Integer.toHexString(callId.hashCode()));
        switch (method) {
            case "SUBSCRIBE" -> {
                String expires = first(headers, "expires");
                respond(headers, sender, 200, "OK", localTag, List.of("Contact: <sip:bench@127.0.0.1:" + port + ">",
                        "Expires: " + (expires.isEmpty() ? "3600" : expires)));
                subscribesAnswered.incrementAndGet();
                if (tag(to).isEmpty()) {
                    String from = first(headers, "from");
                    NotifierDialog d = new NotifierDialog(callId, localTag, tag(from).orElse(""), uriOf(to),
                            uriOf(from), uriOf(first(headers, "contact")), new AtomicLong());
                    if (notifierDialogs.putIfAbsent(callId, d) == null) {
                        sendNotify(d, "here");
                    }
                }
            }
            case "NOTIFY" -> {
                respond(headers, sender, 200, "OK", localTag, List.of());
                notifiesReceived.incrementAndGet();
                if (first(headers, "subscription-state").startsWith("active")) {
                    watchersActive.put(callId, Boolean.TRUE);
                }
                if (body.contains(mark)) {
                    marked.incrementAndGet();
                }
            }
            default -> respond(headers, sender, 501, "Not Implemented", localTag, List.of());
        }
    }

    private void respond(Map<String, List<String>> request, InetSocketAddress to, int status, String reason,
            String localTag, List<String> extra) {
        StringBuilder b = new StringBuilder(512);
        b.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : request.getOrDefault("via", List.of())) {
            b.append("Via: ").append(via).append("\r\n");
        }
        String toHeader = first(request, "to");
        b.append("From: ").append(first(request, "from")).append("\r\n");
        b.append("To: ").append(toHeader).append(tag(toHeader).isEmpty() ? ";tag=" + localTag : "").append("\r\n");
        b.append("Call-ID: ").append(first(request, "call-id")).append("\r\n");
        b.append("CSeq: ").append(first(request, "cseq")).append("\r\n");
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        b.append("Content-Length: 0\r\n\r\n");
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot answer the gateway", e);
        }
    }

    private static java.util.Optional<String> tag(String nameAddr) {
        int i = nameAddr.indexOf(";tag=");
        if (i < 0) {
            return java.util.Optional.empty();
        }
        String rest = nameAddr.substring(i + 5);
        int end = rest.indexOf(';');
        return java.util.Optional.of(end < 0 ? rest.trim() : rest.substring(0, end).trim());
    }

    /** The URI of a name-addr ({@code "x" <sip:a@b>;tag=..}) or of a bare addr-spec. */
    private static String uriOf(String nameAddr) {
        int lt = nameAddr.indexOf('<');
        if (lt >= 0) {
            return nameAddr.substring(lt + 1, nameAddr.indexOf('>', lt));
        }
        int semi = nameAddr.indexOf(';');
        return semi < 0 ? nameAddr.trim() : nameAddr.substring(0, semi).trim();
    }

    // ---- Counts -----------------------------------------------------------------------------------

    /** From now on, NOTIFYs whose body contains {@code text} are counted by {@link #marked()}. */
    void countMarked(String text) {
        marked.set(0);
        mark = text;
    }

    int marked() {
        return marked.get();
    }

    /** Dialogs in which the gateway subscribed to one of our contacts. */
    int notifierDialogs() {
        return notifierDialogs.size();
    }

    int watchersAccepted() {
        return watchersAccepted.size();
    }

    int watchersActive() {
        return watchersActive.size();
    }

    int notifiesReceived() {
        return notifiesReceived.get();
    }

    int notifyResponsesOk() {
        return notifyResponsesOk.get();
    }

    int notifyFailures() {
        return notifyFailures.get();
    }

    int subscribeFailures() {
        return subscribeFailures.get();
    }

    int subscribesAnswered() {
        return subscribesAnswered.get();
    }

    @Override
    public void close() {
        socket.close();
    }
}
