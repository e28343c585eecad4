package org.isthmus.sip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sip.ClientTransaction;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.header.ParametersHeader;
import gov.nist.javax.sip.message.SIPRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.stack.CertificateIdentities;
import org.isthmus.sip.stack.PinnedHopRouter;
import org.isthmus.sip.stack.ServerIdentityPolicy;

/**
 * The edge as user agent client (RFC 3261 §8.1), for pager-mode MESSAGE (RFC 3428 §4) and, through
 * {@link #dispatch}, for the requests {@link PresenceClient} builds: builds the request,
 * finds the hops (a static one, or RFC 3263 for the outbound proxy or the Request-URI), sends to each in
 * turn after a transport error, timeout or 503 (RFC 3263 §4.3), answers one 401/407 challenge with the
 * configured credentials (§22.2), and completes each future exactly once with the final response, 408 on
 * a transaction timeout or 503 on a transport error (§8.1.3.1), or 408 from a safety timer if the stack
 * reports nothing.
 */
final class UserAgentClient {

    private static final Logger LOG = LoggerFactory.getLogger(UserAgentClient.class);

    /** RFC 3261 §18.1.1: above this size, with the path MTU unknown, a request must not go over UDP. */
    static final int UDP_SIZE_LIMIT = 1300;

    /** §8.1.1.6: the Max-Forwards a UAC SHOULD start with. */
    static final int MAX_FORWARDS = 70;

    /** RFC 5922 §7.2 for TLS connections that are reused. */
    private static final ServerIdentityPolicy IDENTITY = new ServerIdentityPolicy();

    /** How many reused Call-IDs keep their last CSeq number. */
    private static final int CSEQ_MEMORY = 4096;

