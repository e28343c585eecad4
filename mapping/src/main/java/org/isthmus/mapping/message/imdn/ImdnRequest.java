package org.isthmus.mapping.message.imdn;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimAddress;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.CpimGrammar;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/**
 * What an IM asked for in the IMDN headers of its Message/CPIM body (RFC 5438 §6, §7.1.1), read with
 * any namespace prefix (§6.1). An IM asks for something when it has a Message-ID (§6.3), a DateTime
 * (§7.1.1.2) and a Disposition-Notification naming at least one value of §10 this gateway knows;
 * unknown values are ignored (§7.2.1). An IMDN asks for nothing (§7.2.1: no IMDN for an IMDN).
 *
 * @param messageId    the IM's Message-ID (§6.3): an RFC 3862 §3.6 Token of at most
 *                     {@link #MAX_MESSAGE_ID_LENGTH} characters
 * @param sent         the IM's DateTime (§7.1.1.2), returned in the IMDN's {@code <datetime>} (§11.1.2)
 * @param dispositions the notifications asked for; never empty
 * @param sender       the IM's CPIM From: the IM Sender, to whom the IMDN is addressed (§7.2.1, §8)
 * @param recipient    the IM's first CPIM To: the IMDN's {@code <recipient-uri>} (§11.1.3)
 * @param originalTo   the IM's Original-To (§6.4): the IMDN's {@code <original-recipient-uri>} (§11.1.4)
 * @param recordRoutes the IM's IMDN-Record-Route addresses, top first (§6.5), each a {@code sip:},
 *                     {@code sips:} or {@code im:} URI the gateway can send a MESSAGE to
 */
