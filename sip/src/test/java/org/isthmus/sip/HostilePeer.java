package org.isthmus.sip;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the bounds tests send as a hostile SIP peer, and how they see the edge hang up (issue 9). */
final class HostilePeer {

    private HostilePeer() {
    }

    /** {@code count} short header fields, each ending in CRLF. */
    static String headers(int count) {
        StringBuilder sb = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++) {
            sb.append("X:").append(i % 10).append("\r\n");
        }
        return sb.toString();
    }

    /** A Subject header field of {@code bytes} bytes of value. */
    static String longSubject(int bytes) {
        return "Subject: " + "a".repeat(bytes) + "\r\n";
    }

    /** Writes {@code text} in 4 KiB pieces until done or the edge closes the connection. */
    static void writeUntilClosed(Socket socket, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < bytes.length; i += 4096) {
                out.write(bytes, i, Math.min(4096, bytes.length - i));
            }
            out.flush();
        } catch (IOException closed) {
            // The edge closed the connection before the request was all out: expected for endless input.
        }
    }

    /**
     * Starts a daemon thread that writes {@code text} one byte a second, until done, the edge closes the
     * connection, or the thread is interrupted.
     */
    static Thread trickle(Socket socket, String text) {
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < text.length(); i++) {
                    out.write(text.charAt(i));
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // The edge hung up, or the test ended.
            }
        });
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    /** Whether the edge closes the connection within {@code wait}; what it sends meanwhile is skipped. */
    static boolean closedByEdge(Socket socket, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            try {
                if (socket.getInputStream().read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    /** The heap in use after three requests for a collection. */
    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
