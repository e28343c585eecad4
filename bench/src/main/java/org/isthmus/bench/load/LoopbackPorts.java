package org.isthmus.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free ports on 127.0.0.1 for the peers of one driver run, each free for both TCP and UDP and never
 * handed out twice in a run (two peers started close together must not get the same one).
 */
final class LoopbackPorts {

    static final String LOOPBACK = "127.0.0.1";

    private final Set<Integer> handedOut = new HashSet<>();

    /** A port free for TCP and UDP on loopback. */
    synchronized int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(loopback(), 0));
                port = tcp.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind a TCP port on " + LOOPBACK, e);
            }
            if (isFree(port) && handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on " + LOOPBACK);
    }

    /** A port p with p + 2 free too: SIPp binds its media sockets there (RTP on p, video on p + 2). */
    synchronized int nextPair() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = next();
            int other = port + 2;
            if (other < 65536 && isFree(other) && handedOut.add(other)) {
                return port;
            }
        }
        throw new IllegalStateException("no pair of free ports 2 apart on " + LOOPBACK);
    }

    /** Whether nothing is bound to the port on loopback, TCP or UDP. */
    static boolean isFree(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(false);
            tcp.bind(new InetSocketAddress(loopback(), port));
            new DatagramSocket(new InetSocketAddress(loopback(), port)).close();
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Whether a UDP socket is bound to the port on loopback (a SIPp UAS is listening). */
    static boolean udpBound(int port) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback(), port))) {
            return false;
        } catch (IOException taken) {
            return true;
        }
    }

    /** Whether something accepts TCP connections on the loopback port. */
    static boolean tcpAccepting(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(loopback(), port), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName(LOOPBACK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
