package org.isthmus.bench.load;

/**
 * The figures of one bounded run over one path at one offered rate.
 *
 * @param path                 e.g. "SIP→XMPP via Isthmus" or "SIPp→SIPp (ceiling)"
 * @param offeredRate          messages per second the sender was told to send
 * @param sent                 messages sent
 * @param delivered            distinct messages that arrived
 * @param lost                 sent minus delivered, when the run's drain time was up
 * @param duplicates           arrivals of a message already counted (retransmissions)
 * @param errors               bounces seen by the sender (error stanzas)
 * @param deliveredRate        delivered messages per second, first send to last arrival
 * @param p50Micros            median latency, send to arrival
 * @param p99Micros            99th percentile latency
 * @param maxMicros            largest latency
 * @param cpuMillisPer1000     Isthmus's CPU time (user + system) per 1000 sent messages; NaN without a gateway
 * @param jitMillisPer1000     of that, Isthmus's JIT compiler threads (still compiling: the warm-up was short)
 * @param gcMillisPer1000      of that, its garbage collector threads
 * @param peerCpuMillisPer1000 Prosody's, for comparison; NaN when no Prosody is on the path
 */
record RunResult(String path, double offeredRate, int sent, int delivered, int lost, int duplicates, int errors,
        double deliveredRate, long p50Micros, long p99Micros, long maxMicros,
        double cpuMillisPer1000, double jitMillisPer1000, double gcMillisPer1000, double peerCpuMillisPer1000) {

    /** Nothing lost, and delivery kept up with the offer: at least 95 % of the offered rate. */
    boolean sustained() {
        return lost == 0 && deliveredRate >= 0.95 * offeredRate;
    }
}
