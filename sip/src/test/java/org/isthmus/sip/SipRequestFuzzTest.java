package org.isthmus.sip;

import java.text.ParseException;
import java.util.Set;

import javax.sip.message.Request;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gov.nist.core.CommonLogger;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.AddressRules;
import org.isthmus.mapping.address.SipDomainMode;
import org.isthmus.mapping.message.CpimMessage;
import org.isthmus.mapping.message.CpimToXmpp;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.SipToCpim;
import org.isthmus.sip.stack.EdgeSipStack;
import org.isthmus.sip.stack.Slf4jStackLogger;

/**
 * Fuzzes whole SIP requests from the wire to the XMPP side, starting from RFC 3428's MESSAGE and
 * captures of the requests the gateway takes: the bytes parsed as JAIN-SIP's stack parses a datagram,
 * dropped where the stack drops them, then read at the edge ({@link RequestReader}) and, for a MESSAGE,
 * translated as the gateway does ({@link SipToCpim}, {@link CpimToXmpp}). Every request the stack
 * passes on gives a value or a refusal at each step, never an exception, in bounded time.
 */
class SipRequestFuzzTest {

    private static final AddressMapper ADDRESSES = new AddressMapper(
            AddressRules.component("sip.xmpp.example", Set.of("xmpp.example"))
                    .withFederatedDomains(Set.of("fed.example"))
                    .withTelephoneDomain("tel.example")
                    .withSipDomain("refused.example", SipDomainMode.REFUSED));

    private static final int MAX_BODY_BYTES = 8000;

    static {
        // What the edge's stack sets up before it reads a message: its header parsers, and logging
        // through SLF4J (without a stack, JAIN-SIP's parser would look for log4j).
        EdgeSipStack.registerParsers();
        CommonLogger.legacyLogger = new Slf4jStackLogger();
    }
    private static final SipHop SOURCE = new SipHop("192.0.2.7", 5060, "udp");

    @FuzzTest
    void read(byte[] datagram) {
        SIPMessage parsed;
        try {
            parsed = new StringMsgParser().parseSIPMessage(datagram, true, false, SipRequestFuzzTest::dropIfEssential);
        } catch (ParseException | RuntimeException e) {
            // The stack drops what it cannot parse (and survives what its parser throws) before the edge.
            return;
        }
        if (!(parsed instanceof SIPRequest request) || !passesTheStack(request)) {
            return;
        }
        RequestReader.checkScheme(request.getRequestURI());
        switch (request.getMethod()) {
            case Request.MESSAGE -> {
                if (RequestReader.message(request) instanceof Read.Ok<SipPagerMessage> ok) {
                    Mapped<CpimMessage> cpim = SipToCpim.translate(ok.value(), ADDRESSES, MAX_BODY_BYTES);
                    cpim.then(c -> CpimToXmpp.translate(c, ADDRESSES, "fuzz-1"));
                }
            }
            case Request.REGISTER -> RequestReader.registration(request, SOURCE);
            default -> {
                // Other methods are answered or handed to the presence roles without these readers.
            }
        }
    }

    /**
     * What JAIN-SIP's message channels do with a header that does not parse: the request is dropped if
     * it is one the stack needs (RFC 3261 §8.1.1's mandatory headers, Content-Length, the start line),
     * else the header is kept unparsed.
     */
    private static void dropIfEssential(ParseException e, SIPMessage message, Class<?> headerClass, String header,
                                        String text) throws ParseException {
        if (headerClass == From.class || headerClass == To.class || headerClass == CSeq.class
                || headerClass == Via.class || headerClass == CallID.class || headerClass == ContentLength.class
                || headerClass == RequestLine.class || headerClass == StatusLine.class) {
            throw e;
        }
        message.addUnparsed(header);
    }

    /** The checks the stack makes before it hands a request to the edge (SIP/2.0, mandatory headers, CSeq method). */
    private static boolean passesTheStack(SIPRequest request) {
        return request.getRequestLine() != null && "SIP/2.0".equals(request.getRequestLine().getSipVersion())
                && request.getFrom() != null && request.getTo() != null && request.getCallId() != null
                && request.getCSeq() != null && request.getViaHeaders() != null && request.getTopmostVia() != null
                && request.getMethod().equalsIgnoreCase(request.getCSeq().getMethod());
    }
}
