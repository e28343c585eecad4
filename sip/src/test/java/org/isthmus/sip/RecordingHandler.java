package org.isthmus.sip;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SipPagerMessage;

/** A {@link SipHandler} that records what it is given and answers as the test says. */
final class RecordingHandler implements SipHandler {

    final BlockingQueue<SipPagerMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<SipRegistration> registrations = new LinkedBlockingQueue<>();
    volatile Function<SipPagerMessage, CompletionStage<SipStatus>> onMessage = m -> done(SipStatus.of(202));
    volatile Function<SipRegistration, CompletionStage<RegisterOutcome>> onRegister =
            r -> done(RegisterOutcome.ok(r.bindings()));

    static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public CompletionStage<SipStatus> onMessage(SipPagerMessage message) {
        messages.add(message);
        return onMessage.apply(message);
    }

    @Override
    public CompletionStage<RegisterOutcome> onRegister(SipRegistration registration) {
        registrations.add(registration);
        return onRegister.apply(registration);
    }

    SipPagerMessage awaitMessage(Duration timeout) throws InterruptedException {
        SipPagerMessage m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("handler got no MESSAGE within " + timeout);
        }
        return m;
    }

    SipRegistration awaitRegistration(Duration timeout) throws InterruptedException {
        SipRegistration r = registrations.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("handler got no REGISTER within " + timeout);
        }
        return r;
    }

    void reset() {
        messages.clear();
        registrations.clear();
        onMessage = m -> done(SipStatus.of(202));
        onRegister = r -> done(RegisterOutcome.ok(r.bindings()));
    }
}
