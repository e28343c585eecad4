package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.isthmus.gateway.config.ConfigException;
import org.isthmus.gateway.config.ConfigProblem;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.xmpp.s2s.S2sSettings;

/**
 * {@code isthmus check-config}: validates the configuration file, then checks what it depends on, as
 * {@code prosodyctl check} does: the TLS certificates, the XMPP servers and SIP next hops, the state
 * store and, for federation, DNS. One line per check; the exit status is the worst verdict.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate the configuration, then check what it depends on: TLS certificates (files, dates, "
                + "names), the XMPP servers and SIP next hops (TCP connect), the state store and, for federation with "
                + "xmpp.s2s.dns, the SRV records peers look up.",
                "Prints one line per check: OK, SKIP (not checked, and why), WARN or FAIL, with the fix."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every check passed (or was skipped)", "1:warnings, no failures",
                "2:the configuration file is not valid (nothing else is checked)", "3:at least one check failed"})
final class CheckConfigCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_WARNINGS = 1;
    static final int EXIT_INVALID = ConfigFile.EXIT_INVALID;
    static final int EXIT_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFile config;

    @Option(names = "--no-dns", description = "Do not look up the SRV records federation needs (host names in the "
            + "configuration are still resolved to connect to them).")
    boolean noDns;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3",
            description = "How long each connection or DNS lookup may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
        }
        GatewayConfig cfg;
        try {
            cfg = GatewayConfig.load(config.path);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                out.println(Check.Status.FAIL + " " + p.describe());
            }
            out.println(config.path + ": " + e.problems().size() + " problem(s) in the file; fix them, then run "
                    + "check-config again to check the rest");
            out.flush();
            return EXIT_INVALID;
        }
        List<Check> checks = new ArrayList<>();
        checks.add(Check.ok("config", config.path + " is valid"));
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        TlsChecks tls = new TlsChecks(Instant.now());
        cfg.s2s().ifPresent(s -> s.tls().ifPresent(t -> checks.addAll(tls.s2s(t, s.localDomains()))));
        cfg.sip().tls().ifPresent(t -> checks.addAll(tls.sip(t, cfg.xmppDomains())));
        NetworkChecks network = new NetworkChecks(timeout);
        checks.addAll(network.components(cfg.components()));
        cfg.s2s().ifPresent(s -> checks.addAll(network.s2sPeers(s)));
        checks.addAll(network.sipRoutes(cfg.routes(), cfg.defaultRoute()));
        checks.add(new StoreChecks(timeout).check(cfg.store()));
        Optional<S2sSettings> s2s = cfg.s2s();
        if (s2s.isPresent()) {
            if (!s2s.get().dnsLookups()) {
                checks.add(Check.skip("dns", "SRV records not checked: xmpp.s2s.dns is false"));
            } else if (noDns) {
                checks.add(Check.skip("dns", "SRV records not checked: --no-dns"));
            } else {
                checks.addAll(network.srv(cfg, s2s.get(), SrvLookup.system(cfg.sip().dns().servers(), timeout)));
            }
        }
        Map<Check.Status, Integer> counts = new EnumMap<>(Check.Status.class);
        for (Check c : checks) {
            out.println(c.line());
            counts.merge(c.status(), 1, Integer::sum);
        }
        out.printf("%d checks: %d OK, %d skipped, %d warning(s), %d failure(s)%n", checks.size(),
                counts.getOrDefault(Check.Status.OK, 0), counts.getOrDefault(Check.Status.SKIP, 0),
                counts.getOrDefault(Check.Status.WARN, 0), counts.getOrDefault(Check.Status.FAIL, 0));
        out.flush();
        if (counts.containsKey(Check.Status.FAIL)) {
            return EXIT_FAILED;
        }
        return counts.containsKey(Check.Status.WARN) ? EXIT_WARNINGS : EXIT_OK;
    }
}
