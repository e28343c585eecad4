package org.isthmus.xmpp.s2s;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.xmpp.LogText;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.s2s.S2sContext.Verification;
import org.isthmus.xmpp.stanza.IqResponder;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;

/**
 * Our stream to a peer's server, as initiating server (RFC 6120 §4.2): header, STARTTLS (§5) unless
 * TLS is direct (XEP-0368), then SASL EXTERNAL (§6, XEP-0178) when the peer's certificate proves its
 * domain and the peer offers it, else Server Dialback (XEP-0220 §2.1.1). Used either to carry our
 * stanzas, or once, as receiving server, to ask the peer's authoritative server about a dialback key
 * (XEP-0220 §2.1.2).
 *
 * <p>A refused EXTERNAL ends the stream ({@link #externalRefused()}): XEP-0178 §2 step 11 has the
 * receiving server close the stream after its {@code <failure/>}, and some servers close it on the
 * {@code <auth/>} itself, so dialback is tried by the service on a new connection made
 * {@code dialbackOnly}, never on this one.
 *
 * <p>Once up, the stream is pinged (XEP-0199 §4.3) after each ping interval without a byte from the
 * peer; see {@link #onReaderIdle} for when an unanswered ping closes it.
 */
final class OutboundStream extends S2sStream {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundStream.class);

    /** What the stream is for. */
    sealed interface Purpose {
        /** Carry stanzas from {@code localDomain} to the peer domain. */
        record Deliver() implements Purpose {
        }

        /** Ask the authoritative server about a key, then close (XEP-0220 §2.1.2). */
        record Verify(String streamId, String key, CompletableFuture<Verification> result) implements Purpose {
        }
    }

    private enum State { CONNECTING, AWAIT_HEADER, AWAIT_FEATURES, AWAIT_PROCEED, AWAIT_SASL, AWAIT_DIALBACK,
        AWAIT_VERIFY, UP }

    private final String localDomain;
    private final String peerDomain;
    private final PeerAddress address;
    private final Purpose purpose;
    private final PeerPolicy policy;
    private final boolean dialbackOnly;
    private State state = State.CONNECTING;
    private String streamId = "";
    private boolean saslDone;
    private PeerCertificates.Verdict verdict = new PeerCertificates.Verdict.Untrusted("no TLS");
    /** RFC 6120 §10.4.3: a stream that could not be negotiated fails stanzas with remote-server-timeout. */
    private StanzaErrorCondition failure = StanzaErrorCondition.REMOTE_SERVER_TIMEOUT;
    /** The peer answered our SASL EXTERNAL with {@code <failure/>}, or the stream ended while it was pending. */
    private boolean externalRefused;
    private long pingCount;
    /** The id of our last ping while its answer is due; null when none is. */
    private String pingDue;

    /**
     * @param dialbackOnly never try SASL EXTERNAL: the peer refused it before (see {@link #externalRefused()})
     */
    OutboundStream(S2sContext context, String localDomain, String peerDomain, PeerAddress address, Purpose purpose,
                   boolean dialbackOnly) {
        super(context);
        this.localDomain = localDomain;
        this.peerDomain = peerDomain;
        this.address = address;
        this.purpose = purpose;
        this.policy = context.settings().policyFor(peerDomain);
        this.dialbackOnly = dialbackOnly;
    }

    String localDomain() {
        return localDomain;
    }

    String peerDomain() {
        return peerDomain;
    }

    Channel channel() {
        return ctx.channel();
    }

    boolean isUp() {
        return state == State.UP && !closing;
    }

    boolean dialbackOnly() {
        return dialbackOnly;
    }

    /**
     * Whether this stream's SASL EXTERNAL attempt failed: a {@code <failure/>}, or the stream ended
     * (closed by the peer, a stream error, a timeout) between our {@code <auth/>} and the peer's answer.
     */
    boolean externalRefused() {
        return externalRefused;
    }

    @Override
    String peer() {
        return peerDomain + " (out, " + address + ")";
    }

    @Override
    boolean negotiated() {
        return state == State.UP || state == State.AWAIT_VERIFY && closing;
    }

    @Override
    boolean acceptsStanzas() {
        return state == State.UP;
    }

    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext context) throws Exception {
        super.channelActive(context);
        if (!address.directTls()) {
            openStream();
        }
        // With direct TLS the header follows the handshake (XEP-0368 §3), see onTlsEstablished.
    }

    private void openStream() {
        state = State.AWAIT_HEADER;
        writeRaw(header(localDomain, Optional.of(peerDomain), Optional.empty()));
    }

    @Override
    void onTlsEstablished() {
        // RFC 6120 §13.7.2.1: the initiating entity checks the certificate against the 'to' it sent.
        verdict = context.tls().map(t -> t.peers().verify(TlsContexts.peerChain(sslHandler().orElseThrow()
                .engine().getSession()), peerDomain)).orElse(verdict);
        LOG.debug("XMPP s2s {}: certificate {}", peer(), verdict);
        openStream();
    }

    @Override
    void onHeader(StreamEvent.Open open) {
        if (state != State.AWAIT_HEADER) {
            fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "unexpected stream header"));
            return;
        }
        if (!open.contentNamespace().equals(Namespaces.SERVER)) {
            fail(StreamError.of(StreamErrorCondition.INVALID_NAMESPACE, "expected " + Namespaces.SERVER));
            return;
        }
        if (!open.attribute("version").filter(v -> v.startsWith("1.")).isPresent()) {
            // RFC 6120 §4.7.5: without version 1.0 there are no stream features, so neither TLS nor SASL.
            fail(StreamError.of(StreamErrorCondition.UNSUPPORTED_VERSION, "XMPP 1.0 streams are required"));
            return;
        }
        streamId = open.attribute("id").orElse("");
        state = State.AWAIT_FEATURES;
    }

    @Override
    void onStreamElement(XmlElement element) {
        switch (state) {
            case AWAIT_FEATURES -> {
                if (element.is(Namespaces.STREAMS, "features")) {
                    onFeatures(element);
                } else {
                    fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "expected stream features"));
                }
            }
            case AWAIT_PROCEED -> onTlsReply(element);
            case AWAIT_SASL -> onSaslReply(element);
            case AWAIT_DIALBACK -> onDialbackResult(element);
            case AWAIT_VERIFY -> onVerifyResult(element);
            case UP -> LOG.debug("XMPP s2s {}: ignored <{}/> on our outbound stream (no XEP-0288)", peer(),
                    LogText.of(element.name()));
            default -> fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "element before the stream header"));
        }
    }

    private void onFeatures(XmlElement features) {
        if (!secure) {
            if (features.child(Namespaces.TLS, "starttls").isPresent() && context.tls().isPresent()) {
                state = State.AWAIT_PROCEED;
                writeRaw("<starttls xmlns='" + Namespaces.TLS + "'/>");
                return;
            }
            if (policy.tlsRequired()) {
                refuse("TLS is required for " + peerDomain + " but "
                        + (context.tls().isEmpty() ? "Isthmus has no TLS settings" : "the peer does not offer STARTTLS"));
                return;
            }
        }
        if (saslDone) {
            up("SASL EXTERNAL");
            return;
        }
        if (purpose instanceof Purpose.Verify verify) {
            state = State.AWAIT_VERIFY;
            writeElement(XmlElement.builder(Namespaces.DIALBACK, "verify")
                    .attribute("from", localDomain).attribute("to", peerDomain).attribute("id", verify.streamId())
                    .text(verify.key()).build());
            return;
        }
        boolean externalOffered = features.child(Namespaces.SASL, "mechanisms").stream()
                .flatMap(m -> m.children(Namespaces.SASL, "mechanism").stream())
                .anyMatch(m -> m.text().strip().equals("EXTERNAL"));
        if (secure && !verdict.trusted() && !policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
            failure = StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND;
            fail(StreamError.of(StreamErrorCondition.POLICY_VIOLATION, "the certificate of " + peerDomain
                    + " is not accepted: " + ((PeerCertificates.Verdict.Untrusted) verdict).reason()));
            return;
        }
        if (!dialbackOnly && secure && verdict.trusted() && externalOffered
                && policy.accepts(PeerPolicy.AuthMethod.EXTERNAL)) {
            state = State.AWAIT_SASL;
            // XEP-0178 §3 step 10: the authorization identity is included for older receiving servers.
            String authzid = Base64.getEncoder().encodeToString(localDomain.getBytes(StandardCharsets.UTF_8));
            writeRaw("<auth xmlns='" + Namespaces.SASL + "' mechanism='EXTERNAL'>" + authzid + "</auth>");
            return;
        }
        startDialback();
    }

    private void startDialback() {
        if (!policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
            refuse("no authentication method that both " + localDomain + " and " + peerDomain + " accept");
            return;
        }
        if (streamId.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "a stream header without 'id' allows no dialback"));
            return;
        }
        state = State.AWAIT_DIALBACK;
        writeElement(XmlElement.builder(Namespaces.DIALBACK, "result")
                .attribute("from", localDomain).attribute("to", peerDomain)
                .text(context.dialbackKey().generate(peerDomain, localDomain, streamId)).build());
    }

    private void onTlsReply(XmlElement element) {
        if (element.is(Namespaces.TLS, "proceed")) {
            // RFC 6120 §5.4.2.3: TLS starts right after <proceed/>; the stream restarts over it.
            ctx.pipeline().addFirst(TLS_HANDLER, context.tls().orElseThrow()
                    .clientHandler(ctx.alloc(), peerDomain, address.port()));
            restartDecoder();
            state = State.AWAIT_HEADER;
        } else {
            fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "STARTTLS refused by " + peerDomain));
        }
    }

    private void onSaslReply(XmlElement element) {
        if (element.is(Namespaces.SASL, "success")) {
            // RFC 6120 §6.4.6: a new stream over the same connection, now authenticated.
            saslDone = true;
            restartDecoder();
            openStream();
            return;
        }
        if (element.is(Namespaces.SASL, "failure")) {
            String condition = element.children().stream().filter(c -> !c.name().equals("text"))
                    .map(XmlElement::name).findFirst().orElse("failure");
            externalRefused = true;
            if (policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
                // XEP-0178 §2 step 11: the peer closes the stream after <failure/>; dialback gets a new one.
                LOG.info("XMPP s2s {}: SASL EXTERNAL refused with <{}/>; dialback follows on a new connection",
                        peer(), LogText.of(condition));
                closeStream("SASL EXTERNAL refused with <" + LogText.of(condition) + "/>");
            } else {
                refuse("SASL EXTERNAL refused with <" + LogText.of(condition) + "/> and the policy for " + peerDomain
                        + " accepts no other method");
            }
            return;
        }
        fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "expected a SASL reply"));
    }

    private void onDialbackResult(XmlElement element) {
        if (!element.is(Namespaces.DIALBACK, "result")) {
            fail(StreamError.of(StreamErrorCondition.NOT_AUTHORIZED, "stanza before dialback completed"));
            return;
        }
        String type = element.attribute("type").orElse("");
        switch (type) {
            case "valid" -> up("dialback");
            case "invalid" -> refuse("dialback key refused by " + peerDomain);
            default -> {
                // XEP-0220 §2.1.1: an error result is not fatal to the stream, but our stanzas fail.
                String condition = element.child(Namespaces.DIALBACK, "error").or(() -> element.child(Namespaces.SERVER,
                        "error")).flatMap(e -> e.children().stream().findFirst()).map(XmlElement::name).orElse(type);
                failure = StanzaErrorCondition.REMOTE_SERVER_TIMEOUT;
                closeStream("dialback error from " + peerDomain + ": " + LogText.of(condition));
            }
        }
    }

    private void onVerifyResult(XmlElement element) {
        if (!element.is(Namespaces.DIALBACK, "verify") || !(purpose instanceof Purpose.Verify verify)) {
            return;
        }
        String type = element.attribute("type").orElse("");
        Verification outcome = switch (type) {
            case "valid" -> Verification.VALID;
            case "invalid" -> Verification.INVALID;
            default -> Verification.REMOTE_SERVER_TIMEOUT;
        };
        verify.result().complete(outcome);
        closeStream("verification done");
    }

    private void up(String how) {
        state = State.UP;
        LOG.info("XMPP s2s {}: stream from {} authenticated by {} over {}", peer(), localDomain, how,
                secure ? "TLS" : "plain TCP");
        context.outboundUp(this);
    }

    /** Authentication cannot succeed: close cleanly, and fail our stanzas as unroutable. */
    private void refuse(String why) {
        failure = StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND;
        LOG.warn("XMPP s2s {}: {}", peer(), why);
        closeStream(why);
    }

    @Override
    void peerStreamError(StreamError error) {
        if (error.condition() == StreamErrorCondition.HOST_UNKNOWN
                || error.condition() == StreamErrorCondition.NOT_AUTHORIZED
                || error.condition() == StreamErrorCondition.POLICY_VIOLATION) {
            failure = StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND;
        }
    }

    /**
     * XEP-0199 §4.3 on our stream. The answer cannot come back on this stream: stanzas flow one way on
     * a server-to-server stream (RFC 6120 §4.5), so the peer routes its result over its own stream to
     * us, and the service hands it to {@link #onPingAnswer}. A ping still due at the next call, with
     * not a byte read here in between, proves the stream dead only if the peer has an authenticated
     * stream to us that could have carried the answer; then the stream is closed and the next stanza
     * opens a fresh one. Without such a stream the peer may be unable to reach us at all, which says
     * nothing about this stream, so it is left to TCP: the ping's bytes make a dead connection fail at
     * the TCP level (a reset, or the retransmission timeout), which closes it too.
     */
    @Override
    void onReaderIdle(boolean firstSinceLastRead) {
        if (state != State.UP || closing) {
            return;
        }
        if (firstSinceLastRead) {
            pingDue = null; // the peer sent something on this connection since the last ping
        }
        if (pingDue != null) {
            if (context.hasInboundStream(localDomain, peerDomain)) {
                String why = "no answer to XMPP ping id=" + pingDue + " within "
                        + context.settings().pingInterval().toMillis() + " ms";
                LOG.warn("XMPP s2s {}: {}; closing the stream", peer(), why);
                closeStream(why);
                return;
            }
            LOG.debug("XMPP s2s {}: ping id={} unanswered, but {} has no stream to us to answer on; "
                    + "leaving the connection to TCP", peer(), pingDue, peerDomain);
        }
        pingDue = "isthmus-s2s-ping-" + (++pingCount);
        LOG.debug("XMPP s2s {}: nothing read for {} ms, sending ping id={}", peer(),
                context.settings().pingInterval().toMillis(), pingDue);
        writeRaw("<iq type='get' id='" + pingDue + "' from='" + XmlWriter.escapeAttribute(localDomain) + "' to='"
                + XmlWriter.escapeAttribute(peerDomain) + "'><ping xmlns='" + IqResponder.PING + "'/></iq>");
    }

    /** An iq result or error from the peer to {@code localDomain}, received on one of its streams to us. */
    void onPingAnswer(String id) {
        if (id.equals(pingDue)) {
            LOG.debug("XMPP s2s {}: ping id={} answered", peer(), id);
            pingDue = null;
        }
    }

    @Override
    void onClosed() {
        if (state == State.AWAIT_SASL) {
            externalRefused = true;
            if (!policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
                // The peer will not take the only method we accept: as permanent as a <failure/>.
                failure = StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND;
            }
        }
        if (purpose instanceof Purpose.Verify verify) {
            verify.result().complete(Verification.REMOTE_SERVER_TIMEOUT);
        }
        context.outboundClosed(this, new XmppException("XMPP s2s stream " + localDomain + " -> " + peerDomain
                + " ended: " + reason, failure, null));
    }
}
