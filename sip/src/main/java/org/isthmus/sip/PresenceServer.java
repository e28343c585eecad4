package org.isthmus.sip;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

import javax.sip.ServerTransaction;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.TransactionExt;
import gov.nist.javax.sip.header.HeaderExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.presence.SipPresenceState;
import org.isthmus.mapping.subscription.SipSubscribe;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.mapping.subscription.TerminationReason;
import org.isthmus.sip.presence.DialogKey;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * Received SUBSCRIBE (the edge as notifier, RFC 6665 §4.2.1, RFC 3856 §6) and NOTIFY (as subscriber,
 * RFC 6665 §4.1.3) requests: checked here, handed to the gateway, which holds every dialog, and answered
 * with its decision. After accepting a SUBSCRIBE the edge sends the 200 and then the first NOTIFY at once
 * (§4.2.1.4) through {@link PresenceClient}.
 *
 * <p>Checks, in order, for SUBSCRIBE: Event {@code presence} (489 with Allow-Events otherwise, §8.3.2,
 * §4.2.3 for a missing one), Accept allowing PIDF (406, §4.1.2.1, RFC 3856 §6.5), Expires not below the
 * minimum (423 with Min-Expires, §4.2.1.1), a Contact and a From tag for a new dialog (400, RFC 3261
 * §8.1.1.8, §8.1.1.3). For NOTIFY: a To tag (481, it belongs to no dialog), Event {@code presence} (489),
 * a valid Subscription-State (400, §4.1.3), a PIDF body that parses (415 for another type, 400 if
 * malformed; no up-call in either case). An S/MIME body (multipart/signed, application/pkcs7-mime: a
 * secured PIDF, RFC 3923 §8, RFC 3856 §6.7) is passed up unread.
 */
