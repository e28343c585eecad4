package org.isthmus.mapping.document.imdn;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * What an IMDN reports (RFC 5438 §5): a disposition type and the state the IM reached in it, carried
 * as a {@code <delivery-notification>}, {@code <display-notification>} or
 * {@code <processing-notification>} whose {@code <status>} holds one state element (§11.1.6, §11.1.7).
 *
 * @param type  the disposition type
 * @param state the state; one that {@link State#allowedIn(Type)} the type
 */
public record Disposition(Type type, State state) {

    public Disposition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        if (!state.allowedIn(type)) {
            throw new MappingException("state " + state.elementName() + " is not a " + type.elementName()
                    + " state (RFC 5438 §11.1.7)");
        }
    }

    /** The delivery failure an intermediary or recipient reports for negative-delivery (RFC 5438 §5.1, §8.2). */
    public static Disposition deliveryFailed() {
        return new Disposition(Type.DELIVERY, State.FAILED);
    }

    /** The disposition types of RFC 5438 §5, by the element that carries each (§11.1.6). */
    public enum Type {
        /** RFC 5438 §5.1. */
        DELIVERY("delivery-notification"),
        /** RFC 5438 §5.2. */
        PROCESSING("processing-notification"),
        /** RFC 5438 §5.3. */
        DISPLAY("display-notification");

        private final String elementName;

        Type(String elementName) {
            this.elementName = elementName;
        }

        /** The local name of the element in the IMDN namespace. */
        public String elementName() {
            return elementName;
        }

        /** The type carried by an element of this local name, if any. */
        public static Optional<Type> fromElementName(String name) {
            return Arrays.stream(values()).filter(t -> t.elementName.equals(name)).findFirst();
        }
    }

    /** The states of RFC 5438 §5 and the schema of §11.1.9, each with the types it belongs to. */
    public enum State {
        /** RFC 5438 §5.1. */
        DELIVERED(Type.DELIVERY),
        /** RFC 5438 §5.1. */
        FAILED(Type.DELIVERY),
        /** RFC 5438 §5.2. */
        PROCESSED(Type.PROCESSING),
        /** RFC 5438 §5.2. */
        STORED(Type.PROCESSING),
        /** RFC 5438 §5.3. */
        DISPLAYED(Type.DISPLAY),
        /** RFC 5438 §5.1–§5.3: the IMDN was denied (the schema's commonDispositionStatus). */
        FORBIDDEN(null),
        /** RFC 5438 §5.1–§5.3: the fate of the IM could not be determined (commonDispositionStatus). */
        ERROR(null);

        /** The one type of this state, or null for a state that every type has. */
        private final Type onlyIn;
        private final String elementName;

        State(Type onlyIn) {
            this.onlyIn = onlyIn;
            this.elementName = name().toLowerCase(Locale.ROOT);
        }

        /** Whether a notification of this type may report this state (RFC 5438 §11.1.7). */
        public boolean allowedIn(Type type) {
            return onlyIn == null || onlyIn == type;
        }

        /** The local name of the state element in the IMDN namespace, e.g. {@code failed}. */
        public String elementName() {
            return elementName;
        }

        /** The state of an element of this local name, if any. */
        public static Optional<State> fromElementName(String name) {
            return Arrays.stream(values()).filter(s -> s.elementName.equals(name)).findFirst();
        }
    }
}
