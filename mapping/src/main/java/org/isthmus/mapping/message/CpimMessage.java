package org.isthmus.mapping.message;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.ImUri;

/**
 * The neutral instant message of CPIM (RFC 3860 §4.1, RFC 3862): source, destination, the text and
 * the attributes both protocols can carry (RFC 7572 Tables 1 and 2).
 *
 * @param from    the source address
 * @param to      the destination address
 * @param body    the message text (Unicode)
 * @param lang    the language of the text, if declared
 * @param subject the subject, if any
 * @param thread  the conversation identifier (XMPP {@code <thread/>}, SIP Call-ID), if any
 */
public record CpimMessage(ImUri from, ImUri to, String body, Optional<String> lang, Optional<String> subject,
                          Optional<String> thread) {
    public CpimMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(lang, "lang");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(thread, "thread");
    }
}
