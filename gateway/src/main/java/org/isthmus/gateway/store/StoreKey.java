package org.isthmus.gateway.store;

/**
 * The key of one stored value: a namespace (one per kind of record, e.g. {@code mirror} or
 * {@code dialogs}) and a name within it (e.g. the bare JID pair or the dialog id).
 *
 * <p>A namespace is 1 to {@value #MAX_NAMESPACE_LENGTH} characters of {@code [a-z0-9._-]}, starting with
 * a letter or digit, so it can never contain the separator or a Redis hash-tag brace. A name is 1 to
 * {@value #MAX_NAME_LENGTH} characters with no control characters and no unpaired surrogates, so it
 * survives UTF-8 unchanged and can serve as a scan cursor.
 */
public record StoreKey(String namespace, String name) {

    /** The longest namespace. */
    public static final int MAX_NAMESPACE_LENGTH = 64;

    /** The longest name, in UTF-16 chars. */
    public static final int MAX_NAME_LENGTH = 1024;

    /** Checks both parts. */
    public StoreKey {
        checkNamespace(namespace);
        checkText("name", name, false);
    }

    /** The key {@code name} in {@code namespace}. */
    public static StoreKey of(String namespace, String name) {
        return new StoreKey(namespace, name);
    }

    /** Checks a namespace, for operations that take one without a name (scans). */
    static String checkNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty() || namespace.length() > MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException("namespace must be 1 to " + MAX_NAMESPACE_LENGTH + " characters");
        }
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
                throw new IllegalArgumentException("namespace may hold only [a-z0-9._-] and start with [a-z0-9]: "
                        + namespace);
            }
        }
        return namespace;
    }

    /** Checks a name prefix for a scan; unlike a name it may be empty. */
    static String checkPrefix(String prefix) {
        return checkText("prefix", prefix, true);
    }

    private static String checkText(String what, String text, boolean emptyAllowed) {
        if (text == null || (text.isEmpty() && !emptyAllowed) || text.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must be " + (emptyAllowed ? 0 : 1) + " to "
                    + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " holds a control character at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " holds an unpaired surrogate at index " + i);
            }
        }
        return text;
    }
}
