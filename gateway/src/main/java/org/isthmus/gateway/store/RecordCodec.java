package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Turns one kind of state record into the bytes a {@link StateStore} keeps, and back. Decoding reads
 * only what the gateway wrote, so a failure there means a corrupt or foreign entry; it may throw any
 * unchecked exception, which {@link RecordStore} reports as a {@link StoreException} naming the key.
 *
 * @param <T> the record type
 */
public interface RecordCodec<T> {

    /** The stored form of {@code value}. */
    byte[] encode(T value);

    /** The record stored as {@code bytes}. */
    T decode(byte[] bytes);

    /** Strings as UTF-8. */
    static RecordCodec<String> utf8() {
        return text(Function.identity(), Function.identity());
    }

    /**
     * A codec from a text form, stored as UTF-8; e.g. for SIP subscription dialogs
     * {@code RecordCodec.text(SubscriptionDialogCodec::format, SubscriptionDialogCodec::parse)}.
     */
    static <T> RecordCodec<T> text(Function<? super T, String> format, Function<String, ? extends T> parse) {
        return new RecordCodec<>() {
            @Override
            public byte[] encode(T value) {
                return format.apply(value).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public T decode(byte[] bytes) {
                return parse.apply(new String(bytes, StandardCharsets.UTF_8));
            }
        };
    }
}