public record ImdnRequest(String messageId, OffsetDateTime sent, Set<RequestedDisposition> dispositions,
                          Optional<CpimAddress> sender, Optional<CpimAddress> recipient,
                          Optional<CpimAddress> originalTo, List<CpimAddress> recordRoutes) {

    /** The namespace of the IMDN headers (RFC 5438 §6.1). */
    public static final String HEADERS_NAMESPACE = "urn:ietf:params:imdn";
    /**
     * The longest Message-ID accepted, in characters. §6.3 sets no limit; an ID that meets its advice
     * (64 random bits) is a fraction of this, and the IMDN echoes the ID back to the network.
     */
    public static final int MAX_MESSAGE_ID_LENGTH = 256;

    /** Holds only limits, so one serves every call. */
    private static final CpimDecoder DECODER = new CpimDecoder();

    public ImdnRequest {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sent, "sent");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(originalTo, "originalTo");
        if (!isMessageId(messageId)) {
            throw new MappingException("not a Message-ID (RFC 5438 §10): " + messageId);
        }
        if (dispositions.isEmpty()) {
            throw new MappingException("an IMDN request asks for at least one notification");
        }
        dispositions = Collections.unmodifiableSet(EnumSet.copyOf(dispositions));
        recordRoutes = List.copyOf(recordRoutes);
        for (CpimAddress route : recordRoutes) {
            if (sipTarget(route).isEmpty()) {
                throw new MappingException("IMDN-Record-Route is not a SIP or IM address: " + route.uri());
            }
        }
    }

    /**
     * What a SIP MESSAGE asked for: empty when its body is not {@code message/cpim} (RFC 5438 §12.1.1),
     * is not a valid Message/CPIM object, asks for nothing, or has malformed IMDN headers (a second
     * Message-ID or Original-To, a value outside the syntax of §10, a record route to no SIP address).
     * Never throws on what the network sent.
     */
    public static Optional<ImdnRequest> of(SipPagerMessage message) {
        if (!message.contentType().is("message", "cpim")) {
            return Optional.empty();
        }
        Mapped<CpimDocument> decoded = DECODER.decode(message.body());
        return decoded instanceof Mapped.Ok<CpimDocument> ok ? of(ok.value()) : Optional.empty();
    }

    /** What a decoded Message/CPIM object asked for; see {@link #of(SipPagerMessage)}. */
    public static Optional<ImdnRequest> of(CpimDocument document) {
        if (isNotification(document.content())) {
            return Optional.empty();
        }
        String messageId = null;
        Set<RequestedDisposition> wanted = EnumSet.noneOf(RequestedDisposition.class);
        Optional<CpimAddress> originalTo = Optional.empty();
        List<CpimAddress> routes = new ArrayList<>();
        for (CpimDocument.Extension e : document.extensions()) {
            if (!e.name().namespace().equals(HEADERS_NAMESPACE)) {
                continue;
            }
            String value = e.header().value();
            switch (e.name().localName()) {
                case "Disposition-Notification" -> {
                    if (!readDispositions(value, wanted)) {
                        return Optional.empty();
                    }
                }
                case "Message-ID" -> {
                    if (messageId != null || !isMessageId(value)) {
                        return Optional.empty();
                    }
                    messageId = value;
                }
                case "Original-To" -> {
                    // §6.4: it MUST NOT appear more than once.
                    if (originalTo.isPresent()) {
                        return Optional.empty();
                    }
                    originalTo = CpimGrammar.address(value);
                    if (originalTo.isEmpty()) {
                        return Optional.empty();
                    }
                }
                case "IMDN-Record-Route" -> {
                    Optional<CpimAddress> route = CpimGrammar.address(value).filter(a -> sipTarget(a).isPresent());
                    if (route.isEmpty()) {
                        return Optional.empty();
                    }
                    routes.add(route.get());
                }
                default -> {
                    // IMDN-Route means nothing in an IM (§6.6); later headers of the namespace are not ours.
                }
            }
        }
        if (wanted.isEmpty() || messageId == null || document.dateTime().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ImdnRequest(messageId, document.dateTime().get(), wanted, document.from(),
                document.to().stream().findFirst(), originalTo, routes));
    }

    /** Whether the sender asked to hear of a failed delivery (RFC 5438 §7.1.1.3 "negative-delivery"). */
    public boolean wantsNegativeDelivery() {
        return dispositions.contains(RequestedDisposition.NEGATIVE_DELIVERY);
    }

    /** Whether the sender asked for this notification. */
    public boolean wants(RequestedDisposition disposition) {
        return dispositions.contains(disposition);
    }

    /**
     * Where a notification goes: the top IMDN-Route, which is the first IMDN-Record-Route of the IM
     * (RFC 5438 §7.2.1), else the IM's SIP sender (§12.1.3.1).
     */
    public SipUri destination(SipUri sipSender) {
        return recordRoutes.isEmpty() ? sipSender : sipTarget(recordRoutes.get(0)).orElseThrow();
    }

    /** RFC 5438 §10 {@code Message-ID = "Message-ID" ": " Token}, within {@link #MAX_MESSAGE_ID_LENGTH}. */
    static boolean isMessageId(String s) {
        return s.length() <= MAX_MESSAGE_ID_LENGTH && CpimGrammar.isToken(s);
    }

    /**
     * RFC 5438 §9: content of type {@code message/imdn+xml}, or marked {@code Content-Disposition:
     * notification} (§7.2.1), is a notification, not an IM.
     */
    private static boolean isNotification(MimeEntity content) {
        boolean imdnType = content.contentType().map(MediaType::parse)
                .map(t -> t.isOk() && t.orThrow().is("message", "imdn+xml"))
                .orElse(false);
        boolean notification = content.header("Content-Disposition")
                .map(d -> d.split(";", 2)[0].strip().equalsIgnoreCase("notification"))
                .orElse(false);
        return imdnType || notification;
    }

    /**
     * Adds the values of one Disposition-Notification header (RFC 5438 §10): {@code notify-req}s
     * separated by commas, each a Token with optional {@code ;}-separated Ext-params, spaces allowed
     * around both separators. An empty value asks for nothing (§7.1.1.3).
     *
     * @return false if the value is malformed
     */
    private static boolean readDispositions(String value, Set<RequestedDisposition> into) {
        if (value.isEmpty()) {
            return true;
        }
        for (String item : splitUnquoted(value, ',')) {
            List<String> parts = splitUnquoted(item, ';');
            String token = parts.get(0).strip();
            if (!CpimGrammar.isToken(token)) {
                return false;
            }
            for (String parameter : parts.subList(1, parts.size())) {
                if (!CpimGrammar.isExtParameter(parameter.strip())) {
                    return false;
                }
            }
            RequestedDisposition.fromWire(token).ifPresent(into::add);
        }
        return true;
    }

    /** Splits at each separator outside a quoted String (RFC 3862 §3.6, with its backslash escapes). */
    private static List<String> splitUnquoted(String s, char separator) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /**
     * The SIP address to send a MESSAGE to for a CPIM address: a {@code sip:} or {@code sips:} URI as
     * it is, an {@code im:} URI with the same user and host (RFC 3922 §3, RFC 7247 §6).
     */
    static Optional<SipUri> sipTarget(CpimAddress address) {
        String uri = address.uri();
        int colon = uri.indexOf(':');
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        String sip;
        if (scheme.equals("sip") || scheme.equals("sips")) {
            sip = uri;
        } else if (scheme.equals("im")) {
            sip = "sip:" + uri.substring(colon + 1);
        } else {
            return Optional.empty();
        }
        Mapped<SipUri> parsed = SipUri.parse(sip);
        return parsed instanceof Mapped.Ok<SipUri> ok ? Optional.of(ok.value()) : Optional.empty();
    }
}
