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
 * @param deferred             the gateway's CPU after the run's last arrival until it went idle (work the
 *                             run pushed past its window: transaction timers, expiring memories,
 *                             collections, compiles); {@link Deferred#NONE} when not measured
 */
record RunResult(String path, double offeredRate, int sent, int delivered, int lost, int duplicates, int errors,
        double deliveredRate, long p50Micros, long p99Micros, long maxMicros,
        double cpuMillisPer1000, double jitMillisPer1000, double gcMillisPer1000, double peerCpuMillisPer1000,
        Deferred deferred) {

    /**
     * A gateway's CPU from a run's end (last arrival + 0.4 s) until it was idle again.
     *
     * @param millisPer1000    all its threads (processes), per 1000 messages of the run
     * @param jitMillisPer1000 of that, the JIT compiler threads (NaN for Kamailio)
     * @param gcMillisPer1000  of that, the garbage collector threads (NaN for Kamailio)
     * @param seconds          how long it took to go idle, or the bound when it did not
     * @param settled          whether it went idle within the bound (else the figure is a lower bound)
     */
    record Deferred(double millisPer1000, double jitMillisPer1000, double gcMillisPer1000, double seconds,
            boolean settled) {
        static final Deferred NONE = new Deferred(Double.NaN, Double.NaN, Double.NaN, Double.NaN, true);

        boolean measured() {
            return !Double.isNaN(millisPer1000);
        }
    }

    /** A run without a deferred-CPU reading. */
    RunResult(String path, double offeredRate, int sent, int delivered, int lost, int duplicates, int errors,
            double deliveredRate, long p50Micros, long p99Micros, long maxMicros,
            double cpuMillisPer1000, double jitMillisPer1000, double gcMillisPer1000, double peerCpuMillisPer1000) {
        this(path, offeredRate, sent, delivered, lost, duplicates, errors, deliveredRate, p50Micros, p99Micros,
                maxMicros, cpuMillisPer1000, jitMillisPer1000, gcMillisPer1000, peerCpuMillisPer1000, Deferred.NONE);
    }

    RunResult withDeferred(Deferred measured) {
        return new RunResult(path, offeredRate, sent, delivered, lost, duplicates, errors, deliveredRate, p50Micros,
                p99Micros, maxMicros, cpuMillisPer1000, jitMillisPer1000, gcMillisPer1000, peerCpuMillisPer1000,
                measured);
    }

    /** CPU per 1000 messages in the run's window plus what it deferred (the window's alone when not measured). */
    double cpuWithDeferredPer1000() {
        return deferred.measured() ? cpuMillisPer1000 + deferred.millisPer1000() : cpuMillisPer1000;
    }

    /** The same without the JIT and GC threads. */
    double cpuWithoutJitAndGcPer1000() {
        double window = cpuMillisPer1000 - jitMillisPer1000 - gcMillisPer1000;
        return deferred.measured() && !Double.isNaN(deferred.jitMillisPer1000())
                ? window + deferred.millisPer1000() - deferred.jitMillisPer1000() - deferred.gcMillisPer1000()
                : window;
    }

    /**
     * The median of repeated runs of one path: every figure is the median of that figure over the runs
     * (the upper one of an even count), except the counts (sent, delivered, lost, duplicates, errors),
     * which are the runs' sums, and "settled", which holds only when every run settled.
     */
    static RunResult median(java.util.List<RunResult> runs) {
        if (runs.size() == 1) {
            return runs.get(0);
        }
        RunResult first = runs.get(0);
        Deferred deferred = first.deferred().measured()
                ? new Deferred(median(runs, r -> r.deferred().millisPer1000()),
                        median(runs, r -> r.deferred().jitMillisPer1000()),
                        median(runs, r -> r.deferred().gcMillisPer1000()),
                        median(runs, r -> r.deferred().seconds()),
                        runs.stream().allMatch(r -> r.deferred().settled()))
                : Deferred.NONE;
        return new RunResult(first.path(), first.offeredRate(),
                runs.stream().mapToInt(RunResult::sent).sum(), runs.stream().mapToInt(RunResult::delivered).sum(),
                runs.stream().mapToInt(RunResult::lost).sum(), runs.stream().mapToInt(RunResult::duplicates).sum(),
                runs.stream().mapToInt(RunResult::errors).sum(), median(runs, RunResult::deliveredRate),
                (long) median(runs, r -> r.p50Micros()), (long) median(runs, r -> r.p99Micros()),
                (long) median(runs, r -> r.maxMicros()), median(runs, RunResult::cpuMillisPer1000),
                median(runs, RunResult::jitMillisPer1000), median(runs, RunResult::gcMillisPer1000),
                median(runs, RunResult::peerCpuMillisPer1000), deferred);
    }

    private static double median(java.util.List<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }

    /** Nothing lost, and delivery kept up with the offer: at least 95 % of the offered rate. */
    boolean sustained() {
        return lost == 0 && deliveredRate >= 0.95 * offeredRate;
    }
}
