package org.isthmus.xmpp.stanza;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * Answers the {@code <iq/>} stanzas the XMPP edge handles itself: XEP-0199 ping, XEP-0030
 * disco#info and disco#items; every other get or set gets {@code service-unavailable}, because
 * RFC 6120 §8.4 requires a reply to each one.
 */
public final class IqResponder {

    /** XEP-0199 §2. */
    public static final String PING = "urn:xmpp:ping";
    /** XEP-0030 §3. */
    public static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    /** XEP-0030 §4. */
    public static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    /** XEP-0106 §4: the feature a gateway advertises when it understands escaped JIDs. */
    public static final String JID_ESCAPING = "jid\\20escaping";

    private final String domain;

    /**
     * A responder for a component.
     *
     * @param domain the component's domain, prepared as a {@link Jid} domainpart
     */
    public IqResponder(String domain) {
        this.domain = Objects.requireNonNull(domain, "domain");
    }

    /**
     * The reply to an {@code <iq/>}, or empty when none is due: a {@code result} or {@code error}
     * (RFC 6120 §8.2.3), or an iq without a usable {@code from} to reply to.
     */
    public Optional<XmlElement> respond(XmlElement iq) {
        String type = iq.attribute("type").orElse("");
        if (type.equals("result") || type.equals("error")) {
            return Optional.empty();
        }
        Optional<String> from = iq.attribute("from");
        if (from.isEmpty() || !Jid.parse(from.get()).isOk()) {
            return Optional.empty();
        }
        Mapped<Jid> to = Jid.parse(iq.attribute("to").orElse(domain));
        if (!to.isOk()) {
            return error(iq, domain, StanzaErrorCondition.JID_MALFORMED, "malformed 'to'");
        }
        // XEP-0114 §3: what the component sends must come from its own domain.
        String replyFrom = to.orThrow().domain().equals(domain) ? to.orThrow().toString() : domain;
        if (!type.equals("get") && !type.equals("set")) {
            return error(iq, replyFrom, StanzaErrorCondition.BAD_REQUEST, "iq type must be get, set, result or error");
        }
        if (iq.children().size() != 1) {
            return error(iq, replyFrom, StanzaErrorCondition.BAD_REQUEST, "an iq get or set carries exactly one child");
        }
        XmlElement payload = iq.children().get(0);
        boolean get = type.equals("get");
        if (get && payload.is(PING, "ping")) {
            return result(iq, replyFrom, null);
        }
        if (get && payload.is(DISCO_INFO, "query")) {
            return discoInfo(iq, replyFrom, to.orThrow(), payload);
        }
        if (get && payload.is(DISCO_ITEMS, "query")) {
            XmlElement.Builder query = XmlElement.builder(DISCO_ITEMS, "query").attribute("node", payload.attribute("node"));
            return result(iq, replyFrom, query.build());
        }
        return error(iq, replyFrom, StanzaErrorCondition.SERVICE_UNAVAILABLE, null);
    }

    /** XEP-0030 §3.1: the component's identity and features; users are not discoverable yet. */
    private Optional<XmlElement> discoInfo(XmlElement iq, String replyFrom, Jid to, XmlElement query) {
        if (to.local().isPresent() || to.resource().isPresent() || !to.domain().equals(domain)) {
            return error(iq, replyFrom, StanzaErrorCondition.SERVICE_UNAVAILABLE, null);
        }
        if (query.attribute("node").isPresent()) {
            return error(iq, replyFrom, StanzaErrorCondition.ITEM_NOT_FOUND, null);
        }
        XmlElement info = XmlElement.builder(DISCO_INFO, "query")
                .child(XmlElement.builder(DISCO_INFO, "identity")
                        .attribute("category", "gateway")
                        .attribute("type", "sip")
                        .attribute("name", "Isthmus")
                        .build())
                .child(feature(DISCO_INFO))
                .child(feature(PING))
                .child(feature(JID_ESCAPING))
                .build();
        return result(iq, replyFrom, info);
    }

    private static XmlElement feature(String var) {
        return XmlElement.builder(DISCO_INFO, "feature").attribute("var", var).build();
    }

    private static Optional<XmlElement> result(XmlElement iq, String replyFrom, XmlElement payload) {
        XmlElement.Builder reply = XmlElement.builder(iq.namespace(), "iq")
                .attribute("from", replyFrom)
                .attribute("to", iq.attribute("from").orElseThrow())
                .attribute("id", iq.attribute("id"))
                .attribute("type", "result");
        if (payload != null) {
            reply.child(payload);
        }
        return Optional.of(reply.build());
    }

    private static Optional<XmlElement> error(XmlElement iq, String replyFrom, StanzaErrorCondition condition, String text) {
        return Optional.of(StanzaErrors.errorReply(iq, StanzaError.of(condition, text), replyFrom, false));
    }
}