final class PresenceServer {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceServer.class);

    private final Responder responder;
    private final HeaderFactory headers;
    private final PresenceClient client;
    private final UserAgentClient uac;
    private final SipHandler handler;
    private final SipPresence limits;
    private final Clock clock;
    private final PidfParser pidf = new PidfParser();

    PresenceServer(Responder responder, HeaderFactory headers, PresenceClient client, UserAgentClient uac,
                   SipHandler handler, SipPresence limits, Clock clock) {
        this.responder = responder;
        this.headers = headers;
        this.client = client;
        this.uac = uac;
        this.handler = handler;
        this.limits = limits;
        this.clock = clock;
    }

    // ---- SUBSCRIBE (notifier) ------------------------------------------------------------------------

    void subscribe(ServerTransaction st, Request request, String callId) {
        Instant now = clock.instant();
        EventHeader event = (EventHeader) request.getHeader(EventHeader.NAME);
        if (event == null || !SipSubscribe.PRESENCE_EVENT.equals(event.getEventType())) {
            LOG.debug("SUBSCRIBE for event {} refused with 489 callId={}",
                    LogText.safe(event == null ? null : event.getEventType()), callId);
            respond(st, request, SipStatus.of(489), callId, this::addAllowEvents);
            return;
        }
        List<MediaType> accept = accepted(request);
        if (!accept.isEmpty() && accept.stream().noneMatch(PresenceServer::allowsPidf)) {
            respond(st, request, SipStatus.of(406), callId, this::addAcceptPidf);
            return;
        }
        ExpiresHeader expiresHeader = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        OptionalLong asked = expiresHeader == null || expiresHeader.getExpires() < 0 ? OptionalLong.empty()
                : OptionalLong.of(expiresHeader.getExpires());
        long requested = asked.orElse(SipSubscribe.DEFAULT_EXPIRES);
        if (requested > 0 && requested < limits.minExpires()) {
            respond(st, request, SipStatus.of(423), callId,
                    r -> r.addHeader(headers.createMinExpiresHeader((int) limits.minExpires())));
            return;
        }
        long granted = Math.min(requested, limits.maxExpires());
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        Optional<SipUri> watcher = PresenceClient.sipUri(from.getAddress().getURI().toString());
        Optional<SipUri> toUri = PresenceClient.sipUri(to.getAddress().getURI().toString());
        Optional<SipUri> contact = PresenceClient.contactOf(request);
        boolean inDialog = to.getTag() != null;
        // A request in the dialog is sent to the gateway's Contact (RFC 3261 §12.2.1.1), so its
        // Request-URI no longer names the presentity; the To URI, the dialog's local URI, does.
        Optional<SipUri> presentity = inDialog ? toUri : PresenceClient.sipUri(request.getRequestURI().toString());
        if (watcher.isEmpty() || presentity.isEmpty() || toUri.isEmpty() || from.getTag() == null
                || (!inDialog && contact.isEmpty())) {
            respond(st, request, new SipStatus(400, "Missing or malformed From, To, tag or Contact"), callId, r -> { });
            return;
        }
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        SipSubscribe subscribe = new SipSubscribe(watcher.get(), presentity.get(), asked, event.getEventType(), accept,
                inDialog, Optional.of(((javax.sip.header.CallIdHeader) request.getHeader(
                        javax.sip.header.CallIdHeader.NAME)).getCallId()));
        String rawCallId = subscribe.callId().orElseThrow();
        SubscribeRequest up;
        if (inDialog) {
            up = new SubscribeRequest(subscribe, Optional.of(new DialogKey(rawCallId, to.getTag(), from.getTag())),
                    Optional.empty(), granted, cseq, contact, now);
        } else {
            boolean secure = presentity.get().secure() && "tls".equals(transport(st));
            // §12.1.1: as UAS, the route set is the Record-Route list in order; the remote target the Contact.
            SubscriptionDialog created = new SubscriptionDialog(SubscriptionDialog.Role.NOTIFIER, rawCallId, tag(),
                    from.getTag(), toUri.get(), watcher.get(), contact.get(), PresenceClient.recordRoutes(request), 1,
                    cseq, event.getEventType(), Optional.ofNullable(event.getEventId()), now.plusSeconds(granted),
                    secure);
            up = new SubscribeRequest(subscribe, Optional.empty(), Optional.of(created), granted, cseq, contact, now);
        }
        LOG.debug("SUBSCRIBE received callId={} watcher={} presentity={} expires={} inDialog={}", callId,
                LogText.safe(watcher.get()), LogText.safe(presentity.get()), granted, inDialog);
        responder.whenAnswered(st, request, callId, () -> handler.onSubscribe(up),
                decision -> decided(st, request, callId, up, decision));
    }

    private void decided(ServerTransaction st, Request request, String callId, SubscribeRequest up,
                         SubscribeDecision decision) {
        if (decision instanceof SubscribeDecision.Refuse refuse) {
            LOG.debug("SUBSCRIBE refused {} callId={}", refuse.status().code(), callId);
            respond(st, request, refuse.status(), callId, r -> { });
            return;
        }
        SubscribeDecision.Accept accept = (SubscribeDecision.Accept) decision;
        SubscriptionDialog dialog = accept.dialog();
        boolean fits = up.created().map(c -> c.key().equals(dialog.key()))
                .orElseGet(() -> up.existing().get().equals(dialog.key()) && dialog.remoteCseq() == up.cseq());
        if (!fits) {
            LOG.warn("SUBSCRIBE accepted with a dialog that is not the request's callId={}", callId);
            respond(st, request, SipStatus.of(500), callId, r -> { });
            return;
        }
        String transport = transport(st);
        respond(st, request, SipStatus.of(200), callId, r -> {
            ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(dialog.localTag());
            r.addHeader(headers.createExpiresHeader((int) Math.min(up.expires(), Integer.MAX_VALUE)));
            r.addHeader(uac.contact(dialog.localUri().user().orElse("isthmus"), transport));
        });
        SubscriptionState state = accept.state();
        if (up.expires() == 0 && !(state instanceof SubscriptionState.Terminated)) {
            // §4.4.3 (fetch) and §4.1.2.3 (unsubscribe): the NOTIFY that answers Expires 0 ends it.
            state = SubscriptionState.Terminated.of(TerminationReason.TIMEOUT);
        }
        SubscriptionState first = state;
        client.notify(dialog, dialog.localCseq(), first, accept.document()).whenComplete((outcome, failure) -> {
            if (outcome != null) {
                LOG.debug("first NOTIFY {} answered {} callId={}", first.format(), outcome.outcome().status().code(),
                        callId);
            }
        });
    }

    // ---- NOTIFY (subscriber) -------------------------------------------------------------------------

    void notify(ServerTransaction st, Request request, String callId) {
        Instant now = clock.instant();
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        if (to.getTag() == null) {
            respond(st, request, SipStatus.of(481), callId, r -> { });
            return;
        }
        if (from.getTag() == null) {
            respond(st, request, new SipStatus(400, "Missing From tag"), callId, r -> { });
            return;
        }
        EventHeader event = (EventHeader) request.getHeader(EventHeader.NAME);
        if (event == null || !SipSubscribe.PRESENCE_EVENT.equals(event.getEventType())) {
            respond(st, request, SipStatus.of(489), callId, this::addAllowEvents);
            return;
        }
        Optional<String> stateText = headerValue(request, "Subscription-State");
        if (stateText.isEmpty()) {
            respond(st, request, new SipStatus(400, "Missing Subscription-State"), callId, r -> { });
            return;
        }
        Mapped<SubscriptionState> parsed = SubscriptionState.parse(stateText.get());
        if (!(parsed instanceof Mapped.Ok<SubscriptionState> okState)) {
            respond(st, request, new SipStatus(400, "Malformed Subscription-State"), callId, r -> { });
            return;
        }
        SubscriptionState state = okState.value();
        Optional<PresenceDocument> document = Optional.empty();
        Optional<SecuredObject> secured = Optional.empty();
        byte[] body = request.getRawContent();
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        Optional<MediaType> mediaType = type == null ? Optional.empty() : RequestReader.mediaTypeOf(type);
        if (body != null && body.length > 0 && mediaType.filter(SecuredObject::isSecured).isPresent()) {
            // RFC 3923 §8, RFC 3856 §6.7: a signed and/or encrypted PIDF crosses unread and unchanged.
            secured = Optional.of(new SecuredObject(mediaType.get(), body));
        } else if (body != null && body.length > 0) {
            if (type == null || !"application".equalsIgnoreCase(type.getContentType())
                    || !"pidf+xml".equalsIgnoreCase(type.getContentSubType())) {
                respond(st, request, SipStatus.of(415), callId, this::addAcceptPidf);
                return;
            }
            Mapped<PresenceDocument> doc = pidf.parse(body);
            if (!(doc instanceof Mapped.Ok<PresenceDocument> okDoc)) {
                LOG.info("NOTIFY with a malformed PIDF body refused callId={}", callId);
                respond(st, request, new SipStatus(400, "Malformed PIDF body"), callId, r -> { });
                return;
            }
            document = Optional.of(okDoc.value());
        }
        Optional<SipUri> fromUri = PresenceClient.sipUri(from.getAddress().getURI().toString());
        Optional<SipUri> toUri = PresenceClient.sipUri(to.getAddress().getURI().toString());
        if (fromUri.isEmpty() || toUri.isEmpty()) {
            respond(st, request, new SipStatus(400, "Malformed From or To"), callId, r -> { });
            return;
        }
        String rawCallId = ((javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME))
                .getCallId();
        DialogKey key = new DialogKey(rawCallId, to.getTag(), from.getTag());
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        OptionalLong stateExpires = state instanceof SubscriptionState.Active a ? a.expires()
                : state instanceof SubscriptionState.Pending p ? p.expires() : OptionalLong.empty();
        Optional<PresenceClient.Match> match = client.match(request, key, cseq, stateExpires);
        if (match.isPresent() && match.get() instanceof PresenceClient.Match.Forked) {
            LOG.info("NOTIFY from a second fork refused with 481 callId={}", callId);
            respond(st, request, SipStatus.of(481), callId, r -> { });
            return;
        }
        Optional<SubscriptionDialog> pendingDialog = match.map(m -> ((PresenceClient.Match.Pending) m).dialog());
        Optional<String> language = headerValue(request, "Content-Language")
                .map(v -> v.split(",", 2)[0].strip()).filter(v -> !v.isEmpty());
        Optional<SipPresenceState> presence = document.map(d -> new SipPresenceState(fromUri.get(), toUri.get(),
                language, d));
        NotifyRequest up = new NotifyRequest(key, state, presence, Optional.ofNullable(event.getEventId()), cseq,
                PresenceClient.contactOf(request), pendingDialog, now, secured,
                secured.isPresent() ? fromUri : Optional.empty(), secured.isPresent() ? toUri : Optional.empty());
        LOG.debug("NOTIFY received callId={} state={} body={} secured={}", callId, LogText.safe(state.format()),
                document.isPresent(), secured.isPresent());
        responder.whenAnswered(st, request, callId, () -> handler.onNotify(up), status -> {
            if (status.code() < 200) {
                throw new IllegalStateException("handler answered with a provisional status " + status.code());
            }
            respond(st, request, status, callId, r -> { });
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** The types of every Accept header (RFC 3261 §20.1); an empty header adds none. */
    private static List<MediaType> accepted(Request request) {
        List<MediaType> types = new ArrayList<>();
        ListIterator<?> it = request.getHeaders(AcceptHeader.NAME);
        while (it != null && it.hasNext()) {
            AcceptHeader h = (AcceptHeader) it.next();
            if (h.getContentType() != null && h.getContentSubType() != null && !h.getContentType().isBlank()) {
                types.add(new MediaType(h.getContentType().toLowerCase(Locale.ROOT),
                        h.getContentSubType().toLowerCase(Locale.ROOT), Map.of()));
            }
        }
        return types;
    }

    private static boolean allowsPidf(MediaType type) {
        return (type.type().equals("application") || type.type().equals("*"))
                && (type.subtype().equals("pidf+xml") || type.subtype().equals("*"));
    }

    private void addAllowEvents(Response r) throws ParseException {
        r.addHeader(headers.createAllowEventsHeader(SipSubscribe.PRESENCE_EVENT));
    }

    private void addAcceptPidf(Response r) throws ParseException {
        r.addHeader(headers.createAcceptHeader("application", "pidf+xml"));
    }

    private void respond(ServerTransaction st, Request request, SipStatus status, String callId,
                         Responder.ResponseAction<Response> extra) {
        responder.respond(st, request, status, callId, extra);
    }

    private static Optional<String> headerValue(Request request, String name) {
        return request.getHeader(name) instanceof HeaderExt ext
                ? Optional.ofNullable(ext.getValue()).map(String::strip) : Optional.empty();
    }

    private static String transport(ServerTransaction st) {
        return st instanceof TransactionExt ext && ext.getTransport() != null
                ? ext.getTransport().toLowerCase(Locale.ROOT) : "udp";
    }

    private static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }
}
