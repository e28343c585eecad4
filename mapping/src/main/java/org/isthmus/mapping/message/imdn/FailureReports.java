package org.isthmus.mapping.message.imdn;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimAddress;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.CpimEncoder;
import org.isthmus.mapping.document.cpim.CpimGrammar;
import org.isthmus.mapping.document.cpim.CpimHeader;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.document.cpim.MimeHeader;
import org.isthmus.mapping.document.imdn.Disposition;
import org.isthmus.mapping.document.imdn.ImdnDocument;
import org.isthmus.mapping.document.imdn.ImdnWriter;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/**
 * The report a SIP sender gets when an XMPP error arrives for a MESSAGE the gateway has already
 * answered with a 2xx: an RFC 5438 negative-delivery IMDN when the IM asked for one (§8.2, §12.2: the
 * gateway is an intermediary that answered 2xx before it had the downstream error), else a plain-text
 * MESSAGE from the recipient's address that says what failed. The time and the new Message-ID are
 * arguments, so the same inputs always give the same MESSAGE.
 */
public final class FailureReports {

    /** The prefix declared for the IMDN headers written (RFC 5438 §6.1 assumes this one). */
    private static final String PREFIX = "imdn";
    /** The Content-Type of a SIP MESSAGE that carries an IMDN (RFC 5438 §12.1.1). */
    private static final MediaType MESSAGE_CPIM = new MediaType("message", "cpim", Map.of());
    /** The most characters of peer-supplied text (an error's text, a subject) quoted in a notice. */
    private static final int MAX_QUOTED_LENGTH = 200;

    private FailureReports() {
    }

    /**
     * The report for a late error: {@link #failureReport} when {@code original} asked for negative-delivery
     * notifications (RFC 5438 §12.2), else {@link #failureNotice}.
     *
     * @param original     the MESSAGE as received
     * @param reporter     the recipient's SIP address, the report's sender
     * @param error        the XMPP error that came back for the message
     * @param now          when the report is made
     * @param newMessageId a fresh Message-ID for an IMDN (§6.3: unguessable, at least 64 random bits)
     */
    public static SipPagerMessage forLateError(SipPagerMessage original, SipUri reporter, StanzaError error,
                                               Instant now, String newMessageId) {
        Optional<ImdnRequest> request = ImdnRequest.of(original).filter(ImdnRequest::wantsNegativeDelivery);
        if (request.isPresent()) {
            return failureReport(request.get(), reporter, original.from(), now, newMessageId);
        }
        return failureNotice(original, reporter, error);
    }

