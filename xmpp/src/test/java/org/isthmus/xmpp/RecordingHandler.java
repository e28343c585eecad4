package org.isthmus.xmpp;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.isthmus.mapping.message.XmppMessage;

/** An {@link XmppHandler} that queues what it is told, for tests to take with a bounded wait. */
final class RecordingHandler implements XmppHandler {

    /** A link state change. */
    record State(String domain, boolean up, String reason) {
    }

    private final BlockingQueue<XmppMessage> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<State> states = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(XmppMessage message) {
        messages.add(message);
    }

    @Override
    public void onLinkStateChanged(String domain, boolean up, String reason) {
        states.add(new State(domain, up, reason));
    }

    XmppMessage takeMessage(Duration timeout) {
        return take(messages, timeout, "message");
    }

    XmppMessage pollMessage(Duration timeout) {
        try {
            return messages.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    State takeState(Duration timeout) {
        return take(states, timeout, "link state change");
    }

    State pollState(Duration timeout) {
        try {
            return states.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static <T> T take(BlockingQueue<T> queue, Duration timeout, String what) {
        try {
            T value = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (value == null) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
