package org.isthmus.mapping.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapping;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** From an XMPP message stanza to the neutral message: RFC 7572 §4 (Table 1), §6 and §8. */
public final class XmppToCpim {

    private XmppToCpim() {
    }

    /**
     * Translates a message an XMPP user sent to a gateway address. Every body and subject keeps its
     * language, resolved against the stanza's {@code xml:lang} (RFC 7572 §8: language tags MUST be
     * mapped); the body in the stanza's language comes first as the primary one. The type has no SIP
     * equivalent (RFC 7572 Table 1 note 2) and the XHTML-IM payload none that every SIP agent reads;
     * neither is carried.
     *
     * @param message      the stanza; must carry a body
     * @param addresses    the address rules
     * @param maxBodyBytes the largest primary body accepted, in UTF-8 bytes (RFC 7572 §6: policy-violation
     *                     above it)
     */
    public static Mapped<CpimMessage> translate(XmppMessage message, AddressMapping addresses, int maxBodyBytes) {
        if (message.type() == MessageType.ERROR) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "an error message is a reply, not a message to relay");
        }
        if (message.body().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.NOT_ACCEPTABLE, "the message has no body to relay");
        }
        String body = message.body().get();
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBodyBytes) {
            return Mapped.rejected(StanzaErrorCondition.POLICY_VIOLATION,
                    "body of " + bytes + " bytes exceeds the gateway's limit of " + maxBodyBytes);
        }
        Mapped<ImUri> from = sender(message, addresses);
        if (!from.isOk()) {
            return from.map(f -> null);
        }
        List<LocalizedText> bodies = resolved(message.bodies(), message.lang(), message.bodyLang());
        List<LocalizedText> subjects = resolved(message.subjects(), message.lang(), message.bodyLang());
        return recipient(message, addresses).map(to ->
                new CpimMessage(from.orThrow(), to, bodies, subjects, message.thread(), Optional.empty()));
    }

    /**
     * Translates a message that carries an end-to-end secured object (RFC 3923 §3, §8): the outer
     * addresses as for any message, the {@code <e2e/>} object read but never changed; any
     * {@code <body/>} beside it is not carried, as RFC 3923 §8 relays only the object.
     *
     * @param message  the stanza; must carry {@code <e2e/>}
     * @param maxBytes the largest object accepted, in octets (RFC 7572 §6: policy-violation above it)
     */
    public static Mapped<SecuredMessage> translateSecured(XmppMessage message, AddressMapping addresses, int maxBytes) {
        if (message.type() == MessageType.ERROR || message.e2e().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "not a secured message to relay");
        }
        Mapped<ImUri> from = sender(message, addresses);
        return from.then(f -> recipient(message, addresses)).then(t -> SecuredObject.fromE2e(
                message.e2e().get().text(), maxBytes).map(o -> new SecuredMessage(from.orThrow(), t, o, message.thread())));
    }

    /** The sender's address, which must be a user of an XMPP domain the gateway serves (forbidden otherwise). */
    private static Mapped<ImUri> sender(XmppMessage message, AddressMapping addresses) {
        Mapped<ImUri> from = addresses.fromJid(message.from());
        if (!from.isOk() || !addresses.isXmppUser(from.orThrow())) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.FORBIDDEN,
                    "sender " + message.from() + " is not a user of an XMPP domain this gateway serves"));
        }
        return from;
    }

    /** The recipient's address, which must be a gateway address, not an XMPP user's (item-not-found). */
    private static Mapped<ImUri> recipient(XmppMessage message, AddressMapping addresses) {
        return addresses.fromJid(message.to()).then(to -> addresses.isXmppUser(to)
                ? Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND, message.to() + " is not a gateway address")
                : Mapped.ok(to));
    }

    /** The texts with their languages resolved (RFC 6121 §5.2.3), the one in {@code primary} first. */
    private static List<LocalizedText> resolved(List<LocalizedText> texts, Optional<String> stanzaLang,
                                                Optional<String> primary) {
        List<LocalizedText> out = new ArrayList<>(texts.size());
        for (LocalizedText t : texts) {
            LocalizedText r = new LocalizedText(t.lang().or(() -> stanzaLang), t.text());
            if (out.isEmpty() || !LocalizedText.sameLanguage(r.lang(), primary)) {
                out.add(r);
            } else {
                out.add(0, r);
            }
        }
        return out;
    }
}
