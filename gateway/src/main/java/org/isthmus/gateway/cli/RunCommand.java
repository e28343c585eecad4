package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.logging.LogConfiguration;

/** {@code isthmus run}: loads and validates the configuration, starts the gateway, runs until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gateway until it is stopped (SIGINT/SIGTERM).")
final class RunCommand implements Callable<Integer> {

    /** Exit status for a configuration that fails validation. */
    static final int EXIT_CONFIG = ConfigFile.EXIT_INVALID;
    /** Exit status for a gateway that cannot start (e.g. the SIP port is taken). */
    static final int EXIT_START = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFile config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Optional<GatewayConfig> cfg = config.load(err);
        if (cfg.isEmpty()) {
            return EXIT_CONFIG;
        }
        LogConfiguration.install(cfg.get().logging());
        Gateway gateway = new Gateway(cfg.get());
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
