package org.isthmus.sip;

import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.AddressFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.ParametersHeader;
import gov.nist.javax.sip.message.SIPRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.stack.PinnedHopRouter;

/**
 * The edge as user agent client for pager-mode MESSAGE (RFC 3428 §4, RFC 3261 §8.1): builds the request,
 * picks the hop and transport, and completes each future exactly once with the final response, 408 on
 * a transaction timeout or 503 on a transport error (§8.1.3.1), or 408 from a safety timer if the stack
 * reports nothing.
 */
final class UserAgentClient {

    private static final Logger LOG = LoggerFactory.getLogger(UserAgentClient.class);

    /** RFC 3261 §18.1.1: above this size, with the path MTU unknown, a request must not go over UDP. */
    static final int UDP_SIZE_LIMIT = 1300;

    /** §8.1.1.6: the Max-Forwards a UAC SHOULD start with. */
    private static final int MAX_FORWARDS = 70;

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
                    SipSettings settings, String sentByHost, Header userAgent) {
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
    }

    CompletableFuture<SipOutcome> send(SipPagerMessage message, SipTarget target) {
        CompletableFuture<SipOutcome> future = new CompletableFuture<>();
        String callId = message.callId().orElseGet(() -> provider.getNewCallId().getCallId());
        String logCallId = LogText.safe(callId);
        Optional<SipHop> chosen = hop(target, logCallId);
        if (chosen.isEmpty()) {
            future.complete(SipOutcome.of(new SipStatus(503, "No transport to the target")));
            return future;
        }
        SipHop hop = chosen.get();
        ClientTransaction ct;
        try {
            Request request = request(message, target.requestUri(), callId, hop.transport());
            if (hop.transport().equals("udp") && settings.transports().contains("tcp")
                    && ((SIPRequest) request).encodeAsBytes("udp").length > UDP_SIZE_LIMIT) {
                // §18.1.1: too big for UDP with an unknown path MTU; the top Via must say TCP too.
                hop = new SipHop(hop.host(), hop.port(), "tcp");
                ((ViaHeader) request.getHeader(ViaHeader.NAME)).setTransport("tcp");
                LOG.debug("MESSAGE larger than {} bytes goes over TCP callId={}", UDP_SIZE_LIMIT, logCallId);
            }
            SipHop finalHop = hop;
            ct = router.withHop(PinnedHopRouter.hop(hop.host(), hop.port(), hop.transport()),
                    () -> newClientTransaction(request));
            if (timers.retransmitT1().isPresent()) {
                ct.setRetransmitTimer((int) timers.retransmitT1().get().toMillis());
            }
            ScheduledFuture<?> safety = scheduler.schedule(
                    () -> complete(ct.getBranchId(), SipOutcome.of(new SipStatus(408, "No final response")),
                            "safety timer"),
                    timers.outboundSafety().toMillis(), TimeUnit.MILLISECONDS);
            pending.put(ct.getBranchId(), new Pending(future, logCallId, finalHop, safety));
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException e) {
            // The mapping's values are valid SIP, so this is a value JAIN-SIP cannot encode.
            LOG.warn("MESSAGE not built callId={}: {}", logCallId, LogText.safe(e.getMessage()));
            future.complete(SipOutcome.of(new SipStatus(500, "Request not encodable")));
            return future;
        } catch (IllegalStateException e) {
            LOG.info("MESSAGE not sent callId={}: {}", logCallId, LogText.safe(e.getMessage()));
            future.complete(SipOutcome.of(new SipStatus(503, "Service Unavailable")));
            return future;
        }
        try {
            ct.sendRequest();
            LOG.debug("MESSAGE sent callId={} to={} hop={}:{}/{}", logCallId, LogText.safe(target.requestUri()),
                    LogText.safe(hop.host()), hop.port(), hop.transport());
        } catch (SipException | RuntimeException e) {
            complete(ct.getBranchId(), SipOutcome.of(SipStatus.of(503)), "send failed: " + e.getMessage());
        }
        return future;
    }

    /**
     * The hop: the target's explicit one, else the Request-URI's host, port (5060) and transport
     * parameter (UDP), per RFC 3263 §4.1-4.2 without DNS SRV; empty if no enabled transport fits.
     */
    private Optional<SipHop> hop(SipTarget target, String callId) {
        if (target.nextHop().isPresent()) {
            SipHop hop = target.nextHop().get();
            if (!settings.transports().contains(hop.transport())) {
                LOG.info("MESSAGE not sent callId={}: transport {} is not enabled", callId, hop.transport());
                return Optional.empty();
            }
            return Optional.of(hop);
        }
        SipUri uri = target.requestUri();
        if (uri.secure()) {
            LOG.info("MESSAGE not sent callId={}: sips needs TLS, which the edge does not offer", callId);
            return Optional.empty();
        }
        String transport = uri.transport().orElse("udp");
        if (!settings.transports().contains(transport)) {
            LOG.info("MESSAGE not sent callId={}: transport {} is not enabled", callId, LogText.safe(transport));
            return Optional.empty();
        }
        return Optional.of(new SipHop(uri.host(), uri.port().orElse(SipSettings.DEFAULT_PORT), transport));
    }

    private ClientTransaction newClientTransaction(Request request) {
        try {
            return provider.getNewClientTransaction(request);
        } catch (TransactionUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Request request(SipPagerMessage message, SipUri requestUri, String callId, String transport)
            throws ParseException, InvalidArgumentException {
        FromHeader from = headers.createFromHeader(addresses.createAddress(addresses.createURI(message.from().toString())),
                Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        ToHeader to = headers.createToHeader(addresses.createAddress(addresses.createURI(message.to().toString())), null);
        CallIdHeader callIdHeader = headers.createCallIdHeader(callId);
        CSeqHeader cseq = headers.createCSeqHeader(nextCseq(message), Request.MESSAGE);
        // The branch is ours (magic cookie of §8.1.1.7) so the transaction's key is known before sending.
        ViaHeader via = headers.createViaHeader(sentByHost, settings.port(), transport,
                "z9hG4bK" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        via.setRPort();
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
        request.addHeader(userAgent);
        return request;
    }

    private ContentTypeHeader contentType(MediaType type) throws ParseException {
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
            LOG.debug("stray response {} dropped", response.getStatusCode());
            return;
        }
        int code = response.getStatusCode();
        if (code < 200) {
            return;
        }
        Optional<String> contact = Optional.empty();
        if (code >= 300 && code < 400) {
            ContactHeader header = (ContactHeader) response.getHeader(ContactHeader.NAME);
            if (header != null && header.getAddress() != null) {
                contact = Optional.of(header.getAddress().getURI().toString());
            }
        }
        complete(ct.getBranchId(), new SipOutcome(new SipStatus(code, response.getReasonPhrase()), contact), "response");
    }

    void timeout(TimeoutEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null) {
            complete(ct.getBranchId(), SipOutcome.of(SipStatus.of(408)), "transaction timeout");
        }
    }

    /**
     * A transport error. JAIN-SIP names the failed transaction as the event's source; if it does not, every
     * request waiting on that host, port and transport has failed.
     */
    void ioException(IOExceptionEvent event) {
        SipOutcome outcome = SipOutcome.of(SipStatus.of(503));
        if (event.getSource() instanceof ClientTransaction ct) {
            complete(ct.getBranchId(), outcome, "transport error");
            return;
        }
        pending.forEach((branch, p) -> {
            if (p.hop.host().equalsIgnoreCase(event.getHost()) && p.hop.port() == event.getPort()
                    && p.hop.transport().equalsIgnoreCase(event.getTransport())) {
                complete(branch, outcome, "transport error");
            }
        });
    }

    /** A transaction that ends without a final response (the stack gave up): 408, as for a timeout. */
    void terminated(TransactionTerminatedEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && pending.containsKey(ct.getBranchId())) {
            complete(ct.getBranchId(), SipOutcome.of(SipStatus.of(408)), "terminated without final response");
        }
    }

    /** Completes every waiting future with 503: the edge is closing. */
    void closeAll() {
        pending.keySet().forEach(branch -> complete(branch, SipOutcome.of(new SipStatus(503, "SIP edge closed")),
                "edge closed"));
    }

    private void complete(String branch, SipOutcome outcome, String why) {
        Pending p = branch == null ? null : pending.remove(branch);
        if (p == null) {
            return;
        }
        p.safety.cancel(false);
        if (outcome.status().code() == 408 || outcome.status().code() == 503) {
            LOG.info("MESSAGE failed {} ({}) callId={} hop={}:{}/{}", outcome.status().code(), why, p.callId,
                    LogText.safe(p.hop.host()), p.hop.port(), p.hop.transport());
        } else {
            LOG.debug("MESSAGE answered {} callId={}", outcome.status().code(), p.callId);
        }
        p.future.complete(outcome);
    }

    /** A sent MESSAGE awaiting its outcome. */
    private record Pending(CompletableFuture<SipOutcome> future, String callId, SipHop hop, ScheduledFuture<?> safety) {
    }
}
