package org.isthmus.mapping.document.imdn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The examples of RFC 5438 as the RFC prints them (indent removed, CRLF line ends, page breaks taken
 * out), and the repair they need: the RFC writes the encapsulated object's Content-type straight after
 * the message headers, without the blank line RFC 3862 §2 puts between the two.
 */
public final class Rfc5438Examples {

    /** §7.1.1.3: an IM asking for positive and negative delivery notifications. */
    public static final String IM_REQUEST = "rfc5438_s7_1_1_3_example.txt";
    /** §7.2.1.1: a delivery notification. */
    public static final String DELIVERY = "rfc5438_s7_2_1_1_example.txt";
    /** §7.2.1.2: a display notification. */
    public static final String DISPLAY = "rfc5438_s7_2_1_2_example.txt";
    /** §8.1: a processing notification, with the Message/CPIM object's own MIME header. */
    public static final String PROCESSING = "rfc5438_s8_1_example.txt";

    private Rfc5438Examples() {
    }

    /** The example as printed. */
    public static byte[] verbatim(String name) {
        try (InputStream in = Rfc5438Examples.class.getResourceAsStream("/imdn/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example with the blank line RFC 3862 §2 requires before the encapsulated object. */
    public static byte[] repaired(String name) {
        String text = new String(verbatim(name), StandardCharsets.UTF_8);
        return text.replaceFirst("\r\nContent-type: ", "\r\n\r\nContent-type: ")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The XML payload of a notification example. */
    public static byte[] payload(String name) {
        String text = new String(verbatim(name), StandardCharsets.UTF_8);
        return text.substring(text.indexOf("<?xml")).getBytes(StandardCharsets.UTF_8);
    }
}
