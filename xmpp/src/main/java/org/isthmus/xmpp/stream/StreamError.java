package org.isthmus.xmpp.stream;

import java.util.Objects;
import java.util.Optional;

/**
 * A stream error (RFC 6120 §4.9): a defined condition and optional descriptive text.
 *
 * @param condition the defined condition (RFC 6120 §4.9.3)
 * @param text      the {@code <text/>} child, if any (RFC 6120 §4.9.2)
 */
public record StreamError(StreamErrorCondition condition, Optional<String> text) {
    public StreamError {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(text, "text");
    }

    /** An error with the given condition and text (null or empty for none). */
    public static StreamError of(StreamErrorCondition condition, String text) {
        return new StreamError(condition, Optional.ofNullable(text).filter(t -> !t.isEmpty()));
    }

    /**
     * The error element, with the {@code stream} prefix bound in the stream header (RFC 6120 §4.9.2).
     * It does not include the closing stream tag.
     */
    public String toXml() {
        StringBuilder sb = new StringBuilder(160);
        sb.append("<stream:error><").append(condition.elementName())
                .append(" xmlns='").append(Namespaces.STREAM_ERRORS).append("'/>");
        text.ifPresent(t -> {
            sb.append("<text xmlns='").append(Namespaces.STREAM_ERRORS).append("'>");
            XmlWriter.appendText(sb, t);
            sb.append("</text>");
        });
        return sb.append("</stream:error>").toString();
    }

    /**
     * The error a received {@code <stream:error/>} element carries, or empty if the element is not
     * one; an unknown or missing condition reads as {@code undefined-condition} (RFC 6120 §4.9.3.21).
     */
    public static Optional<StreamError> fromElement(XmlElement element) {
        if (!element.is(Namespaces.STREAMS, "error")) {
            return Optional.empty();
        }
        StreamErrorCondition condition = StreamErrorCondition.UNDEFINED_CONDITION;
        Optional<String> text = Optional.empty();
        for (XmlElement child : element.children()) {
            if (!child.namespace().equals(Namespaces.STREAM_ERRORS)) {
                continue;
            }
            if (child.name().equals("text")) {
                text = Optional.of(child.text());
            } else {
                condition = StreamErrorCondition.fromElementName(child.name())
                        .orElse(StreamErrorCondition.UNDEFINED_CONDITION);
            }
        }
        return Optional.of(new StreamError(condition, text));
    }

    @Override
    public String toString() {
        return condition.elementName() + text.map(t -> " (" + t + ")").orElse("");
    }
}
