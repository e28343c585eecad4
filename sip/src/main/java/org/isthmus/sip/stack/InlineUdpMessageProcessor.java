package org.isthmus.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

/**
 * JAIN-SIP's UDP listening point without its hand-off: the stack's own processor has one thread that
 * receives each datagram into a fresh buffer of the largest message size (64 KB by default, zeroed and
 * thrown away per datagram) and queues it for a pool of channel threads, waking one per datagram. Here
 * each channel thread receives for itself, into a buffer of its own that it reuses, and parses and
 * handles the datagram on the same thread (the listener is reentrant), so a request or response crosses
 * no thread between the socket and the edge's listener. The socket is still the stack's (the guarded
 * one of {@link GuardedNetworkLayer}), so the pre-parse bounds apply as before.
 *
 * <p>How: JAIN-SIP's channel threads take datagrams from the processor's {@code messageQueue}; this
 * processor puts a queue there whose {@code take} is a receive on the socket. The stack's copy of the
 * datagram before parsing (the channel copies the bytes out of the packet) is the only copy.
 *
 * <p>It is also the edge's {@link DatagramSender}: requests the edge sends without a JAIN-SIP transaction
 * leave from the same socket.
 */
final class InlineUdpMessageProcessor extends UDPMessageProcessor implements DatagramSender {

    /** The largest UDP payload (RFC 768's 16-bit length); a datagram never truncates. */
    private static final int DATAGRAM_BUFFER = 65536;

    private final int threads;

    /** @param threads how many threads receive and handle datagrams, at least one */
    InlineUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port, int threads)
            throws IOException {
        super(address, stack, port);
        this.threads = Math.max(1, threads);
        this.messageQueue = new ReceivingQueue();
    }

    /** Starts the receiving channel threads. */
    @Override
    public void start() throws IOException {
        this.isRunning = true;
        LinkedList<UDPMessageChannel> channels = new LinkedList<>();
        for (int i = 0; i < threads; i++) {
            // A channel with a thread name starts its own thread, which takes from messageQueue.
            channels.add(new UDPMessageChannel(sipStack, this, "isthmus-sip-udp-" + getPort() + "-" + i) { });
        }
        // stop() closes these.
        this.messageChannels = channels;
    }

    @Override
    public void run() {
        // No dispatcher thread: the channel threads receive.
    }

    /** Sends from the listening socket, as the stack's own UDP channels do ({@code udpFlag}). */
    @Override
    public void send(byte[] datagram, InetSocketAddress to) throws IOException {
        sock.send(new DatagramPacket(datagram, datagram.length, to));
    }

    /**
     * The queue the channel threads take from: each {@code take} receives the next datagram into the
     * calling thread's buffer. The buffer is reused only by the same thread's next {@code take}, after
     * the channel has copied and handled the datagram.
     */
    private final class ReceivingQueue extends AbstractQueue<DatagramQueuedMessageDispatch>
            implements BlockingQueue<DatagramQueuedMessageDispatch> {

        private final ThreadLocal<DatagramPacket> buffers = ThreadLocal.withInitial(
                () -> new DatagramPacket(new byte[DATAGRAM_BUFFER], DATAGRAM_BUFFER));

        @Override
        public DatagramQueuedMessageDispatch take() {
            while (true) {
                try {
                    return receive();
                } catch (SocketTimeoutException e) {
                    // Only with a socket timeout (the stack's thread auditor): receive again.
                } catch (IOException e) {
                    return stopped();
                }
            }
        }

        @Override
        public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) {
            try {
                return receive();
            } catch (SocketTimeoutException e) {
                return null;
            } catch (IOException e) {
                return stopped();
            }
        }

        private DatagramQueuedMessageDispatch receive() throws IOException {
            DatagramPacket packet = buffers.get();
            packet.setLength(DATAGRAM_BUFFER);
            sock.receive(packet);
            return new DatagramQueuedMessageDispatch(packet, System.currentTimeMillis());
        }

        /**
         * The socket is closed ({@link UDPMessageProcessor#stop()}) or failed: the channel thread ends when
         * it sees the processor not running after its take; an empty packet is all it gets otherwise.
         */
        private DatagramQueuedMessageDispatch stopped() {
            if (isRunning) {
                isRunning = false;
            }
            return new DatagramQueuedMessageDispatch(new DatagramPacket(new byte[0], 0), System.currentTimeMillis());
        }

        @Override
        public boolean offer(DatagramQueuedMessageDispatch dispatch) {
            return false;
        }

        @Override
        public void put(DatagramQueuedMessageDispatch dispatch) {
            throw new UnsupportedOperationException("datagrams are received, not queued");
        }

        @Override
        public boolean offer(DatagramQueuedMessageDispatch dispatch, long timeout, TimeUnit unit) {
            return false;
        }

        @Override
        public int remainingCapacity() {
            return 0;
        }

        @Override
        public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) {
            return 0;
        }

        @Override
        public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int maxElements) {
            return 0;
        }

        @Override
        public DatagramQueuedMessageDispatch poll() {
            return null;
        }

        @Override
        public DatagramQueuedMessageDispatch peek() {
            return null;
        }

        @Override
        public Iterator<DatagramQueuedMessageDispatch> iterator() {
            return Collections.emptyIterator();
        }

        @Override
        public int size() {
            return 0;
        }
    }

}
