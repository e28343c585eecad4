package org.isthmus.sip.stack;

import java.text.ParseException;

import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.parser.ViaParser;

/**
 * JAIN-SIP's Via parser, with the input it cannot stop on refused first. In 1.3.0-91 a Via comment
 * whose last character is a backslash makes {@link ViaParser} escape the line end and then loop past
 * the end of the header, appending to a buffer until the heap is gone: one datagram stops the stack
 * (found by fuzzing, {@code SipRequestFuzzTest}). A Via has no comments at all in RFC 3261's grammar
 * (§25.1 {@code via-parm}); JAIN-SIP reads them leniently, and this parser keeps that for a comment
 * that ends, refusing one that does not like any other malformed Via. JAIN-SIP creates header parsers
 * by name from its parser table ({@link EdgeSipStack#registerParsers()}).
 */
public final class GuardedViaParser extends ViaParser {

    private final String header;

    /** A parser for one header line, {@code Via: ...}, as JAIN-SIP's parser table creates it. */
    public GuardedViaParser(String header) {
        super(header);
        this.header = header;
    }

    @Override
    public SIPHeader parse() throws ParseException {
        int comment = unterminatedComment(header);
        if (comment >= 0) {
            throw new ParseException("Via comment not closed (RFC 3261 §25.1)", comment);
        }
        return super.parse();
    }

    /**
     * Where a comment (RFC 3261 §25.1 {@code comment}, with quoted pairs and nesting) starts that the
     * line does not close, or -1. Quoted strings are skipped, as a parenthesis inside one is text.
     */
    static int unterminatedComment(String line) {
        int i = line.indexOf(':') + 1;
        while (i > 0 && i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                i = skipQuoted(line, i);
            } else if (c == '(') {
                int end = commentEnd(line, i);
                if (end < 0) {
                    return i;
                }
                i = end;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The index after the comment opened at {@code open}, or -1 if the line ends inside it. */
    private static int commentEnd(String line, int open) {
        int depth = 0;
        int i = open;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\r' || c == '\n') {
                return -1;
            }
            if (c == '\\') {
                if (i + 1 >= line.length() || line.charAt(i + 1) == '\r' || line.charAt(i + 1) == '\n') {
                    return -1;
                }
                i += 2;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    /** The index after the quoted string opened at {@code open}, or the line's length if it does not end. */
    private static int skipQuoted(String line, int open) {
        int i = open + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
        return line.length();
    }
}