    /**
     * A negative delivery notification (RFC 5438 §7.2.1, §7.2.1.1, §8.2) in a MESSAGE (§12.1.3.1):
     * <ul>
     *   <li>Request-URI the top IMDN-Route, else the sender (§7.2.1, §12.1.3.1); SIP From the reporter,
     *       SIP To the sender;</li>
     *   <li>a {@code message/cpim} body whose From is the reporter, To the IM's CPIM From (else the
     *       sender), with the IMDN namespace, a Message-ID of its own (§7.2.1), a DateTime, and the IM's
     *       IMDN-Record-Route addresses copied in order as IMDN-Route (§7.2.1);</li>
     *   <li>inside, {@code Content-Type: message/imdn+xml} and {@code Content-Disposition: notification}
     *       (§7.2.1, §11.1.8) and the payload: the IM's Message-ID and DateTime, the IM's CPIM To as
     *       recipient (else the reporter) and its Original-To, else the recipient again, as original
     *       recipient (§11.1.3, §11.1.4), and {@code <delivery-notification><status><failed/>}.</li>
     * </ul>
     * No Disposition-Notification is written: an IMDN never asks for one (§7.2.1). The subject is left
     * out: §11.1.5 would have it carry a language that the schema of §11.1.9 gives no place to.
     *
     * @param request      what the IM asked for
     * @param reporter     the recipient's SIP address
     * @param sender       the IM's SIP From
     * @param now          when the notification is made; written to the second, in UTC
     * @param newMessageId the notification's own Message-ID: an RFC 3862 Token of at most
     *                     {@link ImdnRequest#MAX_MESSAGE_ID_LENGTH} characters
     * @throws MappingException if {@code newMessageId} is not such a Token (a programming error)
     */
    public static SipPagerMessage failureReport(ImdnRequest request, SipUri reporter, SipUri sender, Instant now,
                                                String newMessageId) {
        if (!ImdnRequest.isMessageId(newMessageId)) {
            throw new MappingException("not a Message-ID (RFC 5438 §10): " + newMessageId);
        }
        CpimAddress recipient = request.recipient().orElse(CpimAddress.of(reporter.toString()));
        ImdnDocument payload = new ImdnDocument(request.messageId(),
                request.sent().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), Optional.of(recipient.uri()),
                Optional.of(request.originalTo().orElse(recipient).uri()), Optional.empty(),
                Optional.of(Disposition.deliveryFailed()));
        byte[] xml = ImdnWriter.write(payload);
        List<CpimHeader> headers = new ArrayList<>();
        headers.add(CpimHeader.of("From", "<" + reporter + ">"));
        headers.add(CpimHeader.of("To",
                CpimGrammar.headerValue(request.sender().orElse(CpimAddress.of(sender.toString())))));
        headers.add(CpimHeader.of("NS", PREFIX + " <" + ImdnRequest.HEADERS_NAMESPACE + ">"));
        headers.add(CpimHeader.of(PREFIX + ".Message-ID", newMessageId));
        headers.add(CpimHeader.of("DateTime", now.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        for (CpimAddress route : request.recordRoutes()) {
            headers.add(CpimHeader.of(PREFIX + ".IMDN-Route", CpimGrammar.headerValue(route)));
        }
        MimeEntity content = new MimeEntity(List.of(
                new MimeHeader("Content-Type", ImdnDocument.MEDIA_TYPE),
                new MimeHeader("Content-Disposition", "notification"),
                new MimeHeader("Content-Length", Integer.toString(xml.length))), xml);
        byte[] body = CpimEncoder.encode(CpimDocument.of(headers, content));
        return new SipPagerMessage(reporter, sender, request.destination(sender), Optional.empty(), MESSAGE_CPIM,
                body, Optional.empty(), Optional.empty());
    }

    /**
     * A plain-text MESSAGE for a sender that did not ask for IMDNs, from the recipient's address to the
     * original's SIP From, e.g. {@code Your message to alice@xmpp.test was not delivered: the recipient
     * is unavailable (recipient-unavailable).} The original's Subject, a new address the error names
     * (RFC 6120 §8.3.3.5, §8.3.3.14) and the error's text follow when present, cut short and with
     * control characters made spaces. The text is English and says so in Content-Language.
     *
     * @param original the MESSAGE as received
     * @param reporter the recipient's SIP address
     * @param error    the XMPP error that came back for the message
     */
    public static SipPagerMessage failureNotice(SipPagerMessage original, SipUri reporter, StanzaError error) {
        StringBuilder text = new StringBuilder("Your message");
        original.subject().map(FailureReports::quotable).filter(s -> !s.isEmpty())
                .ifPresent(s -> text.append(" \"").append(s).append('"'));
        String who = reporter.user().map(u -> u + "@" + reporter.host()).orElse(reporter.host());
        text.append(" to ").append(quotable(who)).append(" was not delivered: ").append(reason(error.condition()))
                .append(" (").append(error.condition().elementName()).append(").");
        error.address().map(FailureReports::quotable).filter(s -> !s.isEmpty())
                .ifPresent(a -> text.append(" New address: ").append(a).append('.'));
        error.text().map(FailureReports::quotable).filter(s -> !s.isEmpty())
                .ifPresent(t -> text.append(" Reason given: \"").append(t).append("\"."));
        return new SipPagerMessage(reporter, original.from(), original.from(), Optional.empty(),
                MediaType.TEXT_PLAIN_UTF8, text.toString().getBytes(StandardCharsets.UTF_8), Optional.of("en"),
                Optional.empty());
    }

    /**
     * Why a message was not delivered, in words, for each condition of RFC 6120 §8.3.3 as it bears on
     * a message sent to the recipient.
     */
    static String reason(StanzaErrorCondition condition) {
        return switch (condition) {
            case BAD_REQUEST -> "the recipient's server could not understand it";
            case CONFLICT -> "it conflicted with something at the recipient's server";
            case FEATURE_NOT_IMPLEMENTED -> "the recipient's service does not support it";
            case FORBIDDEN -> "you are not allowed to send to this recipient";
            case GONE -> "the recipient's address is no longer in use";
            case INTERNAL_SERVER_ERROR -> "the recipient's server had an internal error";
            case ITEM_NOT_FOUND -> "the recipient does not exist";
            case JID_MALFORMED -> "the recipient's address is not valid";
            case NOT_ACCEPTABLE -> "the recipient's server would not accept it";
            case NOT_ALLOWED -> "the recipient's server does not allow it";
            case NOT_AUTHORIZED -> "you are not authorized to send to this recipient";
            case POLICY_VIOLATION -> "it broke a policy of the recipient's server";
            case RECIPIENT_UNAVAILABLE -> "the recipient is unavailable";
            case REDIRECT -> "the recipient is to be reached at another address";
            case REGISTRATION_REQUIRED -> "you must register with the recipient's service first";
            case REMOTE_SERVER_NOT_FOUND -> "the recipient's server could not be found";
            case REMOTE_SERVER_TIMEOUT -> "the recipient's server could not be reached in time";
            case RESOURCE_CONSTRAINT -> "the recipient's server is too busy";
            case SERVICE_UNAVAILABLE -> "the recipient does not accept messages";
            case SUBSCRIPTION_REQUIRED -> "the recipient accepts messages only from approved contacts";
            case UNDEFINED_CONDITION -> "an unspecified error occurred";
            case UNEXPECTED_REQUEST -> "the recipient's server did not expect it";
        };
    }

    /** Text from a peer made fit to quote: controls and lone surrogates become spaces, long text is cut. */
    private static String quotable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_QUOTED_LENGTH));
        s.codePoints().limit(MAX_QUOTED_LENGTH).forEach(cp -> sb.appendCodePoint(
                Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE ? ' ' : cp));
        return sb.toString().strip();
    }
}
