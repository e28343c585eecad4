package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

import picocli.CommandLine.Option;

import org.isthmus.gateway.config.ConfigException;
import org.isthmus.gateway.config.GatewayConfig;

/** The {@code --config} option of the commands that read the configuration, and its loading. */
final class ConfigFile {

    /** Exit status for a configuration that fails validation, the same for every command. */
    static final int EXIT_INVALID = 2;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "conf/gateway.yaml",
            description = "The configuration file (default: ${DEFAULT-VALUE}).")
    Path path;

    /**
     * The validated configuration; empty after writing every problem to {@code err} with its YAML
     * path, as {@code isthmus: invalid configuration FILE: N problem(s): ...}.
     */
    Optional<GatewayConfig> load(PrintWriter err) {
        try {
            return Optional.of(GatewayConfig.load(path));
        } catch (ConfigException e) {
            err.println("isthmus: invalid configuration " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
    }
}
