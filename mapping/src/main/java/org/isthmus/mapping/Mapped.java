package org.isthmus.mapping;

import java.util.Objects;
import java.util.function.Function;

import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The result of a mapping: either a value or a {@link Rejected} reason. Mapping code returns this
 * instead of throwing, so each edge can render a failure as its protocol's error.
 *
 * @param <T> the type of the mapped value
 */
public sealed interface Mapped<T> {

    /** A successful mapping. */
    record Ok<T>(T value) implements Mapped<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A mapping that was refused, with the reason. */
    record Failed<T>(Rejected rejected) implements Mapped<T> {
        public Failed {
            Objects.requireNonNull(rejected, "rejected");
        }
    }

    static <T> Mapped<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Mapped<T> rejected(StanzaErrorCondition condition, String text) {
        return new Failed<>(new Rejected(condition, text));
    }

    static <T> Mapped<T> rejected(Rejected rejected) {
        return new Failed<>(rejected);
    }

    /** Applies {@code next} to a value; passes a rejection through unchanged. */
    default <U> Mapped<U> then(Function<? super T, Mapped<U>> next) {
        if (this instanceof Ok<T> ok) {
            return next.apply(ok.value());
        }
        return new Failed<>(((Failed<T>) this).rejected());
    }

    /** Transforms a value; passes a rejection through unchanged. */
    default <U> Mapped<U> map(Function<? super T, ? extends U> f) {
        return then(v -> ok(f.apply(v)));
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; throws {@link MappingException} on a rejection (for callers that checked first, and tests). */
    default T orThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        Rejected r = ((Failed<T>) this).rejected();
        throw new MappingException(r.condition() + ": " + r.text());
    }
}
