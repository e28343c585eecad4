package org.isthmus.mapping.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.AddressMapping;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.document.cpim.MimeHeader;

/** From the neutral message to a SIP MESSAGE: RFC 7572 §4 (Table 1), §6 and §8. */
public final class CpimToSip {

    private CpimToSip() {
    }

    /**
     * The MESSAGE for a neutral message, with only its primary body ({@link MultilingualBodies#PRIMARY_ONLY}):
     * From is the sender's address of record with its instance as the {@code gr} parameter (RFC 7572
     * Table 1 note 1), the body UTF-8 {@code text/plain} with its Content-Language, the subject in that
     * language the Subject, the thread the Call-ID when it is a valid one (RFC 3261 §25.1 {@code callid}).
     */
    public static SipPagerMessage translate(CpimMessage message, AddressMapping addresses) {
        return translate(message, addresses, MultilingualBodies.PRIMARY_ONLY, Integer.MAX_VALUE);
    }

    /**
     * The MESSAGE for a neutral message, its bodies carried as {@code languages} says.
     *
     * @param message      the neutral message
     * @param addresses    the address rules (a number goes out as {@code user=phone})
     * @param languages    what to do with bodies in several languages (RFC 7572 §8)
     * @param maxBodyBytes the largest MESSAGE body to build; a multipart body above it falls back to the
     *                     primary body, which the caller has already held to its limit (RFC 7572 §6)
     */
    public static SipPagerMessage translate(CpimMessage message, AddressMapping addresses, MultilingualBodies languages,
                                            int maxBodyBytes) {
        SipUri from = addresses.toSipUri(message.from());
        SipUri to = addresses.toSipUri(message.to());
        Optional<String> callId = message.thread().filter(CpimToSip::isCallId);
        Optional<String> subject = message.subject().map(CpimToSip::headerSafe);
        if (languages == MultilingualBodies.MULTIPART_ALTERNATIVE && message.bodies().size() > 1) {
            List<MimeEntity> parts = new ArrayList<>();
            List<LocalizedText> bodies = new ArrayList<>(message.bodies().subList(1, message.bodies().size()));
            // RFC 2046 §5.1.4: the last alternative is the preferred one.
            bodies.add(message.bodies().get(0));
            for (LocalizedText b : bodies) {
                List<MimeHeader> headers = new ArrayList<>();
                headers.add(new MimeHeader("Content-Type", MediaType.TEXT_PLAIN_UTF8.toString()));
                b.lang().ifPresent(l -> headers.add(new MimeHeader("Content-Language", l)));
                parts.add(new MimeEntity(headers, b.text().getBytes(StandardCharsets.UTF_8)));
            }
            String boundary = Multipart.boundaryFor(parts);
            byte[] body = Multipart.join(parts, boundary);
            if (body.length <= maxBodyBytes) {
                String langs = message.bodies().stream().flatMap(b -> b.lang().stream()).collect(Collectors.joining(", "));
                return new SipPagerMessage(from, to, to, callId,
                        new MediaType("multipart", "alternative", Map.of("boundary", boundary)), body,
                        langs.isEmpty() ? Optional.empty() : Optional.of(langs), subject);
            }
        }
        return new SipPagerMessage(from, to, to, callId, MediaType.TEXT_PLAIN_UTF8,
                message.body().getBytes(StandardCharsets.UTF_8), message.lang(), subject);
    }

    /**
     * The MESSAGE for an end-to-end secured message: the addresses as for any message, the S/MIME
     * object's type as the Content-Type and its octets as the body (RFC 3923 §8, RFC 3428 §11.3).
     *
     * @param authenticationResults the gateway's signature check to send along, if it tags messages
     */
    public static SipPagerMessage translate(SecuredMessage message, AddressMapping addresses,
                                            Optional<String> authenticationResults) {
        SipUri to = addresses.toSipUri(message.to());
        return new SipPagerMessage(addresses.toSipUri(message.from()), to, to,
                message.thread().filter(CpimToSip::isCallId), message.object().contentType(), message.object().body(),
                Optional.empty(), Optional.empty(), authenticationResults.map(CpimToSip::headerSafe));
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
