package org.isthmus.sip;

/** Peer-supplied text made safe for one log line: control characters escaped, length capped. */
final class LogText {

    private static final int MAX_CHARS = 256;

    private LogText() {
    }

    static String safe(Object value) {
        if (value == null) {
            return "-";
        }
        String text = value.toString();
        if (clean(text)) {
            return text;
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8);
        for (int i = 0; i < text.length() && i < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > MAX_CHARS) {
            sb.append("...");
        }
        return sb.toString();
    }

    /** Whether {@code text} is short enough and has no control character: kept as it is, not copied. */
    private static boolean clean(String text) {
        if (text.length() > MAX_CHARS) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
