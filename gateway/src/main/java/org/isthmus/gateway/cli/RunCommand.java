package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.ConfigException;
import org.isthmus.gateway.config.GatewayConfig;

/** {@code isthmus run}: loads and validates the configuration, starts the gateway, runs until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gateway until it is stopped (SIGINT/SIGTERM).")
final class RunCommand implements Callable<Integer> {

    /** Exit status for a configuration that fails validation. */
    static final int EXIT_CONFIG = 2;
    /** Exit status for a gateway that cannot start (e.g. the SIP port is taken). */
    static final int EXIT_START = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "conf/gateway.yaml",
            description = "The configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig cfg;
        try {
            cfg = GatewayConfig.load(config);
        } catch (ConfigException e) {
            err.println("isthmus: invalid configuration " + e.getMessage());
            err.flush();
            return EXIT_CONFIG;
        }
        Gateway gateway = new Gateway(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "isthmus-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            gateway.start();
        } catch (RuntimeException e) {
            err.println("isthmus: cannot start: " + e.getMessage());
            err.flush();
            Runtime.getRuntime().removeShutdownHook(hook);
            gateway.close();
            return EXIT_START;
        }
        stopped.await();
        return 0;
    }
}
