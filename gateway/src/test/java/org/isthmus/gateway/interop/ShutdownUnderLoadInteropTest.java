package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, on the load harness of issue 9: during a load run both ways, {@code /metrics} on the admin
 * port shows the message counters moving, and SIGTERM (graceful shutdown) followed by a restart loses
 * no message whose sender was told success: what was in flight is finished or failed with an error to
 * its sender, what comes while the gateway stops is refused (SIP 503, XMPP remote-server-timeout), and
 * nothing arrives twice.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShutdownUnderLoadInteropTest {

    private static final int MESSAGES = 3_000;
    private static final int RATE = 100;

    @Test
    void metricsMoveDuringALoadRunAndSigtermLosesNoAcceptedMessage() {
        try (LoadRun run = LoadRun.start("sigterm", MESSAGES, RATE)) {
            run.startTraffic();
            List<double[]> samples = new ArrayList<>();
            for (int second = 3; second <= 9; second += 3) {
                run.at(second);
                samples.add(counters(run));
            }
            run.at(12);
            int status = run.terminateAndRestartGateway(Duration.ofSeconds(20));
            run.awaitQuiet(Duration.ofSeconds(90));

            LoadLedger sipToXmpp = run.sipToXmpp();
            LoadLedger xmppToSip = run.xmppToSip();
            StringBuilder report = new StringBuilder(sipToXmpp.report()).append(xmppToSip.report());
            for (int i = 0; i < samples.size(); i++) {
                report.append(String.format("/metrics at +%ds: sip_to_xmpp accepted %.0f, xmpp_to_sip delivered %.0f%n",
                        3 * (i + 1), samples.get(i)[0], samples.get(i)[1]));
            }
            report.append("exit status after SIGTERM: ").append(status).append('\n')
                    .append("work directory: ").append(run.directory());
            System.out.println(report);

            for (int i = 1; i < samples.size(); i++) {
                assertThat(samples.get(i)[0]).as("sip_to_xmpp accepted moves\n" + report).isGreaterThan(samples.get(i - 1)[0]);
                assertThat(samples.get(i)[1]).as("xmpp_to_sip delivered moves\n" + report).isGreaterThan(samples.get(i - 1)[1]);
            }
            // The JVM's exit status for SIGTERM once the shutdown hook has run: 128 + 15.
            assertThat(status).as(report.toString()).isEqualTo(143);
            for (LoadLedger ledger : List.of(sipToXmpp, xmppToSip)) {
                assertThat(ledger.count(LoadLedger.Category.LOST)).as(report.toString()).isZero();
                assertThat(ledger.count(LoadLedger.Category.NO_ANSWER)).as(report.toString()).isZero();
                assertThat(ledger.count(LoadLedger.Category.DUPLICATED)).as(report.toString()).isZero();
                // The gateway is away for a few seconds (drain, exit, start): what came then was refused.
                assertThat(ledger.count(LoadLedger.Category.DELIVERED)).as(report.toString())
                        .isGreaterThan(MESSAGES / 2);
                assertThat(ledger.count(LoadLedger.Category.REFUSED)).as(report.toString()).isPositive();
            }
        }
    }

    /** The two message counters from {@code /metrics}: {sip_to_xmpp accepted, xmpp_to_sip delivered}. */
    private static double[] counters(LoadRun run) {
        String metrics = run.admin("/metrics").filter(r -> r.statusCode() == 200).map(HttpResponse::body)
                .orElseThrow(() -> new AssertionError("no /metrics from the admin port"));
        return new double[] {
            sample(metrics, Map.of("direction", "sip_to_xmpp", "outcome", "accepted")),
            sample(metrics, Map.of("direction", "xmpp_to_sip", "outcome", "delivered"))};
    }

    /** The sum of the {@code isthmus_messages_total} samples whose labels include {@code labels}. */
    private static double sample(String metrics, Map<String, String> labels) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("isthmus_messages_total{")) {
                continue;
            }
            String labelText = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}'));
            boolean all = labels.entrySet().stream()
                    .allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
