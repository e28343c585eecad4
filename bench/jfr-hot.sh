#!/usr/bin/env bash
# Hot spots of a flight recording of the gateway (bench/run-load.sh --jfr writes isthmus.jfr into its
# work directory): the methods most often on top of the stack in jdk.ExecutionSample events, the
# threads sampled, and, per sample, the first frame of Isthmus, JAIN-SIP, Netty, logging or XML code.
#
#   bench/jfr-hot.sh /tmp/isthmus-load-XXXX/isthmus.jfr [top-N]
set -euo pipefail
recording=${1:?usage: bench/jfr-hot.sh RECORDING.jfr [top-N]}
top=${2:-25}
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
jfr print --events jdk.ExecutionSample --stack-depth 64 "$recording" > "$samples"

echo "== samples: $(grep -c 'jdk.ExecutionSample' "$samples")"
echo
echo "== top frames (self time)"
awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print }' "$samples" \
    | sort | uniq -c | sort -rn | head -n "$top"
echo
echo "== threads"
awk -F'"' '/sampledThread = / { print $2 }' "$samples" | sed -E 's/-[0-9]+$/-N/; s/-[0-9]+-/-N-/g' \
    | sort | uniq -c | sort -rn | head -n 15
echo
echo "== by component (first frame of a known package from the top of each sample)"
awk '
  /stackTrace = \[/ { inside = 1; found = ""; next }
  inside && /^[ \t]*\]/ { print (found == "" ? "other (JDK, GC-free runtime)" : found); inside = 0; next }
  inside && found == "" {
    if ($0 ~ /ch\.qos\.logback|org\.slf4j/) found = "logging (logback)"
    else if ($0 ~ /gov\.nist|javax\.sip/) found = "JAIN-SIP (gov.nist)"
    else if ($0 ~ /io\.netty/) found = "Netty"
    else if ($0 ~ /com\.fasterxml\.aalto|org\.codehaus\.stax2|javax\.xml|com\.sun\.org\.apache\.xerces/) found = "XML (Aalto/StAX)"
    else if ($0 ~ /com\.ibm\.icu|rocks\.xmpp\.precis/) found = "ICU4J / PRECIS"
    else if ($0 ~ /org\.isthmus\.mapping/) found = "isthmus mapping"
    else if ($0 ~ /org\.isthmus/) found = "isthmus (edges, gateway)"
  }
' "$samples" | sort | uniq -c | sort -rn
echo
echo "== inclusive: samples with an Isthmus method anywhere on the stack, by its first (innermost) Isthmus frame"
awk '
  /stackTrace = \[/ { inside = 1; found = ""; next }
  inside && /^[ \t]*\]/ { if (found != "") print found; inside = 0; next }
  inside && found == "" && /org\.isthmus\./ { f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f); found = f }
' "$samples" | sort | uniq -c | sort -rn | head -n "$top"
