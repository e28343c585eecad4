package org.isthmus.mapping.document.pidf;

import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * The relative priority of a contact address (RFC 3863 §4.1.5 and the {@code qvalue} type of §4.4): a
 * decimal number from 0 to 1 with at most three digits after the point, held exactly in thousandths.
 *
 * @param thousandths the value times 1000, from 0 to 1000
 */
public record Qvalue(int thousandths) implements Comparable<Qvalue> {

    /** The lowest priority, which RFC 3863 §4.1.5 also assigns to a contact without one. */
    public static final Qvalue MIN = new Qvalue(0);
    /** The highest priority. */
    public static final Qvalue MAX = new Qvalue(1000);

    public Qvalue {
        if (thousandths < 0 || thousandths > 1000) {
            throw new MappingException("qvalue out of range: " + thousandths + "/1000");
        }
    }

    /**
     * Parses an attribute value against the patterns {@code 0(.[0-9]{0,3})?} and {@code 1(.0{0,3})?}
     * of RFC 3863 §4.4; anything else is empty, since §4.1.5 says to ignore an out-of-range value.
     */
    public static Optional<Qvalue> parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.length() > 5 || (s.charAt(0) != '0' && s.charAt(0) != '1')) {
            return Optional.empty();
        }
        int whole = s.charAt(0) - '0';
        int fraction = 0;
        if (s.length() > 1) {
            if (s.charAt(1) != '.') {
                return Optional.empty();
            }
            int scale = 100;
            for (int i = 2; i < s.length(); i++, scale /= 10) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return Optional.empty();
                }
                fraction += (c - '0') * scale;
            }
        }
        int value = whole * 1000 + fraction;
        return value > 1000 ? Optional.empty() : Optional.of(new Qvalue(value));
    }

    /** The shortest decimal form: {@code 0}, {@code 1}, {@code 0.8}, {@code 0.102}. */
    @Override
    public String toString() {
        if (thousandths == 0 || thousandths == 1000) {
            return thousandths == 0 ? "0" : "1";
        }
        String digits = String.format("%03d", thousandths);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        return "0." + digits.substring(0, end);
    }

    @Override
    public int compareTo(Qvalue other) {
        return Integer.compare(thousandths, other.thousandths);
    }
}
