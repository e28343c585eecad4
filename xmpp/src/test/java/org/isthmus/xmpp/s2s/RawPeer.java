package org.isthmus.xmpp.s2s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-driven plain TCP peer for hostile and spoofing tests: writes raw XML and reads until a
 * piece of text arrives; everything read is kept.
 */
final class RawPeer implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final StringBuilder received = new StringBuilder();
    private boolean closedByPeer;

    RawPeer(InetSocketAddress address) {
        try {
            socket = new Socket();
            socket.connect(address, 2000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(String xml) {
        try {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the bytes; false when the peer closed the connection first. */
    boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads until {@code text} has arrived; fails the test on timeout or close before it. */
    String awaitText(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.indexOf(text) < 0) {
            if (!readSome(deadline)) {
                throw new AssertionError("did not receive '" + text + "'; got: " + received);
            }
        }
        return received.toString();
    }

    /** The first value of attribute {@code name} in what was received after {@code after}. */
    String attribute(String after, String name) {
        int from = received.indexOf(after);
        Matcher m = Pattern.compile("\\s" + name + "=['\"]([^'\"]*)['\"]").matcher(received.substring(Math.max(0, from)));
        if (!m.find()) {
            throw new AssertionError("no " + name + " after " + after + " in " + received);
        }
        return m.group(1);
    }

    /** Reads until the peer closes the connection; true if it did within the timeout. */
    boolean awaitClose(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closedByPeer) {
            if (!readSome(deadline) && !closedByPeer) {
                return false;
            }
        }
        return true;
    }

    String received() {
        return received.toString();
    }

    private boolean readSome(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closedByPeer) {
            return false;
        }
        try {
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            byte[] buffer = new byte[8192];
            int n = in.read(buffer);
            if (n < 0) {
                closedByPeer = true;
                return false;
            }
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            closedByPeer = true;
            return false;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }
}
