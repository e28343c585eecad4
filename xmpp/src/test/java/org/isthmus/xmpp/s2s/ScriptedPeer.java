package org.isthmus.xmpp.s2s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * A peer's server played from a script, for the cases a well-behaved S2sService never produces: it
 * accepts our outbound streams, offers STARTTLS when it has a certificate, offers SASL EXTERNAL over
 * TLS and answers it as told ({@link External}), accepts every dialback key, answers nothing else
 * (pings included), and keeps a log of what each connection sent, numbered from 1.
 *
 * <p>It reads our own well-formed output, so a few patterns over the text are parser enough.
 */
final class ScriptedPeer implements AutoCloseable {

    /** What the peer does with {@code <auth mechanism='EXTERNAL'/>}. */
    enum External {
        /** Answer {@code <failure><not-authorized/></failure>} and leave the stream open. */
        FAIL,
        /** Close the TCP connection at once, as ejabberd 23.01 does on a certificate with an XmppAddr. */
        CLOSE,
        /** Answer {@code <success/>}. */
        SUCCEED
    }

    private static final Pattern ELEMENT = Pattern.compile(
            "^(<\\?xml[^>]*\\?>|<stream:stream[^>]*>|</stream:stream>|<([\\w:]+)[^>]*/>|<([\\w:]+)[^>]*>.*?</\\3>)",
            Pattern.DOTALL);

    private final String domain;
    private final String peerOf;
    private final Optional<SSLContext> tls;
    private final External external;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    /**
     * @param domain   the domain this peer serves
     * @param peerOf   the domain that connects to it (our service's)
     * @param tls      this peer's certificate, for STARTTLS and EXTERNAL; empty for plain streams
     * @param external what to do with SASL EXTERNAL (offered only over TLS)
     */
    ScriptedPeer(String domain, String peerOf, Optional<S2sTls> tls, External external) {
        this.domain = domain;
        this.peerOf = peerOf;
        this.external = external;
        this.tls = tls.map(t -> {
            try {
                return ((JdkSslContext) SslContextBuilder.forServer(t.certificateChain().toFile(),
                        t.privateKey().toFile()).sslProvider(SslProvider.JDK).build()).context();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "scripted-peer-" + domain);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int connections() {
        return connections.get();
    }

    /** Log lines of the form {@code "<connection> <what>"}, e.g. {@code "2 db:result"}. */
    List<String> log() {
        return new ArrayList<>(log);
    }

    /** Waits until a log line contains {@code text}; fails the test if none does in time. */
    String await(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : log) {
                if (line.contains(text)) {
                    return line;
                }
            }
            sleep(20);
        }
        throw new AssertionError("the peer never logged '" + text + "'; log: " + log);
    }

    long count(String text) {
        return log.stream().filter(l -> l.contains(text)).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(socket, n), "scripted-peer-" + domain + "-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket plain, int n) {
        Socket socket = plain;
        boolean secure = false;
        boolean authenticated = false;
        StringBuilder pending = new StringBuilder();
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                String element = next(pending);
                if (element == null) {
                    int read = in.read(buffer);
                    if (read < 0) {
                        log.add(n + " eof");
                        return;
                    }
                    pending.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                    continue;
                }
                if (element.startsWith("<?xml")) {
                    continue;
                }
                if (element.startsWith("<stream:stream")) {
                    log.add(n + " header" + (secure ? " tls" : ""));
                    write(out, header() + features(secure, authenticated));
                } else if (element.equals("</stream:stream>")) {
                    log.add(n + " close");
                    write(out, "</stream:stream>");
                    socket.close();
                    return;
                } else if (element.startsWith("<starttls")) {
                    log.add(n + " starttls");
                    write(out, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
                    SSLSocket ssl = (SSLSocket) tls.orElseThrow().getSocketFactory()
                            .createSocket(plain, "localhost", plain.getPort(), true);
                    ssl.setUseClientMode(false);
                    ssl.setWantClientAuth(true);
                    ssl.startHandshake();
                    socket = ssl;
                    sockets.add(ssl);
                    in = ssl.getInputStream();
                    out = ssl.getOutputStream();
                    secure = true;
                } else if (element.startsWith("<auth")) {
                    log.add(n + " auth " + attribute(element, "mechanism"));
                    switch (external) {
                        case FAIL -> write(out, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
                                + "</failure>");
                        case CLOSE -> {
                            socket.close();
                            return;
                        }
                        case SUCCEED -> {
                            write(out, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
                            authenticated = true;
                        }
                    }
                } else if (element.startsWith("<db:result")) {
                    log.add(n + " db:result");
                    write(out, "<db:result from='" + domain + "' to='" + peerOf + "' type='valid'/>");
                } else if (element.startsWith("<db:verify")) {
                    log.add(n + " db:verify");
                    write(out, "<db:verify from='" + domain + "' to='" + peerOf + "' id='"
                            + attribute(element, "id") + "' type='valid'/>");
                } else {
                    log.add(n + " " + element);
                }
            }
        } catch (IOException e) {
            log.add(n + " eof");
        }
    }

    private String header() {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                + " xmlns:db='jabber:server:dialback' from='" + domain + "' to='" + peerOf + "' id='s"
                + System.nanoTime() + "' version='1.0'>";
    }

    private String features(boolean secure, boolean authenticated) {
        StringBuilder f = new StringBuilder("<stream:features>");
        if (tls.isPresent() && !secure) {
            f.append("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>");
        } else if (!authenticated) {
            if (secure) {
                f.append("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
                        + "</mechanisms>");
            }
            f.append("<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>");
        }
        return f.append("</stream:features>").toString();
    }

    /** The next whole element (or header, or closing tag) at the start of {@code pending}, taken from it. */
    private static String next(StringBuilder pending) {
        int start = 0;
        while (start < pending.length() && Character.isWhitespace(pending.charAt(start))) {
            start++;
        }
        pending.delete(0, start);
        Matcher m = ELEMENT.matcher(pending);
        if (!m.find()) {
            return null;
        }
        String element = m.group(1);
        pending.delete(0, m.end());
        return element;
    }

    private static String attribute(String element, String name) {
        Matcher m = Pattern.compile("\\s" + name + "=['\"]([^'\"]*)['\"]").matcher(element);
        return m.find() ? m.group(1) : "";
    }

    private static void write(OutputStream out, String xml) throws IOException {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a test socket
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a test socket
            }
        }
    }
}
