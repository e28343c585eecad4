package org.isthmus.sip.stack;

import java.util.Properties;

import javax.sip.SipStack;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's message trace routed to SLF4J under the logger {@code org.isthmus.sip.wire}: at DEBUG one
 * line per message sent or received (first line, peer, Call-ID), at TRACE the whole message with
 * control characters escaped so that peer-supplied text cannot forge log lines. The body is left out
 * (its length is given) unless the stack property {@value #LOG_BODIES} is {@code true}: a trace turned
 * on to find a fault must not record what people wrote.
 */
public final class Slf4jServerLogger implements ServerLogger {

    /** The SLF4J logger name for the wire trace. */
    public static final String LOGGER_NAME = "org.isthmus.sip.wire";

    /** Longest message text logged at TRACE; the rest is cut. */
    private static final int MAX_TRACE_CHARS = 8192;

    /** The stack property that lets the trace show message bodies ({@code true} or {@code false}). */
    public static final String LOG_BODIES = "org.isthmus.sip.LOG_BODIES";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private volatile boolean logBodies;

    /** Created by JAIN-SIP from the {@code gov.nist.javax.sip.SERVER_LOGGER} property. */
    public Slf4jServerLogger() {
    }

    static boolean enabled() {
        return LOG.isDebugEnabled();
    }

    @Override
    public void closeLogFile() {
        // No file.
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        log(message, from, to, null, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        log(message, from, to, status, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        log(message, from, to, status, sender);
    }

    private void log(SIPMessage message, String from, String to, String status, boolean sender) {
        if (!LOG.isDebugEnabled() || message == null) {
            return;
        }
        String direction = sender ? "sent" : "received";
        String peer = sender ? to : from;
        String callId = message.getCallId() == null ? "-" : message.getCallId().getCallId();
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} peer={} callId={} status={} message={}", direction, escape(peer), escape(callId),
                    status == null ? "-" : escape(status), escape(logBodies ? message.encode() : withoutBody(message)));
        } else {
            LOG.debug("{} peer={} callId={} {}", direction, escape(peer), escape(callId),
                    escape(message.getFirstLine()));
        }
    }

    /** The start line and headers, and the body's length in place of the body (RFC 3261 §7). */
    static String withoutBody(SIPMessage message) {
        String text = message.encode();
        int end = text.indexOf("\r\n\r\n");
        byte[] body = message.getRawContent();
        if (end < 0 || body == null || body.length == 0) {
            return text;
        }
        return text.substring(0, end + 4) + "[body of " + body.length + " bytes not logged; logging.log-bodies shows it]";
    }

    /** Escapes CR, LF and other control characters and caps the length. */
    static String escape(String text) {
        if (text == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_TRACE_CHARS) + 16);
        for (int i = 0; i < text.length() && i < MAX_TRACE_CHARS; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (text.length() > MAX_TRACE_CHARS) {
            sb.append("...(").append(text.length()).append(" chars)");
        }
        return sb.toString();
    }

    @Override
    public void logException(Exception ex) {
        LOG.debug("transport exception", ex);
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // Levels come from the SLF4J configuration; only whether bodies may be shown comes from here.
        logBodies = Boolean.parseBoolean(stackProperties.getProperty(LOG_BODIES, "false"));
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        // Not needed: each message carries what is logged.
    }
}
