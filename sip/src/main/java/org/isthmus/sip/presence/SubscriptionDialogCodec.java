package org.isthmus.sip.presence;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.SipException;

/**
 * The stored form of a {@link SubscriptionDialog}: one line of UTF-8 text, versioned, for the gateway's
 * state store (DESIGN.md "Dialogs are ours"). Version 1 is fifteen fields separated by {@code |}:
 *
 * <pre>
 * SD1|role|callId|localTag|remoteTag|localUri|remoteUri|remoteTarget|route,route,...|localCseq|remoteCseq|event|eventId|expiresAt|secure
 * </pre>
 *
 * <p>{@code role} is {@code N} (notifier) or {@code S} (subscriber); URIs are in {@link SipUri#toString()}
 * form; {@code eventId} is empty when absent; {@code expiresAt} is ISO-8601 ({@link Instant#toString()});
 * {@code secure} is {@code 0} or {@code 1}. In every field {@code %}, {@code |}, {@code ,} and ASCII
 * control characters are percent-encoded; other characters stay as they are. A later version gets a new prefix; {@link #parse} reads
 * every version it knows.
 */
public final class SubscriptionDialogCodec {

    /** The prefix of the current version. */
    public static final String VERSION_1 = "SD1";

    /** The longest text {@link #parse} reads; a real dialog is a few hundred characters. */
    public static final int MAX_LENGTH = 16 * 1024;

    private static final int FIELDS = 15;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SubscriptionDialogCodec() {
    }

    /** The text form of {@code dialog}, in the current version. */
    public static String format(SubscriptionDialog dialog) {
        List<String> routes = new ArrayList<>();
        for (SipUri route : dialog.routeSet()) {
            routes.add(encode(route.toString()));
        }
        return String.join("|", VERSION_1,
                dialog.role() == SubscriptionDialog.Role.NOTIFIER ? "N" : "S",
                encode(dialog.callId()), encode(dialog.localTag()), encode(dialog.remoteTag()),
                encode(dialog.localUri().toString()), encode(dialog.remoteUri().toString()),
                encode(dialog.remoteTarget().toString()), String.join(",", routes),
                Long.toString(dialog.localCseq()), Long.toString(dialog.remoteCseq()),
                encode(dialog.event()), encode(dialog.eventId().orElse("")), dialog.expiresAt().toString(),
                dialog.secure() ? "1" : "0");
    }

    /** {@link #format} as UTF-8 bytes. */
    public static byte[] toBytes(SubscriptionDialog dialog) {
        return format(dialog).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads UTF-8 bytes written by {@link #toBytes}. */
    public static SubscriptionDialog fromBytes(byte[] bytes) {
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Reads a dialog written by {@link #format}.
     *
     * @throws SipException naming the field, if the text is not a dialog of a known version (the store
     *                      holds only what the gateway wrote, so this is corruption, not peer input)
     */
    public static SubscriptionDialog parse(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            throw new SipException("stored dialog missing or longer than " + MAX_LENGTH + " characters");
        }
        String[] f = text.split("\\|", -1);
        if (!f[0].equals(VERSION_1)) {
            throw new SipException("stored dialog of unknown version: " + abbreviate(f[0]));
        }
        if (f.length != FIELDS) {
            throw new SipException("stored dialog has " + f.length + " fields, version 1 has " + FIELDS);
        }
        SubscriptionDialog.Role role = switch (f[1]) {
            case "N" -> SubscriptionDialog.Role.NOTIFIER;
            case "S" -> SubscriptionDialog.Role.SUBSCRIBER;
            default -> throw new SipException("stored dialog field role: " + abbreviate(f[1]));
        };
        List<SipUri> routes = new ArrayList<>();
        if (!f[8].isEmpty()) {
            for (String route : f[8].split(",", -1)) {
                routes.add(uri(route, "routeSet"));
            }
        }
        String eventId = decode(f[12], "eventId");
        try {
            return new SubscriptionDialog(role, decode(f[2], "callId"), decode(f[3], "localTag"),
                    decode(f[4], "remoteTag"), uri(f[5], "localUri"), uri(f[6], "remoteUri"),
                    uri(f[7], "remoteTarget"), routes, number(f[9], "localCseq"), number(f[10], "remoteCseq"),
                    decode(f[11], "event"), eventId.isEmpty() ? Optional.empty() : Optional.of(eventId),
                    instant(f[13]), secure(f[14]));
        } catch (SipException e) {
            throw new SipException("stored dialog invalid: " + e.getMessage(), e);
        }
    }

    private static SipUri uri(String field, String name) {
        Mapped<SipUri> parsed = SipUri.parse(decode(field, name));
        if (parsed instanceof Mapped.Ok<SipUri> ok) {
            return ok.value();
        }
        throw new SipException("stored dialog field " + name + " is not a SIP URI");
    }

    private static long number(String field, String name) {
        if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new SipException("stored dialog field " + name + " is not a number: " + abbreviate(field));
        }
        return Long.parseLong(field);
    }

    private static Instant instant(String field) {
        try {
            return Instant.parse(field);
        } catch (DateTimeParseException e) {
            throw new SipException("stored dialog field expiresAt: " + abbreviate(field), e);
        }
    }

    private static boolean secure(String field) {
        return switch (field) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new SipException("stored dialog field secure: " + abbreviate(field));
        };
    }

    static String encode(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // Only ASCII characters are escaped, so each escape decodes back to one char.
            if (c == '%' || c == '|' || c == ',' || c < 0x20 || c == 0x7f) {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String decode(String field, String name) {
        if (field.indexOf('%') < 0) {
            return field;
        }
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i + 2 >= field.length()) {
                throw new SipException("stored dialog field " + name + " has a truncated escape");
            }
            int hi = Character.digit(field.charAt(i + 1), 16);
            int lo = Character.digit(field.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new SipException("stored dialog field " + name + " has a bad escape");
            }
            sb.append((char) (hi << 4 | lo));
            i += 2;
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 40 ? sb + "..." : sb.toString();
    }
}
