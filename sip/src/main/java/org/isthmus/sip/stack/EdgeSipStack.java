package org.isthmus.sip.stack;

import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.sip.PeerUnavailableException;
import javax.sip.header.ViaHeader;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.parser.ParserFactory;

import org.isthmus.sip.SipMessageLimits;

/**
 * The edge's JAIN-SIP stack: the reference implementation with its sockets made by a network layer that
 * holds the edge's own {@link SSLContext} and keeps its message limits. JAIN-SIP 1.3.0-91 instantiates a {@code NETWORK_LAYER} class by
 * name with no arguments, which leaves no way to hand it a context but a global; setting the stack's
 * network layer right after construction, before any listening point exists, does.
 */
public final class EdgeSipStack extends SipStackImpl {

    private final EdgeMessageProcessorFactory processors;

    static {
        registerParsers();
    }

    /**
     * Puts the edge's header parsers in JAIN-SIP's parser table, which every stack in the JVM shares:
     * {@link GuardedViaParser} for Via, in its long and compact names (RFC 3261 §7.3.3). Done once, when
     * this class is first used, before any stack reads a message; idempotent.
     */
    public static void registerParsers() {
        ParserFactory.addToParserTable(ViaHeader.NAME, GuardedViaParser.class);
        ParserFactory.addToParserTable("v", GuardedViaParser.class);
    }

    /**
     * A stack from {@code properties}, with TLS sockets from {@code tls} if present, and UDP and TCP
     * listening sockets that keep {@code limits} ({@link GuardedNetworkLayer}).
     *
     * @param connectTimeoutMillis how long an outgoing TCP or TLS connect may take
     */
    public EdgeSipStack(Properties properties, Optional<SSLContext> tls, int connectTimeoutMillis,
                        SipMessageLimits limits) throws PeerUnavailableException {
        super(properties);
        NetworkLayer sockets = tls.isPresent() ? new TlsNetworkLayer(tls.get(), connectTimeoutMillis)
                : this.networkLayer != null ? this.networkLayer : DefaultNetworkLayer.SINGLETON;
        // The pause allowed inside a TCP message is the stack's READ_TIMEOUT, kept by the guard now that
        // it holds each header section until it is whole; without one, the message deadline alone.
        long stallMillis = Long.parseLong(properties.getProperty("gov.nist.javax.sip.READ_TIMEOUT",
                Long.toString(limits.messageTimeout().toMillis())));
        this.networkLayer = new GuardedNetworkLayer(sockets, limits, stallMillis);
        // The stack's thread pool size (THREAD_POOL_SIZE) is how many threads receive UDP, each handling
        // what it receives itself.
        this.processors = new EdgeMessageProcessorFactory(this.threadPoolSize);
        setMessageProcessorFactory(processors);
    }

    /**
     * Sends datagrams from the UDP listening socket, for requests the edge sends without a JAIN-SIP
     * transaction; empty until a UDP listening point exists.
     */
    public Optional<DatagramSender> datagramSender() {
        return processors.udp();
    }
}
