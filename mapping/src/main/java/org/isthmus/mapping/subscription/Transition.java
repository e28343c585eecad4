package org.isthmus.mapping.subscription;

import java.util.List;
import java.util.Objects;

/**
 * The result of one event: the new state and the actions to take, in order.
 *
 * @param state   the state after the event
 * @param actions what to send and schedule, in the order given
 */
public record Transition(MirrorState state, List<MirrorAction> actions) {
    public Transition {
        Objects.requireNonNull(state, "state");
        actions = List.copyOf(actions);
    }
}
