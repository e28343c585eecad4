package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.ConfigException;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.logging.LogConfiguration;

/**
 * {@code isthmus run}: loads and validates the configuration, starts the gateway, runs until stopped.
 * SIGHUP re-reads the logging configuration ({@link LogConfiguration}) and the configuration file: a
 * valid one has its partner policy, limits and SIP trust applied at once (see {@link Gateway#reload});
 * an invalid one is logged with every problem and the running configuration stays.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gateway until it is stopped (SIGINT/SIGTERM). SIGHUP reloads the configuration.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

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
        LogConfiguration logs = LogConfiguration.install(cfg.get().logging());
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
        // One handler for both: the logging configuration, then the gateway's own.
        onHangup(() -> {
            logs.reload();
            reload(gateway);
        });
        stopped.await();
        return 0;
    }

    /** Re-reads and validates the file; applies it only when it is valid as a whole. */
    private void reload(Gateway gateway) {
        LOG.info("SIGHUP: reloading {}", config.path);
        GatewayConfig next;
        try {
            next = GatewayConfig.load(config.path);
        } catch (ConfigException e) {
            LOG.error("configuration reload refused, the running configuration stays: {}", e.getMessage());
            gateway.reloadRefused();
            return;
        }
        try {
            gateway.reload(next);
        } catch (RuntimeException e) {
            LOG.error("configuration reload failed: {}", e.toString(), e);
        }
    }

    /**
     * Runs {@code action} on each SIGHUP (sun.misc.Signal, in jdk.unsupported on JDK 17); where the
     * platform has no SIGHUP, says that a reload needs a restart there.
     */
    private static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException e) {
            LOG.warn("no SIGHUP on this platform ({}); a configuration change needs a restart", e.getMessage());
        }
    }
}
