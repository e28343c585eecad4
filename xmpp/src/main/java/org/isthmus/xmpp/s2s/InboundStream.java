package org.isthmus.xmpp.s2s;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.xmpp.LogText;
import org.isthmus.xmpp.s2s.S2sContext.Verification;
import org.isthmus.xmpp.stanza.MessageCodec;
import org.isthmus.xmpp.stanza.PresenceCodec;
import org.isthmus.xmpp.stanza.StanzaErrors;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;

/**
 * A peer's stream to us, as receiving server (RFC 6120 §4.2): our header and features, STARTTLS
 * (§5.4), SASL EXTERNAL (§6, XEP-0178), dialback requests as receiving server (XEP-0220 §2.2.1 seen
 * from the receiving side) and verification requests as authoritative server (XEP-0220 §2.2.2).
 * Stanzas are accepted only from the domains the stream authenticated (RFC 6120 §8.1.2.2, §4.9.3.9)
 * and only to domains Isthmus serves (§4.9.3.6).
 */
final class InboundStream extends S2sStream {

    private static final Logger LOG = LoggerFactory.getLogger(InboundStream.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { AWAIT_HEADER, OPEN }

    /** Peer domains this stream has authenticated (several with dialback, XEP-0220 §4.1 multiplexing). */
    private final Set<String> authenticated = new LinkedHashSet<>();
    private final Map<String, PeerCertificates.Verdict> verdicts = new HashMap<>();
    private State state = State.AWAIT_HEADER;
    private String localDomain = "";
    private Optional<String> headerFrom = Optional.empty();
    private String streamId = "";
    private boolean headerSent;
    private boolean saslDone;
    private boolean verifyServed;

    InboundStream(S2sContext context) {
        super(context);
    }

    @Override
    String peer() {
        String address = ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress());
        return headerFrom.map(f -> f + " (in, " + address + ")").orElse("(in, " + address + ")");
    }

    @Override
    boolean negotiated() {
        return !authenticated.isEmpty() || verifyServed;
    }

    @Override
    void onTlsEstablished() {
        // The header comes next, over TLS (RFC 6120 §5.4.3.3); the certificate is judged against its 'from'.
    }

    @Override
    String headerBeforeError() {
        if (headerSent) {
            return "";
        }
        String from = localDomain.isEmpty() ? context.settings().localDomains().iterator().next() : localDomain;
        return header(from, Optional.empty(), Optional.of(newStreamId()));
    }