    private final SipProvider provider;
    private final PinnedHopRouter router;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final ScheduledExecutorService scheduler;
    private final EdgeTimers timers;
    private final SipSettings settings;
    private final String sentByHost;
    private final Header userAgent;
    private final ServerLocator locator;
    /** MESSAGE over UDP without a JAIN-SIP transaction; null without a UDP listening point. */
    private final MessageFlights flights;
    /** The fixed start of every Via the fast path writes, up to the branch. */
    private final String udpViaPrefix;
    /** The User-Agent header line, or null if its value cannot be written as it is (the fast path is off). */
    private final String userAgentLine;
    private final Map<MediaType, String> contentTypes = new ConcurrentHashMap<>();
    /** The host part of the Call-IDs made here: the advertised host, a §25.1 word. */
    private final String callIdHost;
    private volatile boolean closing;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Long> cseqByCallId = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CSEQ_MEMORY;
        }
    };

    UserAgentClient(SipProvider provider, PinnedHopRouter router, MessageFactory messages, HeaderFactory headers,
                    AddressFactory addresses, ScheduledExecutorService scheduler, EdgeTimers timers,
                    SipSettings settings, String sentByHost, Header userAgent, ServerLocator locator,
                    Optional<MessageFlights> flights) {
        this.provider = provider;
        this.router = router;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.scheduler = scheduler;
        this.timers = timers;
        this.settings = settings;
        this.sentByHost = sentByHost;
        this.userAgent = userAgent;
        this.locator = locator;
        this.flights = flights.orElse(null);
        this.callIdHost = isWord(sentByHost, 0, sentByHost.length()) ? sentByHost : "isthmus.invalid";
        String host = sentByHost.indexOf(':') >= 0 && !sentByHost.startsWith("[") ? "[" + sentByHost + "]" : sentByHost;
        this.udpViaPrefix = "Via: SIP/2.0/UDP " + host + ":" + settings.portOf("udp") + ";branch=";
        this.userAgentLine = isText(settings.userAgent()) ? "User-Agent: " + settings.userAgent() + "\r\n" : null;
    }

    /**
     * Sends a MESSAGE: over UDP as a {@link MessageFlights} transaction from bytes written once (the
     * fast path), otherwise (TCP, TLS, too large for UDP, values the fast path does not write) as a
     * JAIN-SIP client transaction. A 401/407 challenge or a failover after the fast path's first attempt
     * continues on the JAIN-SIP path with the same Call-ID, From tag and CSeq.
     */
    CompletableFuture<SipOutcome> send(SipPagerMessage message, SipTarget target) {
        if (flights == null) {
            return sendStateful(message, target);
        }
        String callId = message.callId().orElseGet(this::newCallId);
        long cseq = nextCseq(message);
        String fromTag = newTag();
        String logCallId = LogText.safe(callId);
        if (closing) {
            return CompletableFuture.completedFuture(SipOutcome.of(new SipStatus(503, "SIP edge closed")));
        }
        CompletableFuture<SipOutcome> future = new CompletableFuture<>();
        hops(target, logCallId).whenComplete((hops, failure) -> {
            if (failure != null || hops.isEmpty()) {
                if (failure != null) {
                    LOG.info("MESSAGE not sent callId={}: locating the server failed: {}", logCallId, failure.toString());
                }
                future.complete(SipOutcome.of(new SipStatus(503, "No transport to the target")));
                return;
            }
            first(new Fields(message, target, callId, logCallId, cseq, fromTag), hops, future);
        });
        return future;
    }

    /** The first attempt: the fast path if the first hop is UDP and the request fits, else JAIN-SIP's. */
    private void first(Fields fields, List<SipHop> hops, CompletableFuture<SipOutcome> future) {
        SipHop hop = hops.get(0);
        if (hop.transport().equals("udp")) {
            String branch = newBranch();
            byte[] datagram = datagram(fields, branch);
            // §18.1.1: a request larger than 1300 bytes goes over TCP (the JAIN-SIP path switches it).
            if (datagram != null && (datagram.length <= UDP_SIZE_LIMIT || !settings.transports().contains("tcp"))) {
                InetSocketAddress to = socketAddress(hop);
                if (to != null) {
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("MESSAGE sent callId={} to={} hop={}:{}/udp", fields.logCallId,
                                LogText.safe(fields.target.requestUri()), LogText.safe(hop.host()), hop.port());
                    }
                    flights.start(new FastMessage(fields, hops, branch, datagram, to, future));
                    return;
                }
            }
        }
        stateful(fields, hops, 0, future);
    }

    /** Continues on the JAIN-SIP path from hop {@code index}, the request built with the same fields. */
    private void stateful(Fields fields, List<SipHop> hops, int index, CompletableFuture<SipOutcome> future) {
        Send send = statefulSend(fields, future);
        if (send == null) {
            return;
        }
        send.hops = hops;
        send.index = index;
        attempt(send);
    }

    /** A {@link Send} whose future completes {@code future}; null (and {@code future} completed 500) if unbuildable. */
    private Send statefulSend(Fields fields, CompletableFuture<SipOutcome> future) {
        Request template;
        try {
            template = request(fields.message, fields.target.requestUri(), fields.callId, fields.fromTag, fields.cseq);
            preloadRoute(template, fields.target);
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            // The mapping's values are valid SIP, so this is a value JAIN-SIP cannot encode.
            LOG.warn("MESSAGE not built callId={}: {}", fields.logCallId, LogText.safe(e.getMessage()));
            future.complete(SipOutcome.of(new SipStatus(500, "Request not encodable")));
            return null;
        }
        CompletableFuture<Sent> sent = new CompletableFuture<>();
        sent.whenComplete((s, failure) -> future.complete(s != null ? s.outcome()
                : SipOutcome.of(new SipStatus(500, "Server Internal Error"))));
        return new Send(sent, template, fields.logCallId, fields.cseq, Optional.empty());
    }

    /** The whole MESSAGE as JAIN-SIP's path sends it, without the fast path. */
    private CompletableFuture<SipOutcome> sendStateful(SipPagerMessage message, SipTarget target) {
        String callId = message.callId().orElseGet(() -> provider.getNewCallId().getCallId());
        Request template;
        try {
            template = request(message, target.requestUri(), callId, newTag(), nextCseq(message));
            preloadRoute(template, target);
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            // The mapping's values are valid SIP, so this is a value JAIN-SIP cannot encode.
            LOG.warn("MESSAGE not built callId={}: {}", LogText.safe(callId), LogText.safe(e.getMessage()));
            return CompletableFuture.completedFuture(SipOutcome.of(new SipStatus(500, "Request not encodable")));
        }
        return dispatch(template, target, Optional.empty()).thenApply(Sent::outcome);
    }

    /** §8.1.2: the target's outbound proxy as a pre-loaded loose route; the Request-URI stays the target. */
    void preloadRoute(Request template, SipTarget target) throws ParseException, javax.sip.SipException {
        if (target.outboundProxy().isPresent()) {
            SipUri proxy = target.outboundProxy().get();
            if (proxy.parameter("lr").isEmpty()) {
                proxy = proxy.withParameter("lr", "");
            }
            template.addFirst(headers.createRouteHeader(addresses.createAddress(
                    addresses.createURI(proxy.toString()))));
        }
    }

    /**
     * Sends a built request (any method, in or out of a dialog) to the hops of {@code target}, with
     * failover and one digest retry as for MESSAGE, and completes with its final outcome, the response
     * if one came, and the CSeq number the last attempt carried (one more than the template's after a
     * challenge). With {@code contactUser}, each attempt gets a Contact of that user at the edge's address
     * for the hop's transport (§8.1.1.8). Never completes exceptionally.
     */
    CompletableFuture<Sent> dispatch(Request template, SipTarget target, Optional<String> contactUser) {
        CompletableFuture<Sent> future = new CompletableFuture<>();
        String logCallId = LogText.safe(((CallIdHeader) template.getHeader(CallIdHeader.NAME)).getCallId());
        long cseq = ((CSeqHeader) template.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Send send = new Send(future, template, logCallId, cseq, contactUser);
        if (closing) {
            future.complete(new Sent(SipOutcome.of(new SipStatus(503, "SIP edge closed")), Optional.empty(), cseq));
            return future;
        }
        hops(target, logCallId).whenComplete((hops, failure) -> {
            if (failure != null || hops.isEmpty()) {
                if (failure != null) {
                    LOG.info("{} not sent callId={}: locating the server failed: {}", send.method, logCallId,
                            failure.toString());
                }
                future.complete(new Sent(SipOutcome.of(new SipStatus(503, "No transport to the target")),
                        Optional.empty(), cseq));
                return;
            }
            send.hops = hops;
            attempt(send);
        });
        return future;
    }

    /**
     * A fresh Call-ID (RFC 3261 §8.1.1.4): 124 random bits at the advertised host; JAIN-SIP's own takes an
     * MD5 digest under a shared lock per call.
     */
    String newCallId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() >>> 2) + Long.toHexString(random.nextLong() >>> 2) + "@" + callIdHost;
    }

    /**
     * The hops to try, in order: the target's static one, else what RFC 3263 finds for the outbound
     * proxy or the Request-URI; only hops over enabled transports.
     */
    private CompletableFuture<List<SipHop>> hops(SipTarget target, String callId) {
        if (target.nextHop().isPresent()) {
            SipHop hop = target.nextHop().get();
            if (!settings.transports().contains(hop.transport())) {
                LOG.info("request not sent callId={}: transport {} is not enabled", callId, hop.transport());
                return CompletableFuture.completedFuture(List.of());
            }
            return CompletableFuture.completedFuture(List.of(hop));
        }
        SipUri uri = target.outboundProxy().orElse(target.requestUri());
        return locator.locate(uri);
    }

    /**
     * Sends the current attempt of {@code send}: a copy of its request with its CSeq and credentials, a
     * fresh branch and a Via for the hop's transport, over TCP instead of UDP when too large (§18.1.1).
     */
    private void attempt(Send send) {
        SipHop hop = send.hops.get(send.index);
        ClientTransaction ct;
        Request request = (Request) send.template.clone();
        try {
            ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).setSeqNumber(send.cseq);
            for (Header credentials : send.credentials) {
                request.addHeader(credentials);
            }
            request.setHeader(via(hop.transport()));
            if (send.contactUser.isPresent()) {
                request.setHeader(contact(send.contactUser.get(), hop.transport()));
            }
            if (hop.transport().equals("udp") && settings.transports().contains("tcp")
                    && ((SIPRequest) request).encodeAsBytes("udp").length > UDP_SIZE_LIMIT) {
                // §18.1.1: too big for UDP with an unknown path MTU; the top Via must say TCP too.
                hop = new SipHop(hop.host(), hop.port(), "tcp");
                request.setHeader(via("tcp"));
                if (send.contactUser.isPresent()) {
                    request.setHeader(contact(send.contactUser.get(), "tcp"));
                }
                LOG.debug("{} larger than {} bytes goes over TCP callId={}", send.method, UDP_SIZE_LIMIT, send.callId);
            }
            ct = router.withHop(PinnedHopRouter.hop(hop.host(), hop.port(), hop.transport()),
                    () -> newClientTransaction(request));
            if (timers.retransmitT1().isPresent()) {
                ct.setRetransmitTimer((int) timers.retransmitT1().get().toMillis());
            }
            if (hop.transport().equals("tls") && ct instanceof ClientTransactionExt ext) {
                IDENTITY.enforceOnReuse(ext);
            }
        } catch (SecurityException e) {
            LOG.info("{} not sent callId={}: {}", send.method, send.callId, LogText.safe(e.getMessage()));
            next(send, SipOutcome.of(new SipStatus(503, "TLS server identity mismatch")), null, "TLS identity");
            return;
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException e) {
            LOG.warn("{} not built callId={}: {}", send.method, send.callId, LogText.safe(e.getMessage()));
            send.complete(SipOutcome.of(new SipStatus(500, "Request not encodable")), null);
            return;
        } catch (IllegalStateException e) {
            LOG.info("{} not sent callId={}: {}", send.method, send.callId, LogText.safe(e.getMessage()));
            next(send, SipOutcome.of(new SipStatus(503, "Service Unavailable")), null, "no transaction");
            return;
        }
        String branch = ct.getBranchId();
        ScheduledFuture<?> safety = scheduler.schedule(
                () -> complete(branch, SipOutcome.of(new SipStatus(408, "No final response")), null, "safety timer"),
                timers.outboundSafety().toMillis(), TimeUnit.MILLISECONDS);
        pending.put(branch, new Pending(send, hop, safety));
        try {
            ct.sendRequest();
            LOG.debug("{} sent callId={} to={} hop={}:{}/{} attempt={}", send.method, send.callId,
                    LogText.safe(request.getRequestURI()), LogText.safe(hop.host()), hop.port(), hop.transport(),
                    send.index + 1);
        } catch (javax.sip.SipException | RuntimeException e) {
            complete(branch, SipOutcome.of(SipStatus.of(503)), null, "send failed: " + e.getMessage());
        }
    }

    /** A Via for {@code transport} with the port the edge listens on for it and a fresh branch. */
    ViaHeader via(String transport) throws ParseException, InvalidArgumentException {
        // The branch is ours (magic cookie of §8.1.1.7) so the transaction's key is known before sending.
        ViaHeader via = headers.createViaHeader(sentByHost, settings.portOf(transport), transport, newBranch());
        via.setRPort();
        return via;
    }

    /** {@code <sip:user@host:port;transport=t>} at the edge's advertised address for {@code transport}. */
    ContactHeader contact(String user, String transport) throws ParseException {
        SipURI uri = addresses.createSipURI(user, sentByHost.indexOf(':') >= 0 && !sentByHost.startsWith("[")
                ? "[" + sentByHost + "]" : sentByHost);
        uri.setPort(settings.portOf(transport));
        if (!transport.equals("udp")) {
            uri.setTransportParam(transport);
        }
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    private ClientTransaction newClientTransaction(Request request) {
        try {
            return provider.getNewClientTransaction(request);
        } catch (TransactionUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Request request(SipPagerMessage message, SipUri requestUri, String callId, String fromTag, long cseqNumber)
            throws ParseException, InvalidArgumentException {
        FromHeader from = headers.createFromHeader(addresses.createAddress(addresses.createURI(message.from().toString())),
                fromTag);
        ToHeader to = headers.createToHeader(addresses.createAddress(addresses.createURI(message.to().toString())), null);
        CallIdHeader callIdHeader = headers.createCallIdHeader(callId);
        CSeqHeader cseq = headers.createCSeqHeader(cseqNumber, Request.MESSAGE);
        // A placeholder Via: each attempt sets its own for the transport of its hop.
        ViaHeader via = via("udp");
        MaxForwardsHeader maxForwards = headers.createMaxForwardsHeader(MAX_FORWARDS);
        ContentTypeHeader contentType = contentType(message.contentType());
        Request request;
        byte[] body = message.body();
        if (body.length > 0) {
            request = messages.createRequest(addresses.createURI(requestUri.toString()), Request.MESSAGE, callIdHeader,
                    cseq, from, to, List.of(via), maxForwards, contentType, body);
        } else {
            request = messages.createRequest(addresses.createURI(requestUri.toString()), Request.MESSAGE, callIdHeader,
                    cseq, from, to, List.of(via), maxForwards);
            request.setHeader(contentType);
        }
        if (message.language().isPresent()) {
            request.addHeader(headers.createHeader("Content-Language", message.language().get()));
        }
        if (message.subject().isPresent()) {
            request.addHeader(headers.createSubjectHeader(message.subject().get()));
        }
        if (message.authenticationResults().isPresent()) {
            // RFC 8601 §2.2, the gateway's signature check of an RFC 3923 object; an extension header here.
            request.addHeader(headers.createHeader("Authentication-Results", message.authenticationResults().get()));
        }
        request.addHeader(userAgent);
        return request;
    }

    /** A fresh From tag (§19.3: at least 32 bits of randomness). */
    private static String newTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** A fresh branch with the magic cookie of §8.1.1.7, ours so the transaction's key is known before sending. */
    private static String newBranch() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "z9hG4bK" + Long.toHexString(random.nextLong() >>> 1) + Long.toHexString(random.nextLong() >>> 1);
    }

    /**
     * The hop's address if its host is an IP literal (RFC 3263 and the static hops give addresses), so
     * the caller's thread never waits for a name lookup; null otherwise (the JAIN-SIP path then sends).
     */
    private static InetSocketAddress socketAddress(SipHop hop) {
        String host = hop.host();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v6 = bare.indexOf(':') >= 0;
        for (int i = 0; i < bare.length(); i++) {
            char c = bare.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || v6 && (c == ':' || Character.digit(c, 16) >= 0))) {
                return null;
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(bare), hop.port());
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /**
     * The MESSAGE over UDP as bytes, written directly rather than built from JAIN-SIP's header objects
     * (RFC 3261 §7, §8.1.1; RFC 3428 §4): the same headers as {@link #request} with the hop's Via, and
     * the outbound proxy as a pre-loaded Route (§8.1.2). Null if a value is not one the fast path can
     * write as it is (a Call-ID that is not a §25.1 word, control characters in a header value, an odd
     * Content-Type or Content-Language): the JAIN-SIP path then builds and checks it.
     */
    private byte[] datagram(Fields f, String branch) {
        SipPagerMessage m = f.message;
        String contentType = contentTypeText(m.contentType());
        if (userAgentLine == null || contentType == null || !isCallId(f.callId)
                || (m.language().isPresent() && !isLanguage(m.language().get()))
                || (m.subject().isPresent() && !isText(m.subject().get()))
                || (m.authenticationResults().isPresent() && !isText(m.authenticationResults().get()))) {
            return null;
        }
        int bodyLength = m.bodyLength();
        StringBuilder sb = new StringBuilder(400);
        sb.append("MESSAGE ").append(f.target.requestUri()).append(" SIP/2.0\r\n");
        sb.append(udpViaPrefix).append(branch).append(";rport\r\n");
        sb.append("Max-Forwards: ").append(MAX_FORWARDS).append("\r\n");
        if (f.target.outboundProxy().isPresent()) {
            SipUri proxy = f.target.outboundProxy().get();
            if (proxy.parameter("lr").isEmpty()) {
                proxy = proxy.withParameter("lr", "");
            }
            sb.append("Route: <").append(proxy).append(">\r\n");
        }
        sb.append("From: <").append(m.from()).append(">;tag=").append(f.fromTag).append("\r\n");
        sb.append("To: <").append(m.to()).append(">\r\n");
        sb.append("Call-ID: ").append(f.callId).append("\r\n");
        sb.append("CSeq: ").append(f.cseq).append(" MESSAGE\r\n");
        sb.append("Content-Type: ").append(contentType).append("\r\n");
        m.language().ifPresent(v -> sb.append("Content-Language: ").append(v).append("\r\n"));
        m.subject().ifPresent(v -> sb.append("Subject: ").append(v).append("\r\n"));
        // RFC 8601 §2.2, the gateway's signature check of an RFC 3923 object.
        m.authenticationResults().ifPresent(v -> sb.append("Authentication-Results: ").append(v).append("\r\n"));
        sb.append(userAgentLine);
        sb.append("Content-Length: ").append(bodyLength).append("\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (bodyLength == 0) {
            return head;
        }
        byte[] body = m.body();
        byte[] datagram = new byte[head.length + body.length];
        System.arraycopy(head, 0, datagram, 0, head.length);
        System.arraycopy(body, 0, datagram, head.length, body.length);
        return datagram;
    }

    /** {@code type/subtype;name=value...} with quoted values where they are no token (§20.15, §25.1); null if odd. */
    private String contentTypeText(MediaType type) {
        String text = contentTypes.get(type);
        if (text != null) {
            return text;
        }
        StringBuilder sb = new StringBuilder(type.type()).append('/').append(type.subtype());
        if (!isToken(type.type()) || !isToken(type.subtype())) {
            return null;
        }
        for (Map.Entry<String, String> p : type.parameters().entrySet()) {
            if (!isToken(p.getKey()) || !isText(p.getValue())) {
                return null;
            }
            sb.append(';').append(p.getKey()).append('=');
            if (isToken(p.getValue())) {
                sb.append(p.getValue());
            } else {
                sb.append('"').append(p.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        text = sb.toString();
        if (contentTypes.size() < 64) {
            // A handful of media types in practice; bounded against odd parameters.
            contentTypes.put(type, text);
        }
        return text;
    }

    /** §25.1 TEXT-UTF8 for a header value: no control characters (so no line break). */
    private static boolean isText(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** §20.13 language tags, comma separated: letters, digits, hyphens. */
    private static boolean isLanguage(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == ',' || c == ' '))) {
                return false;
            }
        }
        return true;
    }

    /** §25.1 {@code callid = word [ "@" word ]}. */
    private static boolean isCallId(String value) {
        int at = value.indexOf('@');
        return at < 0 ? isWord(value, 0, value.length())
                : isWord(value, 0, at) && isWord(value, at + 1, value.length());
    }

    private static boolean isWord(String value, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || "-.!%*_+`'~()<>:\\\"/[]?{}".indexOf(c) >= 0))) {
                return false;
            }
        }
        return true;
    }

    /** What the attempts of one MESSAGE share: the request's identity (§8.1.1) and where it goes. */
    private record Fields(SipPagerMessage message, SipTarget target, String callId, String logCallId, long cseq,
                          String fromTag) {
    }

    /** A MESSAGE sent by the fast path: its first attempt's end decides what follows. */
    private final class FastMessage extends MessageFlights.Flight {
        private final Fields fields;
        private final List<SipHop> hops;
        private final CompletableFuture<SipOutcome> future;

        FastMessage(Fields fields, List<SipHop> hops, String branch, byte[] datagram, InetSocketAddress to,
                    CompletableFuture<SipOutcome> future) {
            super(branch, datagram, to);
            this.fields = fields;
            this.hops = hops;
            this.future = future;
        }

        @Override
        void ended(Response response, SipStatus status, String why) {
            int code = status.code();
            SipHop hop = hops.get(0);
            if (code == 408 || code == 503) {
                LOG.info("MESSAGE attempt failed {} ({}) callId={} hop={}:{}/{}", code, why, fields.logCallId,
                        LogText.safe(hop.host()), hop.port(), hop.transport());
            }
            SipOutcome outcome = new SipOutcome(status, redirectContact(response));
            boolean challenged = (code == 401 || code == 407) && response != null && !closing;
            boolean failover = (code == 408 || code == 503) && hops.size() > 1 && !closing;
            if (!challenged && !failover) {
                LOG.debug("MESSAGE answered {} callId={}", code, fields.logCallId);
                future.complete(outcome);
                return;
            }
            // A challenge or a failover continues on the JAIN-SIP path, which knows both (§22.2, RFC 3263 §4.3).
            Send send = statefulSend(fields, future);
            if (send != null) {
                send.hops = hops;
                send.index = 0;
                next(send, outcome, response, why);
            }
        }
    }

    /** A Content-Type header with every parameter of {@code type}, quoted where it is no token. */
    ContentTypeHeader contentType(MediaType type) throws ParseException {
        ContentTypeHeader header = headers.createContentTypeHeader(type.type(), type.subtype());
        for (Map.Entry<String, String> p : type.parameters().entrySet()) {
            if (isToken(p.getValue()) && header instanceof ParametersHeader nist) {
                nist.setParameter(p.getKey(), p.getValue());
            } else if (header instanceof ParametersHeader nist) {
                nist.setQuotedParameter(p.getKey(), p.getValue());
            }
        }
        return header;
    }

    /** RFC 3261 §25.1 token characters. */
    private static boolean isToken(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c < 0x80
                && (Character.isLetterOrDigit(c) || "-.!%*_+`'~".indexOf(c) >= 0));
    }

    /**
     * 1 for a fresh Call-ID; for one the gateway reuses, one more than last time, since requests with
     * the same Call-ID outside a dialog should not repeat a CSeq (§8.1.1.5).
     */
    private long nextCseq(SipPagerMessage message) {
        if (message.callId().isEmpty()) {
            return 1;
        }
        synchronized (cseqByCallId) {
            return cseqByCallId.merge(message.callId().get(), 1L, (a, b) -> a + 1);
        }
    }

    void response(ResponseEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        Response response = event.getResponse();
        if (ct == null) {
            if (!fastResponse(response)) {
                LOG.debug("stray response {} dropped", response.getStatusCode());
            }
            return;
        }
        int code = response.getStatusCode();
        if (code < 200) {
            return;
        }
        complete(ct.getBranchId(), new SipOutcome(new SipStatus(code, response.getReasonPhrase()),
                redirectContact(response)), response, "response");
    }

    /** §17.1.3: a response matches a fast-path transaction by its top Via's branch and its CSeq method. */
    private boolean fastResponse(Response response) {
        if (flights == null) {
            return false;
        }
        ViaHeader via = (ViaHeader) response.getHeader(ViaHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        return via != null && cseq != null && Request.MESSAGE.equals(cseq.getMethod())
                && flights.response(via.getBranch(), response);
    }

    /** A 3xx response's Contact URI, the target it redirects to. */
    private static Optional<String> redirectContact(Response response) {
        if (response == null || response.getStatusCode() < 300 || response.getStatusCode() >= 400) {
            return Optional.empty();
        }
        ContactHeader header = (ContactHeader) response.getHeader(ContactHeader.NAME);
        if (header != null && header.getAddress() != null) {
            return Optional.of(header.getAddress().getURI().toString());
        }
        return Optional.empty();
    }

    void timeout(TimeoutEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null) {
            complete(ct.getBranchId(), SipOutcome.of(SipStatus.of(408)), null, "transaction timeout");
        }
    }

    /**
     * A transport error. JAIN-SIP names the failed transaction as the event's source; if it does not, every
     * request waiting on that host, port and transport has failed.
     */
    void ioException(IOExceptionEvent event) {
        SipOutcome outcome = SipOutcome.of(SipStatus.of(503));
        if (event.getSource() instanceof ClientTransaction ct) {
            complete(ct.getBranchId(), outcome, null, "transport error");
            return;
        }
        pending.forEach((branch, p) -> {
            if (sameHost(p.hop.host(), event.getHost()) && p.hop.port() == event.getPort()
                    && p.hop.transport().equalsIgnoreCase(event.getTransport())) {
                complete(branch, outcome, null, "transport error");
            }
        });
    }

    private static boolean sameHost(String a, String b) {
        return b != null && CertificateIdentities.canonicalIp(a).equalsIgnoreCase(CertificateIdentities.canonicalIp(b));
    }

    /** A transaction that ends without a final response (the stack gave up): 408, as for a timeout. */
    void terminated(TransactionTerminatedEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && pending.containsKey(ct.getBranchId())) {
            complete(ct.getBranchId(), SipOutcome.of(SipStatus.of(408)), null, "terminated without final response");
        }
    }

    /** Completes every waiting future with 503: the edge is closing. */
    void closeAll() {
        closing = true;
        if (flights != null) {
            flights.closeAll();
        }
        pending.keySet().forEach(branch -> complete(branch, SipOutcome.of(new SipStatus(503, "SIP edge closed")),
                null, "edge closed"));
    }

    /** The end of one attempt: its transaction is done; what comes next is {@link #next}'s to decide. */
    private void complete(String branch, SipOutcome outcome, Response response, String why) {
        Pending p = branch == null ? null : pending.remove(branch);
        if (p == null) {
            return;
        }
        p.safety.cancel(false);
        if (outcome.status().code() == 408 || outcome.status().code() == 503) {
            LOG.info("{} attempt failed {} ({}) callId={} hop={}:{}/{}", p.send.method, outcome.status().code(), why,
                    p.send.callId, LogText.safe(p.hop.host()), p.hop.port(), p.hop.transport());
        }
        next(p.send, outcome, response, why);
    }

    /**
     * After an attempt: answer a 401/407 once with credentials for its realm (§22.2, §22.3: same hop, CSeq
     * one higher); after a transport error, timeout or 503 try the next hop (RFC 3263 §4.3); else the
     * outcome is final.
     */
    private void next(Send send, SipOutcome outcome, Response response, String why) {
        int code = outcome.status().code();
        if (closing) {
            send.complete(outcome, response);
            return;
        }
        if ((code == 401 || code == 407) && response != null && !send.authenticated) {
            List<Header> credentials = credentials(send, response);
            if (!credentials.isEmpty()) {
                send.authenticated = true;
                send.cseq++;
                send.credentials = credentials;
                LOG.debug("{} challenged {} callId={}, retrying with credentials", send.method, code, send.callId);
                attempt(send);
                return;
            }
        }
        if ((code == 503 || code == 408) && send.hops != null && send.index + 1 < send.hops.size()) {
            send.index++;
            LOG.info("{} callId={} failing over to {}:{}/{} after {} ({})", send.method, send.callId,
                    LogText.safe(send.hops.get(send.index).host()), send.hops.get(send.index).port(),
                    send.hops.get(send.index).transport(), code, why);
            attempt(send);
            return;
        }
        LOG.debug("{} answered {} callId={}", send.method, code, send.callId);
        send.complete(outcome, response);
    }

    /**
     * Authorization (401) or Proxy-Authorization (407) headers answering the response's challenges for
     * which a client credential exists: per realm, the first challenge whose algorithm is supported
     * (RFC 8760 §2.4: the server lists its preference first), with qop {@code auth} if offered.
     */
    private List<Header> credentials(Send send, Response response) {
        boolean proxy = response.getStatusCode() == 407;
        String challengeName = proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME;
        List<Header> out = new ArrayList<>();
        Set<String> realms = new HashSet<>();
        ListIterator<?> it = response.getHeaders(challengeName);
        while (it != null && it.hasNext()) {
            WWWAuthenticateHeader challenge = (WWWAuthenticateHeader) it.next();
            String realm = challenge.getRealm();
            if (!"digest".equalsIgnoreCase(challenge.getScheme()) || realm == null || realms.contains(realm)
                    || challenge.getNonce() == null) {
                continue;
            }
            Optional<Digest.Algorithm> algorithm = Digest.Algorithm.of(challenge.getAlgorithm());
            Optional<DigestCredential> credential = settings.auth().clientFor(realm);
            if (algorithm.isEmpty() || credential.isEmpty()) {
                continue;
            }
            Optional<String> ha1 = credential.get().ha1(algorithm.get().token);
            if (ha1.isEmpty()) {
                continue;
            }
            Optional<String> qop = qopAuth(challenge.getQop());
            if (challenge.getQop() != null && qop.isEmpty()) {
                continue;
            }
            String uri = send.template.getRequestURI().toString();
            String nc = "00000001";
            String cnonce = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            String digest = Digest.response(algorithm.get(), ha1.get(), send.method, uri, challenge.getNonce(),
                    qop, nc, cnonce);
            try {
                AuthorizationHeader h = proxy ? headers.createProxyAuthorizationHeader("Digest")
                        : headers.createAuthorizationHeader("Digest");
                h.setUsername(credential.get().user());
                h.setRealm(realm);
                h.setNonce(challenge.getNonce());
                h.setURI(addresses.createURI(uri));
                h.setResponse(digest);
                h.setAlgorithm(algorithm.get().token);
                if (challenge.getOpaque() != null) {
                    h.setOpaque(challenge.getOpaque());
                }
                if (qop.isPresent()) {
                    h.setQop(qop.get());
                    h.setNonceCount(1);
                    h.setCNonce(cnonce);
                }
                out.add(h);
                realms.add(realm);
            } catch (ParseException e) {
                LOG.warn("cannot build credentials for realm {} callId={}: {}", LogText.safe(realm), send.callId,
                        LogText.safe(e.getMessage()));
            }
        }
        return out;
    }

    /** {@code auth} if the challenge's qop options (a quoted comma list, RFC 2617 §3.2.1) include it. */
    private static Optional<String> qopAuth(String qopOptions) {
        if (qopOptions == null) {
            return Optional.empty();
        }
        for (String option : qopOptions.replace("\"", "").split(",")) {
            if (option.strip().equalsIgnoreCase("auth")) {
                return Optional.of("auth");
            }
        }
        return Optional.empty();
    }

    /**
     * The end of a sent request.
     *
     * @param outcome  the final outcome
     * @param response the final response, if one came
     * @param cseq     the CSeq number of the last attempt
     */
    record Sent(SipOutcome outcome, Optional<Response> response, long cseq) {
    }

    /** One request being sent, across its attempts (failover, authentication). */
    private static final class Send {
        final CompletableFuture<Sent> future;
        final Request template;
        final String callId;
        final String method;
        final Optional<String> contactUser;
        volatile List<SipHop> hops;
        volatile int index;
        volatile long cseq;
        volatile boolean authenticated;
        volatile List<Header> credentials = List.of();

        Send(CompletableFuture<Sent> future, Request template, String callId, long cseq,
             Optional<String> contactUser) {
            this.future = future;
            this.template = template;
            this.callId = callId;
            this.method = template.getMethod();
            this.cseq = cseq;
            this.contactUser = contactUser;
        }

        void complete(SipOutcome outcome, Response response) {
            future.complete(new Sent(outcome, Optional.ofNullable(response), cseq));
        }
    }

    /** An attempt awaiting its outcome. */
    private record Pending(Send send, SipHop hop, ScheduledFuture<?> safety) {
    }
}
