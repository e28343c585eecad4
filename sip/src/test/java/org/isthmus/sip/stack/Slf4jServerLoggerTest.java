package org.isthmus.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The wire trace leaves message bodies out unless the stack is told it may show them. */
class Slf4jServerLoggerTest {

    private static final String BODY = "the words of a private conversation";
    /** RFC 3428 §4's example MESSAGE, with another body. */
    private static final String MESSAGE = "MESSAGE sip:user2@domain.com SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: sip:user1@domain.com;tag=49583\r\n"
            + "To: sip:user2@domain.com\r\n"
            + "Call-ID: asd88asd77a@1.2.3.4\r\n"
            + "CSeq: 1 MESSAGE\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: " + BODY.length() + "\r\n"
            + "\r\n"
            + BODY;

    private final Logger wire = (Logger) LoggerFactory.getLogger(Slf4jServerLogger.LOGGER_NAME);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level before;

    @BeforeEach
    void capture() {
        before = wire.getLevel();
        wire.setLevel(Level.TRACE);
        lines.start();
        wire.addAppender(lines);
    }

    @AfterEach
    void release() {
        wire.detachAppender(lines);
        wire.setLevel(before);
    }

    private static SIPMessage message() throws Exception {
        return new StringMsgParser().parseSIPMessage(MESSAGE.getBytes(StandardCharsets.UTF_8), true, false, null);
    }

    private static Slf4jServerLogger logger(String logBodies) {
        Slf4jServerLogger logger = new Slf4jServerLogger();
        Properties p = new Properties();
        if (logBodies != null) {
            p.setProperty(Slf4jServerLogger.LOG_BODIES, logBodies);
        }
        logger.setStackProperties(p);
        return logger;
    }

    @Test
    void atTraceTheHeadersAreLoggedAndTheBodyOnlyByItsLength() throws Exception {
        logger(null).logMessage(message(), "192.0.2.1:5060/TCP", "192.0.2.2:5060/TCP", false, 0L);

        assertThat(lines.list).hasSize(1);
        String line = lines.list.get(0).getFormattedMessage();
        assertThat(line).contains("callId=asd88asd77a@1.2.3.4").contains("MESSAGE sip:user2@domain.com SIP/2.0")
                .contains("Content-Length: " + BODY.length())
                .contains("[body of " + BODY.length() + " bytes not logged; logging.log-bodies shows it]")
                .doesNotContain(BODY).doesNotContain("\n");
    }

    @Test
    void withLogBodiesTheWholeMessageIsLogged() throws Exception {
        logger("true").logMessage(message(), "192.0.2.1:5060/TCP", "192.0.2.2:5060/TCP", "200", true);

        assertThat(lines.list.get(0).getFormattedMessage()).contains(BODY).doesNotContain("not logged");
    }

    @Test
    void theStacksPerMessageLevelIsOffAtTheDefaultInfo() {
        Logger stack = (Logger) LoggerFactory.getLogger(Slf4jStackLogger.LOGGER_NAME);
        Logger wire = (Logger) LoggerFactory.getLogger(Slf4jServerLogger.LOGGER_NAME);
        Level stackWas = stack.getLevel();
        Level wireWas = wire.getLevel();
        stack.setLevel(Level.INFO);
        wire.setLevel(Level.INFO);
        try {
            Slf4jStackLogger logger = new Slf4jStackLogger();
            logger.setStackProperties(new Properties());
            assertThat(logger.isLoggingEnabled(Slf4jStackLogger.TRACE_INFO)).isFalse();
            assertThat(logger.isLoggingEnabled(Slf4jStackLogger.TRACE_WARN)).isTrue();
            wire.setLevel(Level.DEBUG);
            assertThat(logger.isLoggingEnabled(Slf4jStackLogger.TRACE_INFO)).isTrue();
            wire.setLevel(Level.INFO);
            stack.setLevel(Level.DEBUG);
            assertThat(logger.isLoggingEnabled(Slf4jStackLogger.TRACE_INFO)).isTrue();
        } finally {
            stack.setLevel(stackWas);
            wire.setLevel(wireWas);
        }
    }

    @Test
    void theStackLoggersDebugStaysOffWithoutLogBodies() {
        Logger stack = (Logger) LoggerFactory.getLogger(Slf4jStackLogger.LOGGER_NAME);
        Level was = stack.getLevel();
        stack.setLevel(Level.TRACE);
        try {
            Slf4jStackLogger off = new Slf4jStackLogger();
            off.setStackProperties(new Properties());
            assertThat(off.isLoggingEnabled(Slf4jStackLogger.TRACE_DEBUG)).isFalse();
            assertThat(off.isLoggingEnabled(Slf4jStackLogger.TRACE_ERROR)).isTrue();
            Slf4jStackLogger on = new Slf4jStackLogger();
            Properties p = new Properties();
            p.setProperty(Slf4jServerLogger.LOG_BODIES, "true");
            on.setStackProperties(p);
            assertThat(on.isLoggingEnabled(Slf4jStackLogger.TRACE_DEBUG)).isTrue();
        } finally {
            stack.setLevel(was);
        }
    }
}
