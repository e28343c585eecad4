package org.isthmus.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RequireHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.SipToCpim;
import org.isthmus.sip.stack.CertificateIdentities;

/**
 * The edge as user agent server (RFC 3261 §8.2): checks each received request in the order of §8.2
 * (method, then URIs and dialog, then extensions), answers what it can itself (OPTIONS, 405, 416, 481,
 * 420, 400), checks who may send (the trust policy of {@link SipTrust} for MESSAGE, SUBSCRIBE and NOTIFY,
 * digest authentication of REGISTER, §22), hands SUBSCRIBE and NOTIFY to {@link PresenceServer}, and
 * MESSAGE (RFC 3428 §7) and REGISTER (§10.3) to the {@link SipHandler},
 * sending its answer as the final response when it comes, or 500 if it fails or does not come in time.
 */
final class UserAgentServer {

    private static final Logger LOG = LoggerFactory.getLogger(UserAgentServer.class);

    /**
     * The methods the edge accepts (RFC 3261 §20.5): pager mode, registrar, capabilities, and presence
     * subscriptions as notifier and subscriber (RFC 6665).
     */
    static final List<String> ALLOWED = List.of(Request.MESSAGE, Request.REGISTER, Request.OPTIONS,
            Request.SUBSCRIBE, Request.NOTIFY);

    /**
     * Methods the edge knows but does not support outside a dialog: answered 405 (§8.2.1). Any other
     * method is unknown: 501 (§21.5.2). PUBLISH is sent, never received: the edge is no presence server.
     */
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of(Request.INVITE, Request.BYE, Request.PUBLISH, Request.INFO, Request.UPDATE, Request.PRACK, Request.REFER);

    private final SipStackImpl stack;
    private final SipProvider provider;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final SipHandler handler;
    private final Responder responder;
    private final PresenceServer presence;
    private final Supplier<SipTrust> trust;
    private final SipAuth auth;
    private final DigestServer digest;
    private final MessageTransactions messageTransactions;

    UserAgentServer(SipStackImpl stack, SipProvider provider, MessageFactory messages, HeaderFactory headers,
                    AddressFactory addresses, SipHandler handler, Responder responder, PresenceServer presence,
                    SipSettings settings, Supplier<SipTrust> trust, DigestServer digest,
                    MessageTransactions messageTransactions) {
        this.stack = stack;
        this.provider = provider;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.handler = handler;
        this.responder = responder;
        this.presence = presence;
        this.trust = trust;
        this.auth = settings.auth();
        this.digest = digest;
        this.messageTransactions = messageTransactions;
    }

