package org.isthmus.sip.stack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import org.isthmus.sip.SipMessageLimits;

/**
 * The TCP listening socket: each accepted connection reads through {@link MessageFraming}. A message past
 * a {@link SipMessageLimits} bound is answered (513, 414 or 413, RFC 3261 §21) and the stream ends for
 * JAIN-SIP there, so the stack closes the connection (§21.4.11 allows it; the rest of the stream cannot
 * be framed), and the refused message never reaches the stack in part. A message whose bytes take longer
 * than {@code messageTimeout} from first to last, or that pauses longer than the stall limit, ends the
 * stream too, without an answer (RFC 3261 has none for a slow sender): a peer sending a byte a second
 * cannot hold a connection, and the thread JAIN-SIP gives each, for ever.
 */
final class GuardedServerSocket extends ServerSocket {

    private final SipMessageLimits limits;
    private final long stallMillis;

    /** @param stallMillis the longest pause allowed inside a message (JAIN-SIP's {@code READ_TIMEOUT}) */
    GuardedServerSocket(int port, int backlog, InetAddress bindAddress, SipMessageLimits limits, long stallMillis)
            throws IOException {
        super(port, backlog, bindAddress);
        this.limits = limits;
        this.stallMillis = stallMillis;
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        Socket socket = new GuardedSocket(limits, stallMillis);
        implAccept(socket);
        return socket;
    }

    /** An accepted connection whose input is framed and bounded. */
    private static final class GuardedSocket extends Socket {

        private final SipMessageLimits limits;
        private final long stallMillis;
        private InputStream input;

        GuardedSocket(SipMessageLimits limits, long stallMillis) {
            this.limits = limits;
            this.stallMillis = stallMillis;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GuardedInput(super.getInputStream(), this, limits, stallMillis, "tcp");
            }
            return input;
        }
    }
}
