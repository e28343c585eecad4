package org.isthmus.mapping.presence;

/**
 * XMPP resource ⇄ PIDF tuple id. A tuple id is an {@code xs:ID} (RFC 3863 §4.4), narrower than a
 * resourcepart, so RFC 8048 §6.2 note 2 recommends prefixing {@code ID-}. Characters an XML name does
 * not allow (and the escape character {@code _} itself) are further written as {@code _hex_}, so that
 * the id is always valid and the resource comes back unchanged. The reverse strips {@code ID-} and
 * undoes the escapes; an id without the prefix is taken as it is.
 */
final class TupleIds {

    static final String PREFIX = "ID-";

    private TupleIds() {
    }

    /** The tuple id for an XMPP resource (empty for a bare JID). */
    static String fromInstance(String instance) {
        StringBuilder out = new StringBuilder(PREFIX.length() + instance.length());
        out.append(PREFIX);
        instance.codePoints().forEach(cp -> {
            if (cp == '-' || cp == '.' || (cp != '_' && Character.isLetterOrDigit(cp))) {
                out.appendCodePoint(cp);
            } else {
                out.append('_').append(Integer.toHexString(cp)).append('_');
            }
        });
        return out.toString();
    }

    /** The endpoint name for a tuple id. */
    static String toInstance(String tupleId) {
        if (!tupleId.startsWith(PREFIX)) {
            return tupleId;
        }
        String s = tupleId.substring(PREFIX.length());
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = c == '_' ? s.indexOf('_', i + 1) : -1;
            if (end > i + 1 && end - i <= 7 && isHex(s, i + 1, end)) {
                int cp = Integer.parseInt(s, i + 1, end, 16);
                if (Character.isValidCodePoint(cp)) {
                    out.appendCodePoint(cp);
                    i = end + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
