package org.isthmus.mapping.presence;

import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.document.pidf.Activity;

/**
 * XMPP {@code <show/>} against RPID activities (RFC 4480 §3.2). RFC 8048 §6.2 note 7 defines no such
 * table: it recommends carrying {@code <show/>} itself in the PIDF status and leaves translation into
 * other extensions to the gateway, asking it to include both. This is Isthmus's table, used in addition to
 * the carried {@code <show/>}, chosen from the activities' definitions in RFC 4480 §3.2:
 * <pre>
 *   XMPP → RPID   away → away, xa → away, dnd → busy, chat → (none)
 *   RPID → XMPP   busy, on-the-phone, meeting, appointment, performance, presentation, steering,
 *                 worship → dnd;
 *                 permanent-absence, vacation, holiday, travel, sleeping → xa;
 *                 away, breakfast, lunch, dinner, meal, in-transit, shopping, spectator, playing, tv,
 *                 looking-for-work → away;
 *                 working, unknown, other → (none: available)
 *   several activities: dnd before xa before away.
 * </pre>
 * The RFC 3922 §5.2.10 status extension {@code <im:im>} maps as its example shows (busy → dnd), with
 * away and the four XMPP values taken literally.
 */
final class ShowActivities {

    private ShowActivities() {
    }

    /** The activity a show stands for, if any. */
    static Optional<Activity> activityFor(Show show) {
        return switch (show) {
            case AWAY, XA -> Optional.of(Activity.AWAY);
            case DND -> Optional.of(Activity.BUSY);
            case CHAT -> Optional.empty();
        };
    }

    /** The show that best sums up a person's activities, if any. */
    static Optional<Show> showFor(List<Activity> activities) {
        Show best = null;
        for (Activity a : activities) {
            Show s = showFor(a);
            if (s != null && (best == null || rank(s) > rank(best))) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    private static Show showFor(Activity a) {
        return switch (a) {
            case BUSY, ON_THE_PHONE, MEETING, APPOINTMENT, PERFORMANCE, PRESENTATION, STEERING, WORSHIP -> Show.DND;
            case PERMANENT_ABSENCE, VACATION, HOLIDAY, TRAVEL, SLEEPING -> Show.XA;
            case AWAY, BREAKFAST, LUNCH, DINNER, MEAL, IN_TRANSIT, SHOPPING, SPECTATOR, PLAYING, TV,
                 LOOKING_FOR_WORK -> Show.AWAY;
            case WORKING, UNKNOWN -> null;
        };
    }

    private static int rank(Show s) {
        return switch (s) {
            case DND -> 3;
            case XA -> 2;
            case AWAY -> 1;
            case CHAT -> 0;
        };
    }

    /** The show for an RFC 3922 §5.2.10 {@code <im:im>} value, if it has one. */
    static Optional<Show> showForImStatus(String im) {
        if (im.equals("busy")) {
            return Optional.of(Show.DND);
        }
        return Show.fromWire(im);
    }

    /**
     * How available a tuple is, for choosing the person's activity among several resources (RFC 8048
     * §6.2, last paragraph: a SIP UA typically shows the "most available" state): no show or chat, then
     * away, then xa, then dnd.
     */
    static int availability(Optional<Show> show) {
        return show.map(s -> 3 - rank(s)).orElse(3);
    }
}
