package org.isthmus.bench.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The driver's figures as Markdown tables, ready for bench/README.md: the fixed-rate runs, the ramp,
 * Isthmus against Kamailio's gateway when it ran (ratios), and issue 7's targets beside what was
 * measured.
 */
final class LoadReport {

    /** Issue 7's targets: CPU per 1000 messages, half of Kamailio's (78 and 116 ms). */
    static final double CPU_TARGET_SIP_TO_XMPP = 39;
    static final double CPU_TARGET_XMPP_TO_SIP = 58;
    static final double P99_TARGET_MILLIS = 10;
    static final int SUSTAINED_TARGET = 12_000;
    static final double START_TARGET_MILLIS = 2_000;

    private LoadReport() {
    }

    /**
     * @param fixed  per path, its fixed-rate figures: the median of {@code rounds} when it ran more than once
     * @param rounds per path, every fixed-rate run, in order
     */
    static String render(LoadOptions options, List<RunResult> fixed, Map<String, List<RunResult>> rounds,
            Map<String, List<RunResult>> ramps,
            double startToReadyMillis, double firstLineToReadyMillis, double idleBefore, double idleAfter,
            double sessionSeconds, int processors, String kamailioNote) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "### Fixed rate: %d messages each way at %d/s%s (%d processors, session %.0f s)%n%n",
                options.messages(), options.rate(), options.repeat() > 1 ? ", median of " + options.repeat() + " runs" : "",
                processors, sessionSeconds));
        fixedTable(out, fixed);
        if (options.repeat() > 1) {
            out.append("\nDelivered and lost: all runs of the path together; every other figure: the median of the"
                    + " runs (each figure on its own). Each run, in the order they ran (every path once per round):\n\n");
            List<RunResult> each = new java.util.ArrayList<>();
            for (int round = 0; round < options.repeat(); round++) {
                for (List<RunResult> runs : rounds.values()) {
                    if (round < runs.size()) {
                        RunResult r = runs.get(round);
                        each.add(new RunResult(r.path() + ", run " + (round + 1), r.offeredRate(), r.sent(), r.delivered(),
                                r.lost(), r.duplicates(), r.errors(), r.deliveredRate(), r.p50Micros(), r.p99Micros(),
                                r.maxMicros(), r.cpuMillisPer1000(), r.jitMillisPer1000(), r.gcMillisPer1000(),
                                r.peerCpuMillisPer1000(), r.deferred()));
                    }
                }
            }
            fixedTable(out, each);
        }
        if (fixed.stream().anyMatch(r -> r.deferred().measured())) {
            out.append(String.format(Locale.ROOT, "%nDeferred: the gateway's CPU from the run's end (last arrival + 0.4 s)"
                    + " over %d s and then until a 2 s window showed at most %d ms per second (at most %d s more; \"not"
                    + " idle\" when that bound came first), less its idle rate (the quietest 2 s window) over that time,"
                    + " per 1000 of the run's messages, with the seconds it took: the work a run pushes past its window"
                    + " (transaction timers, collections, compiles; the late-error memory's 2 minutes are not waited"
                    + " for). \"With deferred\" adds it to the window's figure; issue 7's CPU targets below are checked"
                    + " on that sum.%n", options.settleSeconds(), options.settledMillisPerSecond(),
                    LoadDriver.SETTLE_EXTRA_SECONDS));
        }
        double fixedCeiling = fixed.stream()
                .filter(r -> r.path().equals(LoadDriver.SIPP_CEILING) || r.path().equals(LoadDriver.XMPP_CEILING))
                .mapToDouble(RunResult::deliveredRate).min().orElse(Double.NaN);
        out.append(String.format(Locale.ROOT, "%nIsthmus idle, no messages: %.1f ms CPU per second before the"
                + " runs, %.1f after (included in every run's CPU figure: at %d/s that is %.1f ms per 1000)%n",
                idleBefore, idleAfter, options.rate(), idleAfter * 1000 / options.rate()));
        out.append(kamailioNote.isEmpty() ? "" : "\nKamailio: " + kamailioNote + "\n");
        out.append("\nGateway CPU: the gateway's utime + stime from /proc, all its threads (Isthmus) or all its"
                + " processes (Kamailio), per 1000 messages sent.\n");
        out.append(String.format(Locale.ROOT, "%nEach gateway's delivered rate as a fraction of the ceiling (the slower"
                + " of the two no-gateway paths, %.0f/s): ", fixedCeiling));
        out.append(String.join(", ", fixed.stream().filter(r -> !Double.isNaN(r.cpuMillisPer1000()))
                .map(r -> String.format(Locale.ROOT, "%s %.3f", r.path(), r.deliveredRate() / fixedCeiling)).toList()));
        out.append("\n");

        Optional<Integer> sipSustained = Optional.empty();
        Optional<Integer> xmppSustained = Optional.empty();
        Map<String, Integer> sustainedByPath = new java.util.HashMap<>();
        java.util.Set<String> toppedPaths = new java.util.HashSet<>();
        if (!ramps.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n### Ramp: %s messages/s, %d s each, stop at the first loss or"
                    + " delivery below 95 %% of the offer%n%n", options.ramp(), options.stepSeconds()));
            out.append("| path | steps (offered/s: delivered/s, lost, p99 ms) | highest sustained /s |\n|---|---|---:|\n");
            for (Map.Entry<String, List<RunResult>> path : ramps.entrySet()) {
                List<String> steps = path.getValue().stream().map(s -> String.format(Locale.ROOT, "%.0f: %.0f, %d, %.1f%s",
                        s.offeredRate(), s.deliveredRate(), s.lost(), s.p99Micros() / 1e3, s.sustained() ? "" : " ✗")).toList();
                int sustained = highestSustained(path.getValue());
                sustainedByPath.put(path.getKey(), sustained);
                boolean topped = path.getValue().size() == options.ramp().size() && path.getValue().get(path.getValue().size() - 1).sustained();
                if (topped) {
                    toppedPaths.add(path.getKey());
                }
                out.append(String.format(Locale.ROOT, "| %s | %s | %s%d |%n", path.getKey(), String.join("; ", steps),
                        topped ? "≥ " : "", sustained));
                if (path.getKey().equals(LoadDriver.SIP_TO_XMPP)) {
                    sipSustained = Optional.of(sustained);
                } else if (path.getKey().equals(LoadDriver.XMPP_TO_SIP)) {
                    xmppSustained = Optional.of(sustained);
                }
            }
            int ceiling = Math.min(highestSustained(ramps.getOrDefault(LoadDriver.SIPP_CEILING, List.of())),
                    highestSustained(ramps.getOrDefault(LoadDriver.XMPP_CEILING, List.of())));
            out.append(String.format(Locale.ROOT, "%nHighest sustained rate as a fraction of the ceiling (%d/s, the"
                    + " slower no-gateway path): SIP→XMPP %.2f, XMPP→SIP %.2f", ceiling,
                    sipSustained.orElse(0) / (double) ceiling, xmppSustained.orElse(0) / (double) ceiling));
            if (sustainedByPath.containsKey(LoadDriver.KAMAILIO_SIP_TO_XMPP)) {
                out.append(String.format(Locale.ROOT, "; via Kamailio SIP→XMPP %.2f, XMPP→SIP %.2f",
                        sustainedByPath.get(LoadDriver.KAMAILIO_SIP_TO_XMPP) / (double) ceiling,
                        sustainedByPath.getOrDefault(LoadDriver.KAMAILIO_XMPP_TO_SIP, 0) / (double) ceiling));
            }
            out.append("\n");
        }

        Optional<RunResult> kamailioSip = find(fixed, LoadDriver.KAMAILIO_SIP_TO_XMPP);
        Optional<RunResult> kamailioXmpp = find(fixed, LoadDriver.KAMAILIO_XMPP_TO_SIP);
        if (kamailioSip.isPresent() || kamailioXmpp.isPresent()) {
            out.append(String.format(Locale.ROOT, "%n### Isthmus / Kamailio: the same work through Kamailio's xmpp"
                    + " module, same run (%d messages at %d/s%s)%n%n", options.messages(), options.rate(),
                    ramps.isEmpty() ? "" : "; sustained from the ramp"));
            out.append("| direction | CPU ms/1000 Isthmus | Kamailio | Isthmus / Kamailio | p99 ms Isthmus | Kamailio"
                    + " | Isthmus / Kamailio | sustained /s Isthmus | Kamailio | Isthmus / Kamailio |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            ratioRow(out, "SIP→XMPP", find(fixed, LoadDriver.SIP_TO_XMPP), kamailioSip,
                    sustainedByPath, toppedPaths, LoadDriver.SIP_TO_XMPP, LoadDriver.KAMAILIO_SIP_TO_XMPP);
            ratioRow(out, "XMPP→SIP", find(fixed, LoadDriver.XMPP_TO_SIP), kamailioXmpp,
                    sustainedByPath, toppedPaths, LoadDriver.XMPP_TO_SIP, LoadDriver.KAMAILIO_XMPP_TO_SIP);
            out.append("\nCPU: per 1000 messages, with the deferred work when it was measured. CPU and p99: below 1 Isthmus spends less / is faster (issue 7's CPU target is at most"
                    + " 0.5). Sustained: above 1 Isthmus carries more. A p99 ratio counts only when neither lost"
                    + " anything, and CPU is per message sent: a gateway that lost messages did less work. A"
                    + " sustained rate marked ≥ reached the top of the ramp.\n");
        }

        out.append("\n### Issue 7's targets\n\n| target | measured | met |\n|---|---|---|\n");
        for (RunResult r : fixed) {
            if (r.path().equals(LoadDriver.SIP_TO_XMPP) || r.path().equals(LoadDriver.XMPP_TO_SIP)) {
                double cpuTarget = r.path().equals(LoadDriver.SIP_TO_XMPP) ? CPU_TARGET_SIP_TO_XMPP : CPU_TARGET_XMPP_TO_SIP;
                out.append(String.format(Locale.ROOT, "| %s CPU ≤ %.0f ms/1000 | %.1f ms%s (%.1f without JIT and GC threads) | %s |%n",
                        r.path(), cpuTarget, r.cpuWithDeferredPer1000(),
                        r.deferred().measured() ? String.format(Locale.ROOT, ", of it %.1f deferred%s",
                                r.deferred().millisPer1000(), r.deferred().settled() ? "" : " (not idle at the bound)") : "",
                        r.cpuWithoutJitAndGcPer1000(), yes(r.cpuWithDeferredPer1000() <= cpuTarget)));
                out.append(String.format(Locale.ROOT, "| %s p99 ≤ %.0f ms at %.0f/s, nothing lost | %.2f ms, %d lost | %s |%n",
                        r.path(), P99_TARGET_MILLIS, r.offeredRate(), r.p99Micros() / 1e3, r.lost(),
                        yes(r.p99Micros() / 1e3 <= P99_TARGET_MILLIS && r.lost() == 0)));
            }
        }
        for (Optional<RunResult> k : List.of(kamailioSip, kamailioXmpp)) {
            k.ifPresent(kr -> find(fixed, kr.path().equals(LoadDriver.KAMAILIO_SIP_TO_XMPP)
                    ? LoadDriver.SIP_TO_XMPP : LoadDriver.XMPP_TO_SIP).ifPresent(ir -> out.append(String.format(Locale.ROOT,
                    "| %s CPU ≤ half of Kamailio's, measured in this run (%s ms/1000) | %s ms, %s of Kamailio's | %s |%n",
                    ir.path(), number(kr.cpuWithDeferredPer1000()), number(ir.cpuWithDeferredPer1000()),
                    ratio(ir.cpuWithDeferredPer1000(), kr.cpuWithDeferredPer1000()),
                    yes(ir.cpuWithDeferredPer1000() <= kr.cpuWithDeferredPer1000() / 2)))));
        }
        sipSustained.ifPresent(s -> out.append(String.format(Locale.ROOT, "| SIP→XMPP sustained ≥ %d/s | %d/s | %s |%n",
                SUSTAINED_TARGET, s, yes(s >= SUSTAINED_TARGET))));
        xmppSustained.ifPresent(s -> out.append(String.format(Locale.ROOT, "| XMPP→SIP sustained ≥ %d/s | %d/s | %s |%n",
                SUSTAINED_TARGET, s, yes(s >= SUSTAINED_TARGET))));
        out.append(String.format(Locale.ROOT, "| start to ready ≤ 2 s | %.0f ms (%.0f ms from the first log line) | %s |%n",
                startToReadyMillis, firstLineToReadyMillis, yes(startToReadyMillis <= START_TARGET_MILLIS)));
        return out.toString();
    }

    /** The fixed-rate table: one row a run (or a path's median). */
    private static void fixedTable(StringBuilder out, List<RunResult> runs) {
        boolean deferred = runs.stream().anyMatch(r -> r.deferred().measured());
        out.append("| path | offered /s | delivered | lost | delivered /s | p50 ms | p99 ms | max ms"
                + " | gateway CPU ms/1000 | of it JIT | of it GC |"
                + (deferred ? " deferred ms/1000 (JIT, GC; s to idle) | with deferred |" : "") + " Prosody CPU ms/1000 |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (deferred ? "---:|---:|" : "") + "---:|\n");
        for (RunResult r : runs) {
            String deferredColumns = !deferred ? "" : !r.deferred().measured() ? " – | – |"
                    : String.format(Locale.ROOT, " %s (%s, %s; %.0f s%s) | %s |", number(r.deferred().millisPer1000()),
                            number(r.deferred().jitMillisPer1000()), number(r.deferred().gcMillisPer1000()),
                            r.deferred().seconds(), r.deferred().settled() ? "" : ", not idle",
                            number(r.cpuWithDeferredPer1000()));
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %d/%d | %d | %.0f | %.2f | %.2f | %.2f | %s | %s | %s |%s %s |%n",
                    r.path(), r.offeredRate(), r.delivered(), r.sent(), r.lost(), r.deliveredRate(),
                    r.p50Micros() / 1e3, r.p99Micros() / 1e3, r.maxMicros() / 1e3,
                    number(r.cpuMillisPer1000()), number(r.jitMillisPer1000()), number(r.gcMillisPer1000()),
                    deferredColumns, number(r.peerCpuMillisPer1000())));
        }
    }

    private static Optional<RunResult> find(List<RunResult> runs, String path) {
        return runs.stream().filter(r -> r.path().equals(path)).findFirst();
    }

    private static void ratioRow(StringBuilder out, String direction, Optional<RunResult> isthmus,
            Optional<RunResult> kamailio, Map<String, Integer> sustained, java.util.Set<String> topped,
            String isthmusPath, String kamailioPath) {
        if (isthmus.isEmpty() || kamailio.isEmpty()) {
            return;
        }
        Integer isthmusSustained = sustained.get(isthmusPath);
        Integer kamailioSustained = sustained.get(kamailioPath);
        RunResult i = isthmus.get();
        RunResult k = kamailio.get();
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f%s | %.2f%s | %s | %s | %s | %s |%n", direction,
                number(i.cpuWithDeferredPer1000()), number(k.cpuWithDeferredPer1000()),
                ratio(i.cpuWithDeferredPer1000(), k.cpuWithDeferredPer1000()),
                i.p99Micros() / 1e3, lostNote(i), k.p99Micros() / 1e3, lostNote(k),
                i.lost() == 0 && k.lost() == 0 ? ratio(i.p99Micros(), k.p99Micros()) : "–",
                isthmusSustained == null ? "–" : (topped.contains(isthmusPath) ? "≥ " : "") + isthmusSustained,
                kamailioSustained == null ? "–" : (topped.contains(kamailioPath) ? "≥ " : "") + kamailioSustained,
                isthmusSustained == null || kamailioSustained == null ? "–" : ratio(isthmusSustained, kamailioSustained)));
    }

    private static String lostNote(RunResult r) {
        return r.lost() == 0 ? "" : " (" + r.lost() + " lost)";
    }

    /** a / b to two decimals, "–" when either is missing or b is zero. */
    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static int highestSustained(List<RunResult> steps) {
        int best = 0;
        for (RunResult step : steps) {
            if (!step.sustained()) {
                break;
            }
            best = (int) step.offeredRate();
        }
        return best;
    }

    static String number(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }
}
