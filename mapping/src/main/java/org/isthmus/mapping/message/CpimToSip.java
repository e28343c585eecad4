package org.isthmus.mapping.message;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;

/** From the neutral message to a SIP MESSAGE: RFC 7572 §4 (Table 1) and §8. */
public final class CpimToSip {

    private CpimToSip() {
    }

    /**
     * The MESSAGE for a neutral message: From is the sender's address of record with its instance as
     * the {@code gr} parameter (RFC 7572 Table 1 note 1), the body UTF-8 {@code text/plain}, the
     * thread the Call-ID when it is a valid one (RFC 3261 §25.1 {@code callid}).
     */
    public static SipPagerMessage translate(CpimMessage message) {
        SipUri from = message.from().toSip();
        SipUri to = message.to().toSip();
        Optional<String> callId = message.thread().filter(CpimToSip::isCallId);
        return new SipPagerMessage(from, to, to, callId, MediaType.TEXT_PLAIN_UTF8,
                message.body().getBytes(StandardCharsets.UTF_8), message.lang(),
                message.subject().map(CpimToSip::headerSafe));
    }

    /** RFC 3261 §25.1: {@code callid = word [ "@" word ]}. */
    static boolean isCallId(String s) {
        if (s.isEmpty() || s.length() > 256) {
            return false;
        }
        int at = s.indexOf('@');
        return at != 0 && at != s.length() - 1 && s.indexOf('@', at + 1) < 0
                && s.chars().allMatch(c -> c == '@' || isWordChar(c));
    }

    private static boolean isWordChar(int c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || "-.!%*_+`'~()<>:\\\"/[]?{}".indexOf(c) >= 0);
    }

    /** Header values may not hold CR or LF (RFC 3261 §7.3.1); other control characters become spaces too. */
    static String headerSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
        return sb.toString();
    }
}
