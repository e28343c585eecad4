package org.isthmus.mapping.document.imdn;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * An IMDN payload (RFC 5438 §11.1), holding what the schema of §11.1.9 allows: the IM's Message-ID and
 * DateTime, the optional recipient group, and at most one disposition.
 *
 * @param messageId            the Message-ID header of the IM the notification is about (§11.1.1)
 * @param dateTime             when that IM was sent, from its DateTime header (§11.1.2)
 * @param recipientUri         the final recipient (§11.1.3); the schema makes it and
 *                             {@code originalRecipientUri} appear together or not at all
 * @param originalRecipientUri the original recipient (§11.1.4), from the IM's Original-To if it had one
 * @param subject              one of the IM's subjects (§11.1.5); only with the recipients
 * @param disposition          the disposition reported (§11.1.6, §11.1.7); empty in the bare form the
 *                             schema also allows
 */
public record ImdnDocument(String messageId, String dateTime, Optional<String> recipientUri,
                           Optional<String> originalRecipientUri, Optional<String> subject,
                           Optional<Disposition> disposition) {

    /** The namespace of the payload's elements (RFC 5438 §11.1, §15.2). */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:imdn";
    /** The media type of the payload (RFC 5438 §11.1.8, §15.1). */
    public static final String MEDIA_TYPE = "message/imdn+xml";

    public ImdnDocument {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(recipientUri, "recipientUri");
        Objects.requireNonNull(originalRecipientUri, "originalRecipientUri");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(disposition, "disposition");
        Optional<String> error = check(messageId, dateTime, recipientUri, originalRecipientUri, subject);
        if (error.isPresent()) {
            throw new MappingException("invalid IMDN: " + error.get());
        }
    }

    /** The reason the parts do not make a document the schema accepts, if they don't. */
    static Optional<String> check(String messageId, String dateTime, Optional<String> recipientUri,
                                  Optional<String> originalRecipientUri, Optional<String> subject) {
        if (messageId.isBlank() || dateTime.isBlank()) {
            return Optional.of("<message-id> and <datetime> are required (RFC 5438 §11.1.1, §11.1.2)");
        }
        if (recipientUri.isPresent() != originalRecipientUri.isPresent()) {
            return Optional.of("<recipient-uri> and <original-recipient-uri> go together (RFC 5438 §11.1.9)");
        }
        if (subject.isPresent() && recipientUri.isEmpty()) {
            return Optional.of("<subject> only follows the recipients (RFC 5438 §11.1.9)");
        }
        for (String s : new String[] {messageId, dateTime, recipientUri.orElse(""), originalRecipientUri.orElse(""),
                subject.orElse("")}) {
            if (!isXmlText(s)) {
                return Optional.of("a character XML 1.0 cannot carry");
            }
        }
        return Optional.empty();
    }

    /** Whether every character is an XML 1.0 {@code Char} (§2.2), surrogates in pairs. */
    private static boolean isXmlText(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
            if (!ok) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
