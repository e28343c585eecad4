package org.isthmus.mapping.document.imdn;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Writes an {@link ImdnDocument} as a {@code message/imdn+xml} payload (RFC 5438 §11.1): UTF-8 with an
 * XML declaration, the IMDN namespace as the default one, the elements in the order of the schema of
 * §11.1.9, one per line as the examples of §7.2.1 show them. The document was checked when it was
 * made, so writing cannot fail.
 */
public final class ImdnWriter {

    private ImdnWriter() {
    }

    /** The payload as UTF-8 bytes. */
    public static byte[] write(ImdnDocument document) {
        return toXml(document).getBytes(StandardCharsets.UTF_8);
    }

    /** The payload as XML text, with an XML declaration naming UTF-8. */
    public static String toXml(ImdnDocument d) {
        StringBuilder out = new StringBuilder(400);
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imdn xmlns=\"").append(ImdnDocument.NAMESPACE)
                .append("\">\n");
        element(out, "message-id", Optional.of(d.messageId()));
        element(out, "datetime", Optional.of(d.dateTime()));
        element(out, "recipient-uri", d.recipientUri());
        element(out, "original-recipient-uri", d.originalRecipientUri());
        element(out, "subject", d.subject());
        d.disposition().ifPresent(disposition -> {
            String type = disposition.type().elementName();
            out.append("  <").append(type).append(">\n    <status>\n      <")
                    .append(disposition.state().elementName()).append("/>\n    </status>\n  </")
                    .append(type).append(">\n");
        });
        out.append("</imdn>\n");
        return out.toString();
    }

    private static void element(StringBuilder out, String name, Optional<String> value) {
        if (value.isEmpty()) {
            return;
        }
        out.append("  <").append(name).append('>');
        String s = value.get();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // XML 1.0 §2.4 for the markup characters; §2.11 would turn a literal CR into LF on reading.
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\r' -> out.append("&#13;");
                default -> out.append(c);
            }
        }
        out.append("</").append(name).append(">\n");
    }
}
