package org.isthmus.sip;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The edge's own time limits, apart from the transaction timers of RFC 3261 §17.
 *
 * @param handlerTimeout  how long a MESSAGE or REGISTER waits for the handler before the edge answers
 *                        500 itself (a non-INVITE client gives up after 64*T1 = 32 s, §17.1.2.2)
 * @param outboundSafety  how long a sent MESSAGE waits for any outcome before its future completes
 *                        with 408, in case the stack never reports one
 * @param retransmitT1    T1 for sent requests, and for Timer J of received MESSAGEs, if not the stack's 500 ms (tests use a short one so a
 *                        timeout takes 64*T1 of a few seconds)
 * @param tcpReadTimeout  how long a TCP peer may pause in the middle of a message before the edge closes
 *                        the connection, so a slow sender cannot hold a connection (and its thread) forever
 */
record EdgeTimers(Duration handlerTimeout, Duration outboundSafety, Optional<Duration> retransmitT1,
                  Duration tcpReadTimeout) {

    /** 10 s for the handler, 35 s for a sent MESSAGE, the stack's own T1, 10 s between TCP reads. */
    static final EdgeTimers DEFAULT = new EdgeTimers(Duration.ofSeconds(10), Duration.ofSeconds(35), Optional.empty(),
            Duration.ofSeconds(10));

    EdgeTimers {
        Objects.requireNonNull(handlerTimeout, "handlerTimeout");
        Objects.requireNonNull(outboundSafety, "outboundSafety");
        Objects.requireNonNull(retransmitT1, "retransmitT1");
        Objects.requireNonNull(tcpReadTimeout, "tcpReadTimeout");
    }
}
