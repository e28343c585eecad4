package org.isthmus.sip.stack;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.Optional;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * The stack's listening points: UDP through {@link InlineUdpMessageProcessor} (no thread hand-off per
 * datagram, {@code udpThreads} receiving threads), TCP and TLS JAIN-SIP's classic blocking ones. Set on
 * the stack by {@link EdgeSipStack} before any listening point exists.
 */
final class EdgeMessageProcessorFactory implements MessageProcessorFactory {

    private final MessageProcessorFactory classic = new OIOMessageProcessorFactory();
    private final int udpThreads;
    private volatile InlineUdpMessageProcessor udp;

    EdgeMessageProcessorFactory(int udpThreads) {
        this.udpThreads = udpThreads;
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if ("udp".equalsIgnoreCase(transport)) {
            InlineUdpMessageProcessor processor = new InlineUdpMessageProcessor(address, stack, port, udpThreads);
            sendFromListeningSocket(stack);
            udp = processor;
            return processor;
        }
        return classic.createMessageProcessor(stack, address, port, transport);
    }

    /** The UDP listening point's sender, once it exists. */
    Optional<DatagramSender> udp() {
        return Optional.ofNullable(udp);
    }

    /**
     * What JAIN-SIP's own factory does for UDP, and ours cannot do but by reflection (a package-private
     * field): tells the stack's UDP channels to send from the listening socket, so that requests and
     * responses leave from the port in our Via and answers come back to it (RFC 3261 §18.1.1, §18.2.2),
     * instead of from a fresh socket per message.
     */
    private static void sendFromListeningSocket(SIPTransactionStack stack) throws IOException {
        try {
            Field flag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            flag.setAccessible(true);
            flag.setBoolean(stack, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this JAIN-SIP has no udpFlag to send UDP from the listening socket: " + e, e);
        }
    }
}