    void process(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            // An ACK for a non-2xx final response is absorbed by the INVITE server transaction
            // (§17.2.1); one that reaches us belongs to no transaction of ours and needs no answer.
            LOG.debug("ACK ignored callId={}", callId(request));
            return;
        }
        ServerReply reply;
        Optional<MessageTransactions.Exchange> own = Request.MESSAGE.equals(method)
                && event.getServerTransaction() == null && request instanceof SIPRequest sipRequest
                ? messageTransactions.receive(sipRequest) : Optional.empty();
        if (own.isPresent()) {
            MessageTransactions.Exchange exchange = own.get();
            switch (exchange.kind()) {
                case RETRANSMISSION -> {
                    LOG.debug("retransmitted MESSAGE absorbed callId={}", callId(request));
                    return;
                }
                case REFUSED -> {
                    responder.respond(exchange, request, SipStatus.of(503), callId(request), r -> r.addHeader(
                            headers.createRetryAfterHeader(MessageTransactions.RETRY_AFTER_SECONDS)));
                    return;
                }
                default -> reply = exchange;
            }
        } else {
            Optional<ServerTransaction> transaction = transaction(event);
            if (transaction.isEmpty()) {
                return;
            }
            reply = ServerReply.of(transaction.get());
        }
        String callId = callId(request);
        try {
            dispatch(reply, request, method, callId);
        } catch (RuntimeException e) {
            LOG.error("{} failed callId={}", LogText.safe(method), callId, e);
            respond(reply, request, SipStatus.of(500), callId, Responder.NOTHING);
        }
    }

    private void dispatch(ServerReply st, Request request, String method, String callId) {
        if (Request.CANCEL.equals(method)) {
            cancel(st, request, callId);
            return;
        }
        if (!ALLOWED.contains(method)) {
            SipStatus status = KNOWN_UNSUPPORTED.contains(method) ? SipStatus.of(405) : SipStatus.of(501);
            LOG.debug("{} refused with {} callId={}", LogText.safe(method), status.code(), callId);
            respond(st, request, status, callId, this::addAllow);
            return;
        }
        Optional<SipStatus> scheme = RequestReader.checkScheme(request.getRequestURI());
        if (scheme.isPresent()) {
            respond(st, request, scheme.get(), callId, Responder.NOTHING);
            return;
        }
        boolean subscription = Request.SUBSCRIBE.equals(method) || Request.NOTIFY.equals(method);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (to.getTag() != null && !subscription) {
            // Subscription dialogs live in the gateway's store (PresenceServer asks it); other in-dialog
            // requests match no dialog (§12.2.2).
            respond(st, request, SipStatus.of(481), callId, Responder.NOTHING);
            return;
        }
        if (!Request.OPTIONS.equals(method) && !admitted(st, request, method, callId)) {
            return;
        }
        List<String> required = required(request);
        if (!required.isEmpty()) {
            // No extension is supported (§8.2.2.3).
            respond(st, request, SipStatus.of(420), callId, r -> {
                for (String option : required) {
                    r.addHeader(headers.createUnsupportedHeader(option));
                }
            });
            return;
        }
        switch (method) {
            case Request.OPTIONS -> respond(st, request, SipStatus.of(200), callId, r -> {
                // §11.2: Allow, Accept and Supported; no extension is supported, so Supported is empty.
                addAllow(r);
                addAccept(r);
                r.addHeader(headers.createHeader(SupportedHeader.NAME, ""));
                r.addHeader(headers.createAllowEventsHeader("presence"));
            });
            case Request.MESSAGE -> {
                if (trusted(st, request, callId)) {
                    message(st, request, callId);
                }
            }
            case Request.SUBSCRIBE -> {
                // A watcher claiming a served domain passes the same trust check as a MESSAGE sender.
                if (trusted(st, request, callId)) {
                    presence.subscribe(st.transaction().orElseThrow(), request, callId);
                }
            }
            case Request.NOTIFY -> {
                if (trusted(st, request, callId)) {
                    presence.notify(st.transaction().orElseThrow(), request, callId);
                }
            }
            default -> {
                if (registerAuthorized(st, request, callId)) {
                    register(st, request, callId);
                }
            }
        }
    }

    private void message(ServerReply st, Request request, String callId) {
        Read<SipPagerMessage> read = RequestReader.message(request);
        if (read instanceof Read.Refused<SipPagerMessage> refused) {
            LOG.debug("MESSAGE refused with {} callId={}", refused.status().code(), callId);
            respond(st, request, refused.status(), callId, Responder.NOTHING);
            return;
        }
        SipPagerMessage message = ((Read.Ok<SipPagerMessage>) read).value();
        if (LOG.isDebugEnabled()) {
            LOG.debug("MESSAGE received callId={} from={} to={} bytes={}", callId, LogText.safe(message.from()),
                    LogText.safe(message.to()), message.bodyLength());
        }
        whenAnswered(st, request, callId, () -> handler.onMessage(message), status -> {
            if (status.code() < 200) {
                throw new IllegalStateException("handler answered with a provisional status " + status.code());
            }
            // RFC 3261 §21.4.13: a 415 lists the body types that are understood.
            respond(st, request, status, callId, status.code() == 415 ? this::addAccept : Responder.NOTHING);
        });
    }

    /** The body types the gateway translates (one list, kept with the rule in {@link SipToCpim#ACCEPT}). */
    private void addAccept(Response r) throws ParseException {
        for (String type : SipToCpim.ACCEPT.split(",")) {
            String[] parts = type.strip().split("/", 2);
            r.addHeader(headers.createAcceptHeader(parts[0], parts[1]));
        }
    }

    private void register(ServerReply st, Request request, String callId) {
        Read<SipRegistration> read = RequestReader.registration(request, st.source(request));
        if (read instanceof Read.Refused<SipRegistration> refused) {
            LOG.debug("REGISTER refused with {} callId={}", refused.status().code(), callId);
            respond(st, request, refused.status(), callId, Responder.NOTHING);
            return;
        }
        SipRegistration registration = ((Read.Ok<SipRegistration>) read).value();
        LOG.debug("REGISTER received callId={} aor={} contacts={}", callId,
                LogText.safe(registration.addressOfRecord()), registration.bindings().size());
        whenAnswered(st, request, callId, () -> handler.onRegister(registration), outcome -> {
            if (outcome.status().code() < 200) {
                throw new IllegalStateException("handler answered with a provisional status "
                        + outcome.status().code());
            }
            respond(st, request, outcome.status(), callId, r -> {
                if (outcome.status().isSuccess()) {
                    for (SipBinding binding : outcome.bindings()) {
                        ContactHeader contact = headers.createContactHeader(addresses.createAddress(
                                addresses.createURI(binding.contact().toString())));
                        if (binding.expires().isPresent()) {
                            contact.setExpires(binding.expires().getAsInt());
                        }
                        r.addHeader(contact);
                    }
                    // §10.3 step 8: the response SHOULD carry a Date header.
                    r.addHeader(headers.createDateHeader(Calendar.getInstance(TimeZone.getTimeZone("GMT"),
                            Locale.ROOT)));
                }
                if (outcome.status().code() == 423 && outcome.minExpires().isPresent()) {
                    r.addHeader(headers.createMinExpiresHeader(outcome.minExpires().getAsInt()));
                }
            });
        });
    }

    /**
     * The trust check of {@link SipTrust}: a request whose From is in a served domain passes only from a
     * trusted address or TLS identity, or with digest credentials of the From user in the From domain
     * (RFC 3261 §22.4). Without credentials it is challenged (401) when users of that realm exist; with
     * wrong or another user's credentials, or without users to check against, it gets 403 (§21.4.4).
     * Answers and returns false when the request does not pass.
     */
    private boolean trusted(ServerReply st, Request request, String callId) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        SipTrust trust = this.trust.get();
        if (!(from.getAddress().getURI() instanceof SipURI fromUri) || !trust.serves(fromUri.getHost())) {
            return true;
        }
        SipHop source = st.source(request);
        InetAddress remote = ((SIPRequest) request).getRemoteAddress();
        if (trust.trustsAddress(remote != null ? remote : literal(source.host()))) {
            return true;
        }
        if (source.transport().equalsIgnoreCase("tls") && trust.trustsTlsIdentity(st.peerIdentities())) {
            return true;
        }
        String realm = fromUri.getHost().toLowerCase(Locale.ROOT);
        Optional<DigestServer.Answer> answer = answer(request, realm);
        if (answer.isEmpty()) {
            if (auth.hasRealm(realm)) {
                challenge(st, request, realm, false, callId);
            } else {
                LOG.info("MESSAGE from served domain {} refused: untrusted source {} callId={}", LogText.safe(realm),
                        LogText.safe(source.host()), callId);
                respond(st, request, SipStatus.of(403), callId, Responder.NOTHING);
            }
            return false;
        }
        DigestServer.Verdict verdict = digest.verify(answer.get(), request.getMethod(), realm);
        if (verdict instanceof DigestServer.Verdict.Ok ok && ok.user().equals(fromUri.getUser())) {
            return true;
        }
        if (verdict instanceof DigestServer.Verdict.Stale) {
            challenge(st, request, realm, true, callId);
            return false;
        }
        LOG.info("MESSAGE from served domain {} refused: {} callId={}", LogText.safe(realm),
                verdict instanceof DigestServer.Verdict.Failed f ? LogText.safe(f.why())
                        : "authenticated user is not the From user", callId);
        respond(st, request, SipStatus.of(403), callId, Responder.NOTHING);
        return false;
    }

    /**
     * The gateway's admission policy ({@link SipHandler#admit}), asked before anything costly: a refusal
     * is answered at once, with Retry-After when it gives one (RFC 3261 §20.33). Returns false when the
     * request was refused.
     */
    private boolean admitted(ServerReply st, Request request, String method, String callId) {
        SipHop hop = st.source(request);
        InetAddress remote = ((SIPRequest) request).getRemoteAddress();
        List<String> identities = hop.transport().equalsIgnoreCase("tls") ? st.peerIdentities() : List.of();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        Optional<String> fromHost = from != null && from.getAddress().getURI() instanceof SipURI f && f.getHost() != null
                ? Optional.of(f.getHost().toLowerCase(Locale.ROOT)) : Optional.empty();
        // A REGISTER's Request-URI names the registrar; its To is the address of record (RFC 3261 §10.2).
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        URI named = Request.REGISTER.equals(method) && to != null ? to.getAddress().getURI() : request.getRequestURI();
        Optional<String> recipient = named instanceof SipURI r && r.getUser() != null
                && r.getHost() != null ? Optional.of(r.getUser() + "@" + r.getHost().toLowerCase(Locale.ROOT))
                : Optional.empty();
        SipSource source = new SipSource(method, remote != null ? remote : literal(hop.host()),
                hop.transport().toLowerCase(Locale.ROOT), identities, fromHost, recipient);
        Optional<SipRefusal> refusal = handler.admit(source);
        if (refusal.isEmpty()) {
            return true;
        }
        SipRefusal r = refusal.get();
        LOG.debug("{} refused by policy with {} from {} callId={}", LogText.safe(method), r.status().code(),
                source.address().getHostAddress(), callId);
        respond(st, request, r.status(), callId, response -> {
            if (r.retryAfter().isPresent()) {
                response.addHeader(headers.createRetryAfterHeader(r.retryAfter().getAsInt()));
            }
        });
        return false;
    }

    /**
     * Digest authentication of a REGISTER (RFC 3261 §10.3 step 2, §22) when users are configured: the realm
     * is the To domain; no credentials, wrong ones or a replayed nonce count get a fresh 401 challenge, an
     * expired nonce a 401 with {@code stale=true}, and a user registering someone else's address 403
     * (§10.3 step 3). Answers and returns false when the request does not pass.
     */
    private boolean registerAuthorized(ServerReply st, Request request, String callId) {
        if (auth.users().isEmpty()) {
            return true;
        }
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (!(to.getAddress().getURI() instanceof SipURI aor)) {
            return true;
        }
        String realm = aor.getHost().toLowerCase(Locale.ROOT);
        Optional<DigestServer.Answer> answer = answer(request, realm);
        if (answer.isEmpty()) {
            challenge(st, request, realm, false, callId);
            return false;
        }
        DigestServer.Verdict verdict = digest.verify(answer.get(), request.getMethod(), realm);
        if (verdict instanceof DigestServer.Verdict.Ok ok) {
            if (ok.user().equals(aor.getUser())) {
                return true;
            }
            LOG.info("REGISTER refused: {} may not register {} callId={}", LogText.safe(ok.user()),
                    LogText.safe(aor), callId);
            respond(st, request, SipStatus.of(403), callId, Responder.NOTHING);
            return false;
        }
        boolean stale = verdict instanceof DigestServer.Verdict.Stale;
        if (verdict instanceof DigestServer.Verdict.Failed f) {
            LOG.info("REGISTER authentication failed: {} callId={}", LogText.safe(f.why()), callId);
        }
        challenge(st, request, realm, stale, callId);
        return false;
    }

    /** The credentials of the first Authorization header for {@code realm} (§22.4), if any. */
    private static Optional<DigestServer.Answer> answer(Request request, String realm) {
        ListIterator<?> it = request.getHeaders(AuthorizationHeader.NAME);
        while (it != null && it.hasNext()) {
            AuthorizationHeader h = (AuthorizationHeader) it.next();
            if (!"digest".equalsIgnoreCase(h.getScheme()) || h.getRealm() == null
                    || !h.getRealm().equalsIgnoreCase(realm)) {
                continue;
            }
            String uri = h.getParameter("uri");
            if (uri == null && h.getURI() != null) {
                uri = h.getURI().toString();
            }
            if (h.getUsername() == null || h.getNonce() == null || uri == null || h.getResponse() == null) {
                return Optional.empty();
            }
            String nc = h.getParameter("nc");
            return Optional.of(new DigestServer.Answer(h.getUsername(), h.getRealm(), h.getNonce(), unquote(uri),
                    h.getResponse(), h.getAlgorithm(), Optional.ofNullable(h.getQop()),
                    nc == null ? "" : nc, h.getCNonce() == null ? "" : h.getCNonce()));
        }
        return Optional.empty();
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /**
     * A 401 with two challenges (RFC 8760 §2.4: most preferred first): SHA-256, then MD5 for clients that
     * know no better, both with qop {@code auth} and one fresh nonce.
     */
    private void challenge(ServerReply st, Request request, String realm, boolean stale, String callId) {
        String nonce = digest.nonce();
        LOG.debug("{} challenged realm={} stale={} callId={}", LogText.safe(request.getMethod()), LogText.safe(realm),
                stale, callId);
        respond(st, request, SipStatus.of(401), callId, r -> {
            for (Digest.Algorithm algorithm : List.of(Digest.Algorithm.SHA_256, Digest.Algorithm.MD5)) {
                WWWAuthenticateHeader h = headers.createWWWAuthenticateHeader("Digest");
                h.setRealm(realm);
                h.setNonce(nonce);
                h.setAlgorithm(algorithm.token);
                h.setQop("auth");
                if (stale) {
                    h.setStale(true);
                }
                r.addHeader(h);
            }
        });
    }

    /** An address literal of a transaction's peer, without any lookup. */
    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(CertificateIdentities.canonicalIp(host));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("peer address is not a literal: " + host, e);
        }
    }

    /**
     * A CANCEL (§9.2): 200 if it matches a transaction the stack still has, else 481. The edge answers
     * every request at once or within the handler's time, so there is nothing left to stop.
     */
    private void cancel(ServerReply st, Request request, String callId) {
        boolean matched = request instanceof SIPRequest sipRequest
                && stack.findCancelTransaction(sipRequest, true) != null;
        respond(st, request, SipStatus.of(matched ? 200 : 481), callId, Responder.NOTHING);
    }

    /** The server transaction for a request, or empty for a retransmission the stack already has one for. */
    private Optional<ServerTransaction> transaction(RequestEvent event) {
        ServerTransaction st = event.getServerTransaction();
        if (st != null) {
            return Optional.of(st);
        }
        try {
            return Optional.of(provider.getNewServerTransaction(event.getRequest()));
        } catch (TransactionAlreadyExistsException e) {
            LOG.debug("retransmitted {} absorbed callId={}", LogText.safe(event.getRequest().getMethod()),
                    callId(event.getRequest()));
            return Optional.empty();
        } catch (TransactionUnavailableException e) {
            LOG.warn("no transaction for {} callId={}: {}", LogText.safe(event.getRequest().getMethod()),
                    callId(event.getRequest()), e.getMessage());
            return Optional.empty();
        }
    }

    /** The option tags of the Require headers (§20.32); Proxy-Require is for proxies and ignored (§20.29). */
    private static List<String> required(Request request) {
        List<String> options = new ArrayList<>();
        ListIterator<?> it = request.getHeaders(RequireHeader.NAME);
        while (it != null && it.hasNext()) {
            options.add(((RequireHeader) it.next()).getOptionTag());
        }
        return options;
    }

    private void addAllow(Response response) throws ParseException {
        for (String method : ALLOWED) {
            response.addHeader(headers.createAllowHeader(method));
        }
    }

    private <T> void whenAnswered(ServerReply st, Request request, String callId,
                                  Supplier<CompletionStage<T>> call, Responder.ResponseAction<T> answer) {
        responder.whenAnswered(st, request, callId, call, answer);
    }

    private void respond(ServerReply st, Request request, SipStatus status, String callId,
                         Responder.ResponseAction<Response> extra) {
        responder.respond(st, request, status, callId, extra);
    }

    static String callId(Request request) {
        CallIdHeader header = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        return header == null ? "-" : LogText.safe(header.getCallId());
    }
}
