package org.isthmus.sip.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Reading text from a raw test socket with a bounded wait, for tests that play hostile peers. */
public final class SocketText {

    private SocketText() {
    }

    /** Reads until {@code text} has arrived; fails the test after {@code wait} or on a close before it. */
    public static String readUntil(Socket socket, String text, Duration wait) throws IOException {
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + wait.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (received.indexOf(text) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("did not receive '" + text.strip() + "'; got: " + received);
            }
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new AssertionError("closed before '" + text.strip() + "'; got: " + received);
            }
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return received.toString();
    }
}
