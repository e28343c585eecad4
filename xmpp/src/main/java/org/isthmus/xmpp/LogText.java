package org.isthmus.xmpp;

/** Makes peer-supplied text safe for a one-line log entry (STYLE rule 6): no line breaks, bounded length. */
public final class LogText {

    private static final int MAX_CHARS = 200;

    private LogText() {
    }

    /** The text with line breaks and controls escaped and at most 200 characters kept; "" for null. */
    public static String of(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (sb.length() >= MAX_CHARS) {
                sb.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
