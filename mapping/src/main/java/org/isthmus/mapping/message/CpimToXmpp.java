package org.isthmus.mapping.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapping;
import org.isthmus.mapping.address.Jid;

/** From the neutral message to an XMPP message stanza: RFC 7572 §5, §7 and §8, RFC 3922 §4.2. */
public final class CpimToXmpp {

    private CpimToXmpp() {
    }

    /**
     * Translates a message for delivery to an XMPP user. The stanza's {@code xml:lang} is the primary
     * body's language (RFC 7572 §8); that body and every text in the same language carry no
     * {@code xml:lang} of their own, the others carry theirs (RFC 6121 §5.2.3). A text without a
     * language beside a tagged primary one cannot be written without taking the stanza's language, and
     * is left out.
     *
     * <p>The sender's JID is the one the recipient's domain sees: a SIP user in component mode appears
     * under the component domain that serves the recipient's domain (XEP-0114 §3).
     *
     * @param message   the neutral message
     * @param addresses the address rules
     * @param id        the stanza id to use: the gateway's handle on the SIP transaction (RFC 7572 Table 2:
     *                  "transaction identifier" to {@code id}), so an error reply can be matched to it
     */
    public static Mapped<XmppMessage> translate(CpimMessage message, AddressMapping addresses, String id) {
        Mapped<Jid> from = addresses.toJid(message.from(), message.to().host());
        if (!from.isOk()) {
            return from.map(f -> null);
        }
        Optional<String> lang = message.lang();
        return addresses.toJid(message.to()).map(to ->
                // RFC 7572 §5: a pager-mode message carries no type, i.e. "normal".
                new XmppMessage(from.orThrow(), to, Optional.of(id), MessageType.NORMAL, lang,
                        relative(message.bodies(), lang), relative(message.subjects(), lang), message.thread(),
                        message.xhtml(), Optional.empty()));
    }

    /**
     * Translates an end-to-end secured message for delivery to an XMPP user: the addresses as for any
     * message, the S/MIME object as the {@code <e2e/>} payload (RFC 3923 §8), no body.
     *
     * @param authenticationResults the gateway's signature check to send along, if it tags messages
     */
    public static Mapped<XmppMessage> translate(SecuredMessage message, AddressMapping addresses, String id,
                                                Optional<String> authenticationResults) {
        Mapped<Jid> from = addresses.toJid(message.from(), message.to().host());
        if (!from.isOk()) {
            return from.map(f -> null);
        }
        return addresses.toJid(message.to()).map(to -> new XmppMessage(from.orThrow(), to, Optional.of(id),
                MessageType.NORMAL, Optional.empty(), List.of(), List.of(), message.thread(), Optional.empty(),
                Optional.empty(), Optional.of(new E2ePayload(message.object().toE2e(), authenticationResults))));
    }

    private static List<LocalizedText> relative(List<LocalizedText> texts, Optional<String> stanzaLang) {
        List<LocalizedText> out = new ArrayList<>(texts.size());
        for (LocalizedText t : texts) {
            LocalizedText r = LocalizedText.sameLanguage(t.lang(), stanzaLang) ? LocalizedText.of(t.text()) : t;
            if (r.lang().isEmpty() && stanzaLang.isPresent() && !LocalizedText.sameLanguage(t.lang(), stanzaLang)) {
                continue;
            }
            if (LocalizedText.inLanguage(out, stanzaLang, r.lang().or(() -> stanzaLang)).isEmpty()) {
                out.add(r);
            }
        }
        return out;
    }
}
