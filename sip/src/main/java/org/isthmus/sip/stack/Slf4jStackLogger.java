package org.isthmus.sip.stack;

import java.util.Properties;

import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's diagnostic log routed to SLF4J under the logger {@code gov.nist.javax.sip}, so that no
 * log4j is needed; its levels are the SLF4J logger's. The stack's DEBUG and TRACE print whole SIP
 * messages, bodies included, so they stay off unless the stack property
 * {@value Slf4jServerLogger#LOG_BODIES} is {@code true}, whatever the SLF4J level.
 */
public final class Slf4jStackLogger implements StackLogger {

    /** The SLF4J logger name for the stack's own diagnostics. */
    public static final String LOGGER_NAME = "gov.nist.javax.sip";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private volatile boolean logBodies;

    /** Created by JAIN-SIP from the {@code gov.nist.javax.sip.STACK_LOGGER} property. */
    public Slf4jStackLogger() {
    }

    @Override
    public void logStackTrace() {
        if (LOG.isTraceEnabled()) {
            LOG.trace("stack trace", new Throwable("stack trace"));
        }
    }

    @Override
    public void logStackTrace(int traceLevel) {
        logStackTrace();
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        LOG.error("JAIN-SIP exception", ex);
    }

    @Override
    public void logDebug(String message) {
        if (logBodies) {
            LOG.debug(message);
        }
    }

    @Override
    public void logDebug(String message, Exception ex) {
        if (logBodies) {
            LOG.debug(message, ex);
        }
    }

    @Override
    public void logTrace(String message) {
        if (logBodies) {
            LOG.trace(message);
        }
    }

    @Override
    public void logFatalError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message) {
        LOG.error(message);
    }

    @Override
    public void logError(String message, Exception ex) {
        LOG.error(message, ex);
    }

    @Override
    public void logWarning(String message) {
        LOG.warn(message);
    }

    @Override
    public void logInfo(String message) {
        LOG.info(message);
    }

    @Override
    public boolean isLoggingEnabled() {
        return LOG.isErrorEnabled();
    }

    /**
     * Maps JAIN-SIP's trace levels to SLF4J's. The stack asks for level 16 ({@code TRACE_MESSAGES}, the
     * same number as INFO) for every message it receives or sends, and when it is on builds text for
     * each (peer addresses, debug lines) before it hands the message to the wire logger: so that level
     * is on only when the wire logger logs anything or this logger is at DEBUG, not at the default INFO
     * (issue 7: the strings cost more than the rest of a message's logging). The stack's own INFO lines
     * show at DEBUG.
     */
    @Override
    public boolean isLoggingEnabled(int logLevel) {
        return switch (logLevel) {
            case TRACE_NONE -> false;
            case TRACE_FATAL, TRACE_ERROR -> LOG.isErrorEnabled();
            case TRACE_WARN -> LOG.isWarnEnabled();
            case TRACE_INFO -> LOG.isDebugEnabled() || Slf4jServerLogger.enabled();
            case TRACE_DEBUG -> logBodies && LOG.isDebugEnabled();
            default -> logBodies && LOG.isTraceEnabled();
        };
    }

    @Override
    public void disableLogging() {
        // Levels belong to the SLF4J configuration, not to the stack.
    }

    @Override
    public void enableLogging() {
        // Levels belong to the SLF4J configuration, not to the stack.
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        LOG.debug("JAIN-SIP build {}", buildTimeStamp);
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // No log files, no trace level of the stack's own: only whether its debug output may be shown.
        logBodies = Boolean.parseBoolean(stackProperties.getProperty(Slf4jServerLogger.LOG_BODIES, "false"));
    }

    @Override
    public String getLoggerName() {
        return LOGGER_NAME;
    }
}
