package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.routing.AddressReport;

/**
 * {@code isthmus translate ADDRESS}: what a SIP-side address or a JID becomes under the configured
 * address rules ({@link AddressReport}), the way back, and the rule that applied. Exit
 * status 0 when the address maps, {@value #EXIT_REFUSED} when the rules refuse it, 2 when the address
 * or the configuration is not valid.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = {"Print what an address maps to under the configuration, in both directions, and the rule "
                + "that applied.",
                "ADDRESS is a SIP-side URI (sip:, sips:, tel:, im:, pres:) or a JID (optionally xmpp:)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the address maps, both ways", "1:the configuration refuses the address",
                "2:the address or the configuration is not valid"})
final class TranslateCommand implements Callable<Integer> {

    /** Exit status for an address the rules refuse. */
    static final int EXIT_REFUSED = 1;
    /** Exit status for an address that is neither a JID nor a URI of the SIP side. */
    static final int EXIT_INVALID = ConfigFile.EXIT_INVALID;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFile config;

    @Parameters(index = "0", paramLabel = "ADDRESS",
            description = "e.g. sip:bob@sip.test, tel:+15551234567, alice@xmpp.test, bob\\40sip.test@sip.xmpp.test")
    String address;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Optional<GatewayConfig> cfg = config.load(err);
        if (cfg.isEmpty()) {
            return ConfigFile.EXIT_INVALID;
        }
        AddressReport report = AddressReport.of(cfg.get().addresses(), address);
        if (report.verdict() == AddressReport.Verdict.INVALID) {
            err.println("isthmus: '" + address + "' " + report.problem().orElseThrow());
            err.flush();
            return EXIT_INVALID;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(report.normalized().orElseThrow());
        for (AddressReport.Row row : report.rows()) {
            out.printf("  %-12s %s%n", row.label().isEmpty() ? "" : row.label() + ":", row.value());
        }
        out.flush();
        return report.verdict() == AddressReport.Verdict.MAPS ? 0 : EXIT_REFUSED;
    }

    /** The scheme of URI text, as {@link AddressReport#scheme(String)} finds it. */
    static Optional<String> scheme(String text) {
        return AddressReport.scheme(text);
    }
}
