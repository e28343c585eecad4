package org.isthmus.xmpp.testing;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.xmpp.XmppHandler;

/**
 * An {@link XmppHandler} that queues every up-call it gets, for tests to take with a bounded wait:
 * {@code take…} fails the test when nothing comes in time, {@code poll…} returns null.
 */
public final class RecordingHandler implements XmppHandler {

    /**
     * A link state change.
     *
     * @param domain the domain whose link changed
     * @param up     whether it came up
     * @param reason the reason given
     */
    public record State(String domain, boolean up, String reason) {
    }

    private final BlockingQueue<XmppMessage> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<XmppPresence> presences = new LinkedBlockingQueue<>();
    private final BlockingQueue<XmppSubscription> subscriptions = new LinkedBlockingQueue<>();
    private final BlockingQueue<State> states = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(XmppMessage message) {
        messages.add(message);
    }

    @Override
    public void onPresence(XmppPresence presence) {
        presences.add(presence);
    }

    @Override
    public void onSubscription(XmppSubscription subscription) {
        subscriptions.add(subscription);
    }

    @Override
    public void onLinkStateChanged(String domain, boolean up, String reason) {
        states.add(new State(domain, up, reason));
    }

    /** The next message. */
    public XmppMessage takeMessage(Duration timeout) {
        return take(messages, timeout, "message");
    }

    /** The next message, or null. */
    public XmppMessage pollMessage(Duration timeout) {
        return poll(messages, timeout);
    }

    /** The next availability presence. */
    public XmppPresence takePresence(Duration timeout) {
        return take(presences, timeout, "presence");
    }

    /** The next availability presence, or null. */
    public XmppPresence pollPresence(Duration timeout) {
        return poll(presences, timeout);
    }

    /** The next subscription stanza or probe. */
    public XmppSubscription takeSubscription(Duration timeout) {
        return take(subscriptions, timeout, "subscription stanza");
    }

    /** The next subscription stanza or probe, or null. */
    public XmppSubscription pollSubscription(Duration timeout) {
        return poll(subscriptions, timeout);
    }

    /** The next link state change. */
    public State takeState(Duration timeout) {
        return take(states, timeout, "link state change");
    }

    /** The next link state change, or null. */
    public State pollState(Duration timeout) {
        return poll(states, timeout);
    }

    private static <T> T take(BlockingQueue<T> queue, Duration timeout, String what) {
        T value = poll(queue, timeout);
        if (value == null) {
            throw new AssertionError("no " + what + " within " + timeout);
        }
        return value;
    }

    private static <T> T poll(BlockingQueue<T> queue, Duration timeout) {
        try {
            return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
