package org.isthmus.gateway.logging;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Optional;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import org.isthmus.gateway.config.LoggingSettings;

/**
 * The logback configuration of a running gateway: at start, the format {@code logging.format} asks
 * for ({@code json} loads the built-in {@code logback-json.xml} beside this class, the same as
 * {@code conf/logback-json.xml}); on SIGHUP ({@code systemctl reload isthmus}), the same configuration
 * read again, so that a level changed in the file takes effect without a restart. A file given with
 * {@code -Dlogback.configurationFile} is the operator's choice: it decides the format, and it is the
 * file read again.
 */
public final class LogConfiguration {

    /** The system property with which logback is told its configuration file. */
    static final String CONFIGURATION_FILE = "logback.configurationFile";

    private final LoggingSettings settings;

    private LogConfiguration(LoggingSettings settings) {
        this.settings = settings;
    }

    /**
     * Applies {@code settings.format()} (nothing to do for text, the built-in default) and reloads the
     * configuration on each SIGHUP from then on; {@code isthmus run} later takes SIGHUP over for the
     * whole configuration and calls {@link #reload()} from its own handler.
     *
     * @return the installed configuration, for {@link #reload()}
     */
    public static LogConfiguration install(LoggingSettings settings) {
        LogConfiguration configuration = new LogConfiguration(settings);
        Logger log = LoggerFactory.getLogger(LogConfiguration.class);
        Optional<String> file = Optional.ofNullable(System.getProperty(CONFIGURATION_FILE));
        if (settings.format() == LoggingSettings.Format.JSON) {
            if (file.isPresent()) {
                log.info("logging.format: json is left to -D{}={}, which decides the format", CONFIGURATION_FILE,
                        file.get());
            } else if (configuration.load()) {
                log.info("logging in JSON lines (logging.format: json)");
            }
        }
        // Without a handler the JVM takes SIGHUP for a request to exit.
        Signal.handle(new Signal("HUP"), signal -> configuration.reload());
        return configuration;
    }

    /** Reads the logging configuration again (on SIGHUP), and says so. */
    public void reload() {
        if (load()) {
            LoggerFactory.getLogger(LogConfiguration.class).info("SIGHUP: logging configuration reloaded from {}",
                    source());
        }
    }

    /** Where the configuration comes from: the operator's file, or the built-in one for the format. */
    private URL source() {
        String file = System.getProperty(CONFIGURATION_FILE);
        if (file != null) {
            try {
                return file.contains(":") && !file.startsWith("/") ? new URL(file) : Path.of(file).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException("-D" + CONFIGURATION_FILE + " is not a file or URL: " + file, e);
            }
        }
        return settings.format() == LoggingSettings.Format.JSON ? LogConfiguration.class.getResource("logback-json.xml")
                : LogConfiguration.class.getResource("/logback.xml");
    }

    /** Configures logback from {@link #source()}; false (with the reason logged) when it cannot. */
    private boolean load() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            LoggerFactory.getLogger(LogConfiguration.class).warn("logging is configured by {}, not logback; "
                    + "logging.format and reloading on SIGHUP need logback", factory.getClass().getName());
            return false;
        }
        URL url;
        try {
            url = source();
        } catch (IllegalStateException e) {
            LoggerFactory.getLogger(LogConfiguration.class).warn("logging configuration not reloaded: {}",
                    e.getMessage());
            return false;
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        try {
            configurator.doConfigure(url);
            return true;
        } catch (JoranException e) {
            // logback has printed its status lines to stdout; what it could read still applies.
            LoggerFactory.getLogger(LogConfiguration.class).warn("logging configuration {} has errors: {}", url,
                    e.getMessage());
            return false;
        }
    }
}
