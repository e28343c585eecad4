package org.isthmus.xmpp.s2s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a server, to count the connections made through it and to
 * {@link #freeze()} them: a frozen connection stays open but drops every byte both ways, as a path
 * through a NAT that forgot the mapping does, with no reset for either end to see.
 */
final class TcpRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    TcpRelay(InetSocketAddress target) {
        this.target = target;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon(this::acceptLoop, "relay-accept");
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return links.size();
    }

    /** Freezes every connection open now; later ones are relayed normally. */
    void freeze() {
        links.forEach(l -> l.frozen = true);
    }

    /** Whether the client closed connection {@code index} (from 0) on its side. */
    boolean closedByClient(int index) {
        return links.get(index).clientClosed;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                Link link = new Link(client, upstream);
                links.add(link);
                daemon(() -> link.pump(client, upstream, true), "relay-up");
                daemon(() -> link.pump(upstream, client, false), "relay-down");
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a test socket
        }
        links.forEach(Link::close);
    }

    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;
        volatile boolean clientClosed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to, boolean fromClient) {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!frozen) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // the other pump closed the sockets
            }
            if (fromClient) {
                clientClosed = true;
            }
            if (!frozen) {
                close();
            }
        }

        void close() {
            try {
                client.close();
                upstream.close();
            } catch (IOException e) {
                // closing a test socket
            }
        }
    }
}
