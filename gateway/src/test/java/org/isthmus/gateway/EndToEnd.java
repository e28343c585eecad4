package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import javax.sip.message.Request;
import javax.sip.message.Response;

import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/** The steps the loopback end-to-end tests share: the phone's requests, the XMPP side's stanzas, the links' state. */
public final class EndToEnd {

    static final Duration WAIT = Duration.ofSeconds(10);

    private EndToEnd() {
    }

    /**
     * A MESSAGE from {@code sip:bob@sip.test} on the phone, sent to the gateway on {@code sipPort} through a
     * loose route so that the Request-URI stays the XMPP user's.
     */
    static Request messageVia(TestUserAgent phone, int sipPort, String to, String contentType, byte[] body) {
        Request request = phone.message(to, "<sip:bob@sip.test>", "<" + to + ">", contentType, body);
        return phone.with(request, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
    }

    /** Registers the phone's contact as {@code user@sip.test} with the gateway's registrar; asserts the 200. */
    static Response register(TestUserAgent phone, int sipPort, String user) {
        Request register = phone.request(Request.REGISTER, "sip:127.0.0.1:" + sipPort,
                "<sip:" + user + "@sip.test>", "<sip:" + user + "@sip.test>");
        phone.with(register, "Contact", "<sip:" + user + "@127.0.0.1:" + phone.port() + ">");
        phone.with(register, "Expires", "300");
        Response r = phone.send(register, WAIT);
        assertThat(r.getStatusCode()).isEqualTo(200);
        return r;
    }

    /** Throws away the stanzas a scenario left unread. */
    static void drain(ComponentServer server) {
        while (server.poll(Duration.ofMillis(1)).isPresent()) {
            // Nothing to do with them.
        }
    }

    /** The first child with a local name, whatever its namespace (the stanza's or RFC 6120's stanza errors'). */
    static Optional<XmlElement> child(XmlElement parent, String name) {
        return parent.children().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Closes each of {@code resources} that was opened (is not null), in order, even when one fails. */
    public static void closeAll(AutoCloseable... resources) {
        AssertionError failure = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                if (failure == null) {
                    failure = new AssertionError("closing " + r + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits, at most 10 s, until {@link Gateway#isXmppUp()} is {@code up}. */
    static void awaitXmppUp(Gateway gateway, boolean up) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (gateway.isXmppUp() != up) {
            assertThat(System.nanoTime()).as("XMPP links up=%s within %s", up, WAIT).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
