package org.isthmus.sip;

import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.TransactionExt;
import gov.nist.javax.sip.message.SIPRequest;

import org.isthmus.sip.stack.CertificateIdentities;

/**
 * Where the final response to a received request goes (RFC 3261 §17.2): JAIN-SIP's server transaction,
 * or, for a MESSAGE, the edge's own non-INVITE server transaction ({@link MessageTransactions}).
 */
interface ServerReply {

    /** Sends a final response built for the request. */
    void send(Response response) throws SipException, InvalidArgumentException;

    /** Where the request came from: the peer's address, port and transport. */
    SipHop source(Request request);

    /** The identities of the peer's TLS certificate, empty without TLS or a certificate. */
    List<String> peerIdentities();

    /** JAIN-SIP's transaction, which presence requests need; empty for the edge's own. */
    Optional<ServerTransaction> transaction();

    /** No response will be sent (none could be built): whatever the reply holds is released. */
    default void abandon() {
    }

    /** The reply through JAIN-SIP's server transaction {@code st}. */
    static ServerReply of(ServerTransaction st) {
        return new Transactional(st);
    }

    /** Where a request came from without a transaction to ask: its packet's source and top Via's transport. */
    static SipHop packetSource(Request request) {
        SIPRequest sipRequest = (SIPRequest) request;
        return new SipHop(sipRequest.getRemoteAddress().getHostAddress(), sipRequest.getRemotePort(),
                sipRequest.getTopmostVia().getTransport());
    }

    /** JAIN-SIP's server transaction as a reply. */
    record Transactional(ServerTransaction st) implements ServerReply {

        @Override
        public void send(Response response) throws SipException, InvalidArgumentException {
            st.sendResponse(response);
        }

        @Override
        public SipHop source(Request request) {
            if (st instanceof TransactionExt ext && ext.getPeerAddress() != null && ext.getPeerPort() > 0) {
                return new SipHop(ext.getPeerAddress(), ext.getPeerPort(), ext.getTransport());
            }
            return packetSource(request);
        }

        @Override
        public List<String> peerIdentities() {
            if (st instanceof TransactionExt ext && "tls".equalsIgnoreCase(ext.getTransport())) {
                try {
                    return CertificateIdentities.of(ext.getPeerCertificates());
                } catch (SSLPeerUnverifiedException | UnsupportedOperationException e) {
                    return List.of();
                }
            }
            return List.of();
        }

        @Override
        public Optional<ServerTransaction> transaction() {
            return Optional.of(st);
        }
    }
}
