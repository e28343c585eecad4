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

    private final MessageFactory messages;
    private final ScheduledExecutorService scheduler;
    private final EdgeTimers timers;
    private final Header server;

    Responder(MessageFactory messages, ScheduledExecutorService scheduler, EdgeTimers timers, Header server) {
        this.messages = messages;
        this.scheduler = scheduler;
        this.timers = timers;
        this.server = server;
    }

    /**
     * Calls the handler and sends its answer once: when the stage completes, or 500 if the handler
     * throws, fails the stage, answers null or nothing within {@link EdgeTimers#handlerTimeout()}.
     */
    <T> void whenAnswered(ServerTransaction st, Request request, String callId,
                                  Supplier<CompletionStage<T>> call, ResponseAction<T> answer) {
        String method = request.getMethod();
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            LOG.warn("{} handler threw callId={}", method, callId, e);
            respond(st, request, SipStatus.of(500), callId, r -> { });
            return;
        }
        if (stage == null) {
            LOG.warn("{} handler returned no stage callId={}", method, callId);
            respond(st, request, SipStatus.of(500), callId, r -> { });
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        ScheduledFuture<?> timeout = scheduler.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                LOG.warn("{} handler did not answer within {} ms callId={}", method,
                        timers.handlerTimeout().toMillis(), callId);
                respond(st, request, new SipStatus(500, "gateway timeout"), callId, r -> { });
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
                respond(st, request, SipStatus.of(500), callId, r -> { });
                return;
            }
            try {
                answer.accept(value);
            } catch (ParseException | InvalidArgumentException | RuntimeException e) {
                LOG.warn("{} handler answer unusable callId={}", method, callId, e);
                respond(st, request, SipStatus.of(500), callId, r -> { });
            }
        });
    }

    /**
     * Sends a final response with a To tag (§8.2.6.2) and the Server header. If the extra headers cannot
     * be built (a binding the stack cannot encode), a bare 500 goes instead; send failures are logged.
     */
    void respond(ServerTransaction st, Request request, SipStatus status, String callId,
                         ResponseAction<Response> extra) {
        Response response;
        try {
            response = response(request, status);
            extra.accept(response);
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("could not build {} response to {} callId={}: {}", status.code(),
                    LogText.safe(request.getMethod()), callId, LogText.safe(e.getMessage()));
            if (status.code() == 500) {
                return;
            }
            try {
                response = response(request, SipStatus.of(500));
            } catch (ParseException | RuntimeException again) {
                return;
            }
        }
        try {
            st.sendResponse(response);
            LOG.debug("{} answered {} callId={}", LogText.safe(request.getMethod()), response.getStatusCode(),
                    callId);
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
            to.setTag(Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
        }
        response.addHeader(server);
        return response;
    }


    /** A step that may throw the JAIN-SIP checked exceptions of building headers. */
    @FunctionalInterface
    interface ResponseAction<T> {
        void accept(T value) throws ParseException, InvalidArgumentException;
    }
}
