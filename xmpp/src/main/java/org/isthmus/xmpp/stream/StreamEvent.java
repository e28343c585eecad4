package org.isthmus.xmpp.stream;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What {@link XmppStreamDecoder} reads from an XML stream (RFC 6120 §4): one of four kinds. */
public sealed interface StreamEvent {

    /**
     * The peer's stream header (RFC 6120 §4.7).
     *
     * @param attributes       the header's attributes ({@code from}, {@code to}, {@code id},
     *                         {@code version}, {@code xml:lang}, ...)
     * @param contentNamespace the default namespace the header declares (RFC 6120 §4.8.2), empty if none
     */
    record Open(Map<String, String> attributes, String contentNamespace) implements StreamEvent {
        public Open {
            Objects.requireNonNull(attributes, "attributes");
            Objects.requireNonNull(contentNamespace, "contentNamespace");
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }

        /** The value of a header attribute, if present. */
        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }

    /**
     * A complete first-level child of the stream: a stanza or a stream-level element such as
     * {@code <handshake/>} or {@code <stream:error/>} (RFC 6120 §4.1).
     *
     * @param element the element tree
     */
    record Element(XmlElement element) implements StreamEvent {
        public Element {
            Objects.requireNonNull(element, "element");
        }
    }

    /** The peer's closing stream tag (RFC 6120 §4.4). */
    record Close() implements StreamEvent {
    }

    /**
     * The input broke XML or XMPP's restrictions; the decoder reads nothing more, and the stream must
     * be closed with this error (RFC 6120 §4.9.1.1).
     *
     * @param error the stream error to send
     */
    record Failure(StreamError error) implements StreamEvent {
        public Failure {
            Objects.requireNonNull(error, "error");
        }
    }
}