    @Override
    void onHeader(StreamEvent.Open open) {
        if (state != State.AWAIT_HEADER) {
            fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "unexpected stream header"));
            return;
        }
        if (!open.contentNamespace().equals(Namespaces.SERVER)) {
            fail(StreamError.of(StreamErrorCondition.INVALID_NAMESPACE, "expected " + Namespaces.SERVER
                    + " (RFC 6120 §4.8.2)"));
            return;
        }
        Optional<String> to = open.attribute("to").flatMap(S2sSettings::preparedDomain);
        if (to.isEmpty() || !context.settings().localDomains().contains(to.get())) {
            fail(StreamError.of(StreamErrorCondition.HOST_UNKNOWN, "this server does not serve '"
                    + LogText.of(open.attribute("to").orElse("")) + "'"));
            return;
        }
        if (!localDomain.isEmpty() && !localDomain.equals(to.get())) {
            fail(StreamError.of(StreamErrorCondition.HOST_UNKNOWN, "'to' changed on a stream restart"));
            return;
        }
        localDomain = to.get();
        if (!open.attribute("version").filter(v -> v.startsWith("1.")).isPresent()) {
            fail(StreamError.of(StreamErrorCondition.UNSUPPORTED_VERSION, "XMPP 1.0 streams are required (RFC 6120 §4.7.5)"));
            return;
        }
        Optional<String> from = open.attribute("from").flatMap(S2sSettings::preparedDomain);
        if (open.attribute("from").isPresent() && from.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.INVALID_FROM, "'from' is not a domain"));
            return;
        }
        if (saslDone && !from.equals(headerFrom)) {
            fail(StreamError.of(StreamErrorCondition.INVALID_FROM, "'from' changed after SASL"));
            return;
        }
        if (from.isPresent() && !context.settings().isPeerAllowed(from.get())) {
            fail(StreamError.of(StreamErrorCondition.POLICY_VIOLATION, "federation with " + from.get() + " is not allowed"));
            return;
        }
        headerFrom = from;
        streamId = newStreamId();
        headerSent = true;
        state = State.OPEN;
        PeerPolicy policy = policy();
        if (!secure && policy.tlsRequired() && context.tls().isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.POLICY_VIOLATION, "TLS is required but not configured here"));
            return;
        }
        StringBuilder features = new StringBuilder(512);
        features.append(header(localDomain, headerFrom, Optional.of(streamId))).append("<stream:features>");
        if (!secure && context.tls().isPresent()) {
            features.append("<starttls xmlns='").append(Namespaces.TLS).append('\'')
                    .append(policy.tlsRequired() ? "><required/></starttls>" : "/>");
        }
        if (!saslDone && (secure || !policy.tlsRequired())) {
            if (secure && headerFrom.isPresent() && policy.accepts(PeerPolicy.AuthMethod.EXTERNAL)
                    && verdict(headerFrom.get()).trusted()) {
                // XEP-0178 §3 step 9 (and RFC 6120 §13.7.2.1): offered only to a certificate naming 'from'.
                features.append("<mechanisms xmlns='").append(Namespaces.SASL)
                        .append("'><mechanism>EXTERNAL</mechanism></mechanisms>");
            }
            if (policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
                features.append("<dialback xmlns='").append(Namespaces.DIALBACK_FEATURE).append("'><errors/></dialback>");
            }
        }
        writeRaw(features.append("</stream:features>").toString());
        LOG.debug("XMPP s2s {}: stream {} to {} opened{}", peer(), streamId, localDomain, secure ? " over TLS" : "");
    }

    @Override
    void onStreamElement(XmlElement element) {
        if (state != State.OPEN) {
            fail(StreamError.of(StreamErrorCondition.BAD_FORMAT, "element before the stream header"));
            return;
        }
        String ns = element.namespace();
        if (ns.equals(Namespaces.TLS) && element.name().equals("starttls")) {
            onStartTls();
        } else if (ns.equals(Namespaces.SASL) && element.name().equals("auth")) {
            onAuth(element);
        } else if (ns.equals(Namespaces.DIALBACK) && element.name().equals("result")) {
            onDialbackResult(element);
        } else if (ns.equals(Namespaces.DIALBACK) && element.name().equals("verify")) {
            onDialbackVerify(element);
        } else if (ns.equals(Namespaces.SERVER) && (element.name().equals("message") || element.name().equals("iq")
                || element.name().equals("presence"))) {
            onStanza(element);
        } else {
            fail(StreamError.of(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE,
                    "element {" + LogText.of(ns) + "}" + LogText.of(element.name())));
        }
    }

    /** RFC 6120 §5.4.2: proceed, then TLS, then the peer restarts the stream. */
    private void onStartTls() {
        if (secure || context.tls().isEmpty()) {
            writeRaw("<failure xmlns='" + Namespaces.TLS + "'/>" + CLOSE_TAG);
            closing = true;
            ctx.close();
            return;
        }
        // startTls=true lets the <proceed/> out in the clear; everything after it is TLS.
        ctx.pipeline().addFirst(TLS_HANDLER, context.tls().get().serverHandler(ctx.alloc(), true));
        writeRaw("<proceed xmlns='" + Namespaces.TLS + "'/>");
        restartDecoder();
        state = State.AWAIT_HEADER;
    }

    /** XEP-0178 §3 steps 10–11, RFC 6120 §6.4. */
    private void onAuth(XmlElement auth) {
        PeerPolicy policy = policy();
        if (!secure || saslDone || !"EXTERNAL".equals(auth.attribute("mechanism").orElse(""))
                || !policy.accepts(PeerPolicy.AuthMethod.EXTERNAL)) {
            saslFailure("invalid-mechanism", "EXTERNAL over TLS is the only mechanism offered");
            return;
        }
        String response = auth.text().strip();
        Optional<String> authzid = Optional.empty();
        if (!response.isEmpty() && !response.equals("=")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(response), StandardCharsets.UTF_8);
                authzid = S2sSettings.preparedDomain(decoded);
                if (authzid.isEmpty()) {
                    saslFailure("invalid-authzid", "the authorization identity is not a domain");
                    return;
                }
            } catch (IllegalArgumentException e) {
                saslFailure("incorrect-encoding", "not base64 (RFC 6120 §6.4.2)");
                return;
            }
        }
        if (authzid.isPresent() && headerFrom.isPresent() && !authzid.equals(headerFrom)) {
            saslFailure("invalid-authzid", "the authorization identity differs from the stream's 'from'");
            return;
        }
        Optional<String> domain = authzid.or(() -> headerFrom);
        if (domain.isEmpty()) {
            saslFailure("not-authorized", "no 'from' and no authorization identity");
            return;
        }
        PeerCertificates.Verdict verdict = verdict(domain.get());
        if (!verdict.trusted()) {
            saslFailure("not-authorized", ((PeerCertificates.Verdict.Untrusted) verdict).reason());
            if (!policy.accepts(PeerPolicy.AuthMethod.DIALBACK)) {
                closeStream("SASL EXTERNAL failed and dialback is not accepted");
            }
            return;
        }
        writeRaw("<success xmlns='" + Namespaces.SASL + "'/>");
        saslDone = true;
        headerFrom = domain;
        authenticated.add(domain.get());
        LOG.info("XMPP s2s {}: authenticated {} with SASL EXTERNAL", peer(), domain.get());
        restartDecoder();
        state = State.AWAIT_HEADER;
    }

    private void saslFailure(String condition, String text) {
        LOG.info("XMPP s2s {}: SASL failure <{}/>: {}", peer(), condition, LogText.of(text));
        writeRaw("<failure xmlns='" + Namespaces.SASL + "'><" + condition + "/><text>"
                + XmlWriter.escapeText(text) + "</text></failure>");
    }

    /** The receiving server's side of XEP-0220 §2.1: check the key with the authoritative server. */
    private void onDialbackResult(XmlElement result) {
        Optional<String> from = result.attribute("from").flatMap(S2sSettings::preparedDomain);
        Optional<String> to = result.attribute("to").flatMap(S2sSettings::preparedDomain);
        if (from.isEmpty() || to.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.IMPROPER_ADDRESSING, "db:result needs 'from' and 'to'"));
            return;
        }
        if (!context.settings().localDomains().contains(to.get())) {
            dialbackError(result, "item-not-found", "cancel");
            return;
        }
        PeerPolicy policy = context.settings().policyFor(from.get());
        if (!context.settings().isPeerAllowed(from.get()) || !policy.accepts(PeerPolicy.AuthMethod.DIALBACK)
                || (policy.tlsRequired() && !secure)) {
            dialbackError(result, "policy-violation", "auth");
            return;
        }
        if (authenticated.contains(from.get())) {
            dialbackResult(to.get(), from.get(), "valid");
            return;
        }
        String originating = from.get();
        String receiving = to.get();
        context.verify(receiving, originating, streamId, result.text()).whenComplete((outcome, error) ->
                ctx.executor().execute(() -> onVerified(receiving, originating,
                        error != null ? Verification.REMOTE_SERVER_TIMEOUT : outcome)));
    }

    private void onVerified(String receiving, String originating, Verification outcome) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        switch (outcome) {
            case VALID -> {
                authenticated.add(originating);
                LOG.info("XMPP s2s {}: authenticated {} with dialback", peer(), originating);
                dialbackResult(receiving, originating, "valid");
            }
            case INVALID -> {
                LOG.warn("XMPP s2s {}: dialback key for {} is invalid", peer(), originating);
                dialbackResult(receiving, originating, "invalid");
                if (authenticated.isEmpty()) {
                    // XEP-0220 §2.4: after an invalid first attempt the stream MUST be closed.
                    fail(StreamError.of(StreamErrorCondition.NOT_AUTHORIZED, "dialback key for " + originating
                            + " is not valid"));
                }
            }
            default -> {
                XmlElement error = XmlElement.builder(Namespaces.DIALBACK, "result")
                        .attribute("from", receiving).attribute("to", originating).attribute("type", "error")
                        .child(XmlElement.builder(Namespaces.SERVER, "error").attribute("type", "cancel")
                                .child(XmlElement.builder(StanzaErrorCondition.NAMESPACE,
                                        outcome.errorCondition()).build()).build())
                        .build();
                writeElement(error);
            }
        }
    }

    private void dialbackResult(String from, String to, String type) {
        writeElement(XmlElement.builder(Namespaces.DIALBACK, "result")
                .attribute("from", from).attribute("to", to).attribute("type", type).build());
    }

    private void dialbackError(XmlElement request, String condition, String type) {
        LOG.info("XMPP s2s {}: refused {} from={} to={}: {}", peer(), request.name(), attr(request, "from"),
                attr(request, "to"), condition);
        XmlElement.Builder reply = XmlElement.builder(Namespaces.DIALBACK, request.name())
                .attribute("from", request.attribute("to").orElse(localDomain))
                .attribute("to", request.attribute("from").orElse(""))
                .attribute("id", request.attribute("id"))
                .attribute("type", "error");
        reply.child(XmlElement.builder(Namespaces.SERVER, "error").attribute("type", type)
                .child(XmlElement.builder(StanzaErrorCondition.NAMESPACE, condition).build())
                .build());
        writeElement(reply.build());
    }

    /** The authoritative server's side (XEP-0220 §2.2.2): only the secret's holder can tell. */
    private void onDialbackVerify(XmlElement verify) {
        Optional<String> from = verify.attribute("from").flatMap(S2sSettings::preparedDomain);
        Optional<String> to = verify.attribute("to").flatMap(S2sSettings::preparedDomain);
        Optional<String> id = verify.attribute("id");
        if (from.isEmpty() || to.isEmpty() || id.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.IMPROPER_ADDRESSING, "db:verify needs 'from', 'to' and 'id'"));
            return;
        }
        if (!context.settings().localDomains().contains(to.get())) {
            dialbackError(verify, "item-not-found", "cancel");
            return;
        }
        boolean valid = context.dialbackKey().verify(from.get(), to.get(), id.get(), verify.text());
        verifyServed = true;
        LOG.debug("XMPP s2s {}: db:verify from {} for {}: {}", peer(), from.get(), to.get(), valid ? "valid" : "invalid");
        writeElement(XmlElement.builder(Namespaces.DIALBACK, "verify")
                .attribute("from", to.get()).attribute("to", from.get()).attribute("id", id.get())
                .attribute("type", valid ? "valid" : "invalid").build());
    }

    /** RFC 6120 §8.1.2.2, §4.9.3.9: addressing checks, then the stanza goes to the gateway. */
    private void onStanza(XmlElement stanza) {
        if (authenticated.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.NOT_AUTHORIZED, "stanza before authentication"));
            return;
        }
        Optional<String> fromText = stanza.attribute("from");
        Optional<String> toText = stanza.attribute("to");
        if (fromText.isEmpty() || toText.isEmpty()) {
            fail(StreamError.of(StreamErrorCondition.IMPROPER_ADDRESSING, "a stanza between servers needs 'from' and 'to'"));
            return;
        }
        Mapped<Jid> from = Jid.parse(fromText.get());
        if (!from.isOk() || !authenticated.contains(from.orThrow().domain())) {
            fail(StreamError.of(StreamErrorCondition.INVALID_FROM, "'" + LogText.of(fromText.get())
                    + "' is not from a domain this stream authenticated"));
            return;
        }
        Mapped<Jid> to = Jid.parse(toText.get());
        if (!to.isOk()) {
            fail(StreamError.of(StreamErrorCondition.IMPROPER_ADDRESSING, "malformed 'to'"));
            return;
        }
        String toDomain = to.orThrow().domain();
        if (!context.settings().localDomains().contains(toDomain)) {
            fail(StreamError.of(StreamErrorCondition.HOST_UNKNOWN, "this server does not serve " + toDomain));
            return;
        }
        String fromDomain = from.orThrow().domain();
        switch (stanza.name()) {
            case "message" -> onMapped(stanza, toDomain, fromDomain, MessageCodec.fromElement(stanza),
                    context::deliver);
            case "presence" -> onMapped(stanza, toDomain, fromDomain, PresenceCodec.fromElement(stanza),
                    presence -> presence.dispatch(context::deliver, context::deliver));
            case "iq" -> onIq(stanza, toDomain, fromDomain);
        }
    }

    /**
     * A stanza the peer sent before it read our closing tag (at shutdown, or an idle close): the peer
     * counts it as sent (s2s has no acknowledgements here), so it goes to the gateway as on an open
     * stream, RFC 6120 §4.4 (2). Its addressing is checked the same way; one that fails the checks is
     * logged, since a stream error can no longer be sent. Answers (errors, iq results) go over our
     * outbound stream to the peer, as they always do, while it is up.
     */
    @Override
    void onElementWhileClosing(XmlElement element) {
        if (state != State.OPEN || authenticated.isEmpty() || !element.namespace().equals(Namespaces.SERVER)
                || !(element.name().equals("message") || element.name().equals("presence")
                || element.name().equals("iq"))) {
            LOG.info("XMPP s2s {}: {} after our closing tag: not a stanza of an authenticated stream, dropped",
                    peer(), LogText.of(element.name()));
            return;
        }
        LOG.info("XMPP s2s {}: {} id={} from={} after our closing tag: processed", peer(), element.name(),
                attr(element, "id"), attr(element, "from"));
        onStanza(element);
    }

    /** A get or set is answered here (XEP-0199 ping, disco); a result or error answers our outbound stream. */
    private void onIq(XmlElement iq, String toDomain, String fromDomain) {
        String type = iq.attribute("type").orElse("");
        if (type.equals("result") || type.equals("error")) {
            context.iqAnswer(toDomain, fromDomain, iq);
            return;
        }
        context.responder(toDomain).respond(iq).ifPresent(reply -> context.reply(toDomain, fromDomain, reply));
    }

    /**
     * A message or presence that passed the addressing checks: the converted value goes to the gateway;
     * one that does not convert is answered with the error on our stream to the peer (RFC 6120 §8.3),
     * unless it is an error itself.
     */
    private <T> void onMapped(XmlElement element, String toDomain, String fromDomain, Mapped<T> mapped,
                              Consumer<T> deliver) {
        if (mapped instanceof Mapped.Ok<T> ok) {
            LOG.debug("XMPP s2s {}: {} id={} type={} from={} to={}", peer(), element.name(), attr(element, "id"),
                    attr(element, "type"), attr(element, "from"), attr(element, "to"));
            deliver.accept(ok.value());
            return;
        }
        Rejected rejected = ((Mapped.Failed<T>) mapped).rejected();
        if (element.attribute("type").filter("error"::equals).isPresent()) {
            // RFC 6120 §8.3.1: never answer an error with an error
            LOG.info("XMPP s2s {}: discarded {} id={}: {}", peer(), element.name(), attr(element, "id"),
                    LogText.of(rejected.text()));
            return;
        }
        LOG.info("XMPP s2s {}: refused {} id={}: {} ({})", peer(), element.name(), attr(element, "id"),
                rejected.condition().elementName(), LogText.of(rejected.text()));
        context.reply(toDomain, fromDomain, StanzaErrors.errorReply(element,
                StanzaError.of(rejected.condition(), rejected.text()), element.attribute("to").orElse(toDomain), true));
    }

    /** The peer domains this stream has authenticated so far. */
    Set<String> peerDomains() {
        return Set.copyOf(authenticated);
    }

    /** Whether this stream is open and has authenticated {@code peerDomain} to send to {@code local}. */
    boolean carries(String local, String peerDomain) {
        return !closing && state == State.OPEN && localDomain.equals(local) && authenticated.contains(peerDomain);
    }

    @Override
    void onClosed() {
        LOG.debug("XMPP s2s {}: inbound stream closed: {}", peer(), reason);
    }

    private PeerPolicy policy() {
        return headerFrom.map(context.settings()::policyFor).orElse(context.settings().defaultPolicy());
    }

    private PeerCertificates.Verdict verdict(String domain) {
        return verdicts.computeIfAbsent(domain, d -> context.tls().flatMap(t -> sslHandler().map(h ->
                t.peers().verify(TlsContexts.peerChain(h.engine().getSession()), d)))
                .orElse(new PeerCertificates.Verdict.Untrusted("no TLS")));
    }

    private static String newStreamId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
