package org.isthmus.sip;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.sip.presence.DialogKey;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.sip.presence.SubscriptionDialog;
import org.isthmus.sip.presence.SubscriptionDialogCodec;

/**
 * A {@link SipHandler} that records what it is given and answers as the test says. By default it acts as a
 * gateway with a dialog store: subscriptions are accepted as pending and their dialogs kept as codec text;
 * refreshes of unknown dialogs get 481; NOTIFYs get 200.
 */
final class RecordingHandler implements SipHandler {

    final BlockingQueue<SipPagerMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<SipRegistration> registrations = new LinkedBlockingQueue<>();
    final BlockingQueue<SubscribeRequest> subscribes = new LinkedBlockingQueue<>();
    final BlockingQueue<NotifyRequest> notifies = new LinkedBlockingQueue<>();
    /** The gateway's dialog store, as the codec's text. */
    final Map<DialogKey, String> store = new ConcurrentHashMap<>();
    volatile Function<SipPagerMessage, CompletionStage<SipStatus>> onMessage = m -> done(SipStatus.of(202));
    volatile Function<SipRegistration, CompletionStage<RegisterOutcome>> onRegister =
            r -> done(RegisterOutcome.ok(r.bindings()));
    volatile Function<SubscribeRequest, CompletionStage<SubscribeDecision>> onSubscribe = this::storeAndAccept;
    volatile Function<NotifyRequest, CompletionStage<SipStatus>> onNotify = n -> done(SipStatus.of(200));

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

    @Override
    public CompletionStage<SubscribeDecision> onSubscribe(SubscribeRequest request) {
        subscribes.add(request);
        return onSubscribe.apply(request);
    }

    @Override
    public CompletionStage<SipStatus> onNotify(NotifyRequest request) {
        notifies.add(request);
        return onNotify.apply(request);
    }

    /** The store's dialog for {@code key}, read back through the codec. */
    Optional<SubscriptionDialog> stored(DialogKey key) {
        return Optional.ofNullable(store.get(key)).map(SubscriptionDialogCodec::parse);
    }

    void put(SubscriptionDialog dialog) {
        store.put(dialog.key(), SubscriptionDialogCodec.format(dialog));
    }

    /** New dialogs stored and accepted pending; in-dialog ones looked up (481 if absent), updated, pending. */
    CompletionStage<SubscribeDecision> storeAndAccept(SubscribeRequest request) {
        SubscriptionDialog dialog;
        if (request.created().isPresent()) {
            dialog = request.created().get();
        } else {
            Optional<SubscriptionDialog> stored = request.existing().flatMap(this::stored);
            if (stored.isEmpty()) {
                return done(SubscribeDecision.refuse(SipStatus.of(481)));
            }
            Optional<SubscriptionDialog> next = request.dialogFor(stored.get());
            if (next.isEmpty()) {
                return done(SubscribeDecision.refuse(SipStatus.of(500)));
            }
            dialog = next.get();
        }
        if (request.expires() == 0) {
            store.remove(dialog.key());
        } else {
            put(dialog);
        }
        return done(SubscribeDecision.accept(dialog, new SubscriptionState.Pending(java.util.OptionalLong.empty()),
                Optional.empty()));
    }

    SipPagerMessage awaitMessage(Duration timeout) throws InterruptedException {
        return await(messages, timeout, "MESSAGE");
    }

    SipRegistration awaitRegistration(Duration timeout) throws InterruptedException {
        return await(registrations, timeout, "REGISTER");
    }

    SubscribeRequest awaitSubscribe(Duration timeout) throws InterruptedException {
        return await(subscribes, timeout, "SUBSCRIBE");
    }

    NotifyRequest awaitNotify(Duration timeout) throws InterruptedException {
        return await(notifies, timeout, "NOTIFY");
    }

    private static <T> T await(BlockingQueue<T> queue, Duration timeout, String what) throws InterruptedException {
        T value = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (value == null) {
            throw new AssertionError("handler got no " + what + " within " + timeout);
        }
        return value;
    }

    void reset() {
        messages.clear();
        registrations.clear();
        subscribes.clear();
        notifies.clear();
        store.clear();
        onMessage = m -> done(SipStatus.of(202));
        onRegister = r -> done(RegisterOutcome.ok(r.bindings()));
        onSubscribe = this::storeAndAccept;
        onNotify = n -> done(SipStatus.of(200));
    }
}
