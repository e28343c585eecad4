package org.isthmus.xmpp.s2s;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.XmppHandler;

/** An {@link XmppHandler} that keeps the messages it is given, for a test to take with a bounded wait. */
final class Recorder implements XmppHandler {

    private final BlockingQueue<XmppMessage> messages = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(XmppMessage message) {
        messages.add(message);
    }

    @Override
    public void onLinkStateChanged(String domain, boolean up, String reason) {
        // Local domains go up at start and down at close; the tests look at messages.
    }

    XmppMessage take(Duration timeout) {
        XmppMessage m = poll(timeout);
        if (m == null) {
            throw new AssertionError("no message within " + timeout);
        }
        return m;
    }

    XmppMessage poll(Duration timeout) {
        try {
            return messages.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
