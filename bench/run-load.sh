#!/usr/bin/env bash
# The end-to-end load driver of issue 7 (org.isthmus.bench.load.LoadDriver): starts its own Prosody
# and the built Isthmus jar on loopback, drives them with SIPp and a pipelining XMPP client, and prints
# the figures as Markdown. Needs prosody, prosodyctl and sipp on PATH (.ci/install-peers installs them);
# with kamailio and kamailio-xmpp-modules installed too, it runs the same work through Kamailio's gateway.
#
#   bench/run-load.sh [--messages N] [--rate R] [--no-ramp] [--jfr] ...   (--help for all options)
#
# Builds the jars first when they are missing (mvn -B -o -q package -DskipTests -Djacoco.skip=true).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f bench/target/benchmarks.jar || ! -f gateway/target/isthmus.jar ]]; then
    mvn -B -o -q package -DskipTests -Djacoco.skip=true
fi
exec java -cp bench/target/benchmarks.jar org.isthmus.bench.load.LoadDriver "$@"
