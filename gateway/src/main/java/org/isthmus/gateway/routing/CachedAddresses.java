package org.isthmus.gateway.routing;

import java.util.Objects;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.AddressMapping;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;

/**
 * The address rules with the answers for recent addresses kept: most messages are between the same
 * few users, and mapping one address (XEP-0106 escaping, RFC 7622 preparation with PRECIS and IDNA,
 * RFC 7247 §6) costs microseconds that a look-up does not (issue 7). The answers are the mapper's own
 * objects, so a cached answer is the answer; the rules do not change while the gateway runs.
 *
 * <p>Each kind of question has a fixed table of slots, indexed by the question's hash (a direct-mapped
 * cache): a question whose slot holds another is mapped and takes the slot. Bounded by construction,
 * no locks, no bookkeeping per look-up; a slot is an immutable entry, so a thread that reads a slot
 * another thread is writing sees the old entry or the new one, whole.
 */
final class CachedAddresses implements AddressMapping {

    /** Slots per kind of question: a power of two. */
    static final int SLOTS = 2048;

    private final AddressMapper mapper;
    private final Entry[] fromSip = new Entry[SLOTS];
    private final Entry[] toJid = new Entry[SLOTS];
    private final Entry[] toJidFor = new Entry[SLOTS];
    private final Entry[] fromJid = new Entry[SLOTS];
    private final Entry[] toSipUri = new Entry[SLOTS];

    CachedAddresses(AddressMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** One question and its answer; {@code second} is the counterpart domain, or null. */
    private record Entry(Object first, Object second, Object answer) {
    }

    private static int slot(Object first, Object second) {
        int h = first.hashCode() * 31 + (second == null ? 0 : second.hashCode());
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }

    /** A question to the mapper; the implementations capture nothing, so asking allocates no function. */
    @FunctionalInterface
    private interface Question {
        Object ask(AddressMapper mapper, Object first, Object second);
    }

    private static final Question FROM_SIP = (m, uri, none) -> m.fromSip((SipUri) uri);
    private static final Question TO_JID = (m, address, none) -> m.toJid((ImUri) address);
    private static final Question TO_JID_FOR = (m, address, domain) -> m.toJid((ImUri) address, (String) domain);
    private static final Question FROM_JID = (m, jid, none) -> m.fromJid((Jid) jid);
    private static final Question TO_SIP_URI = (m, address, none) -> m.toSipUri((ImUri) address);

    /** The answer in {@code table} for the question, else the mapper's, which then takes the question's slot. */
    private Object answer(Entry[] table, Question question, Object first, Object second) {
        int slot = slot(first, second);
        Entry e = table[slot];
        if (e != null && e.first().equals(first) && Objects.equals(e.second(), second)) {
            return e.answer();
        }
        Object answer = question.ask(mapper, first, second);
        table[slot] = new Entry(first, second, answer);
        return answer;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mapped<ImUri> fromSip(SipUri uri) {
        return (Mapped<ImUri>) answer(fromSip, FROM_SIP, uri, null);
    }

    @Override
    public boolean isXmppUser(ImUri address) {
        return mapper.isXmppUser(address);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mapped<Jid> toJid(ImUri address) {
        return (Mapped<Jid>) answer(toJid, TO_JID, address, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mapped<Jid> toJid(ImUri address, String counterpartDomain) {
        return (Mapped<Jid>) answer(toJidFor, TO_JID_FOR, address, counterpartDomain);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mapped<ImUri> fromJid(Jid jid) {
        return (Mapped<ImUri>) answer(fromJid, FROM_JID, jid, null);
    }

    @Override
    public SipUri toSipUri(ImUri address) {
        return (SipUri) answer(toSipUri, TO_SIP_URI, address, null);
    }
}
