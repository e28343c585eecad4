package org.isthmus.sip;

import java.text.ParseException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.error.SipStatus;

/**
 * Sends the final responses of server transactions (RFC 3261 §8.2.6): with a To tag and the Server
 * header, once, and with 500 when the gateway's answer fails or does not come in time.
 */
final class Responder {

    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    /**
     * The extra headers of a response that has none: {@link #respond} encodes such a response to a MESSAGE
     * over UDP from the request's headers directly ({@link MessageTransactions.Exchange#sendEncoded}).
     */
    static final ResponseAction<Response> NOTHING = r -> { };

    private final MessageFactory messages;
    private final ScheduledExecutorService scheduler;
    private final EdgeTimers timers;
    private final Header server;
    /** The Server header field as it is sent, with its CRLF. */
    private final String serverLine;

    Responder(MessageFactory messages, ScheduledExecutorService scheduler, EdgeTimers timers, Header server) {
        this.messages = messages;
        this.scheduler = scheduler;
        this.timers = timers;
        this.server = server;
        this.serverLine = server.toString();
    }

    /** {@link #whenAnswered(ServerReply, Request, String, Supplier, ResponseAction)} through JAIN-SIP's transaction. */
    <T> void whenAnswered(ServerTransaction st, Request request, String callId,
                          Supplier<CompletionStage<T>> call, ResponseAction<T> answer) {
        whenAnswered(ServerReply.of(st), request, callId, call, answer);
    }

    /** {@link #respond(ServerReply, Request, SipStatus, String, ResponseAction)} through JAIN-SIP's transaction. */
    void respond(ServerTransaction st, Request request, SipStatus status, String callId,
                 ResponseAction<Response> extra) {
        respond(ServerReply.of(st), request, status, callId, extra);
    }

    /**
     * Calls the handler and sends its answer once: when the stage completes, or 500 if the handler
     * throws, fails the stage, answers null or nothing within {@link EdgeTimers#handlerTimeout()}.
     */
    <T> void whenAnswered(ServerReply st, Request request, String callId,
                          Supplier<CompletionStage<T>> call, ResponseAction<T> answer) {
        String method = request.getMethod();
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            LOG.warn("{} handler threw callId={}", method, callId, e);
            respond(st, request, SipStatus.of(500), callId, NOTHING);
            return;
        }
        if (stage == null) {
            LOG.warn("{} handler returned no stage callId={}", method, callId);
            respond(st, request, SipStatus.of(500), callId, NOTHING);
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        ScheduledFuture<?> timeout = scheduler.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                LOG.warn("{} handler did not answer within {} ms callId={}", method,
                        timers.handlerTimeout().toMillis(), callId);
                respond(st, request, new SipStatus(500, "gateway timeout"), callId, NOTHING);
            }
        }, timers.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        stage.whenComplete((value, failure) -> {
            if (!answered.compareAndSet(false, true)) {
                LOG.debug("{} handler answered after the timeout callId={}", method, callId);
                return;
            }
            timeout.cancel(false);
            if (failure != null || value == null) {
                LOG.warn("{} handler failed callId={}", method, callId, failure);
                respond(st, request, SipStatus.of(500), callId, NOTHING);
                return;
            }
            try {
                answer.accept(value);
            } catch (ParseException | InvalidArgumentException | RuntimeException e) {
                LOG.warn("{} handler answer unusable callId={}", method, callId, e);
                respond(st, request, SipStatus.of(500), callId, NOTHING);
            }
        });
    }

    /**
     * Sends a final response with a To tag (§8.2.6.2) and the Server header. If the extra headers cannot
     * be built (a binding the stack cannot encode), a bare 500 goes instead; send failures are logged.
     */
    void respond(ServerReply st, Request request, SipStatus status, String callId,
                 ResponseAction<Response> extra) {
        if (extra == NOTHING && st instanceof MessageTransactions.Exchange exchange && exchange.datagram()) {
            try {
                exchange.sendEncoded(status.code(), RequestReader.reasonPhrase(status.reason()), tag(), serverLine);
                LOG.debug("{} answered {} callId={}", request.getMethod(), status.code(), callId);
            } catch (SipException | RuntimeException e) {
                LOG.warn("could not send {} to {} callId={}: {}", status.code(), LogText.safe(request.getMethod()),
                        callId, LogText.safe(e.getMessage()));
            }
            return;
        }
        Response response;
        try {
            response = response(request, status);
            extra.accept(response);
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("could not build {} response to {} callId={}: {}", status.code(),
                    LogText.safe(request.getMethod()), callId, LogText.safe(e.getMessage()));
            if (status.code() == 500) {
                st.abandon();
                return;
            }
            try {
                response = response(request, SipStatus.of(500));
            } catch (ParseException | RuntimeException again) {
                st.abandon();
                return;
            }
        }
        try {
            st.send(response);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} answered {} callId={}", LogText.safe(request.getMethod()), response.getStatusCode(),
                        callId);
            }
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("could not send {} to {} callId={}: {}", response.getStatusCode(),
                    LogText.safe(request.getMethod()), callId, LogText.safe(e.getMessage()));
        }
    }

    Response response(Request request, SipStatus status) throws ParseException {
        Response response = messages.createResponse(status.code(), request);
        response.setReasonPhrase(RequestReader.reasonPhrase(status.reason()));
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (to != null && to.getTag() == null) {
            to.setTag(tag());
        }
        response.addHeader(server);
        return response;
    }

    /** A fresh To tag (RFC 3261 §19.3: at least 32 bits of randomness). */
    private static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** A step that may throw the JAIN-SIP checked exceptions of building headers. */
    @FunctionalInterface
    interface ResponseAction<T> {
        void accept(T value) throws ParseException, InvalidArgumentException;
    }
}
