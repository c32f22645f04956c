#!/usr/bin/env bash
# Runs the same arguments on the real Maelstrom (Jepsen, Clojure), for comparison with the local
# bench: `bash maelstrom/real.sh test -w lin-kv --bin dist/node.js --node-count 3 ...`.
# Uses $MAELSTROM_JAR (run with java -jar) if set, else a `maelstrom` command on the PATH.
set -euo pipefail

if [[ -n "${MAELSTROM_JAR:-}" ]]; then
  if [[ ! -f "$MAELSTROM_JAR" ]]; then
    echo "real.sh: MAELSTROM_JAR=$MAELSTROM_JAR is not a file" >&2
    exit 2
  fi
  if ! command -v java >/dev/null 2>&1; then
    echo "real.sh: MAELSTROM_JAR is set but java is not installed (Maelstrom needs a JDK 11+)" >&2
    exit 2
  fi
  exec java -Djava.awt.headless=true -jar "$MAELSTROM_JAR" "$@"
fi

if command -v maelstrom >/dev/null 2>&1; then
  exec maelstrom "$@"
fi

cat >&2 <<'HELP'
real.sh: the real Maelstrom was not found.

Get it from https://github.com/jepsen-io/maelstrom/releases (maelstrom.tar.bz2), unpack it, then either
  export MAELSTROM_JAR=/path/to/maelstrom/lib/maelstrom.jar
or put the unpacked `maelstrom` script on your PATH. It needs a JDK (11 or later), gnuplot (plots;
without it the perf checker makes the verdict :unknown) and graphviz (message diagrams).
On Debian/Ubuntu: sudo apt-get install openjdk-17-jdk gnuplot graphviz

The local bench runs the same command without any of that:
  npm run maelstrom -- test -w lin-kv --bin dist/node.js ...
HELP
exit 2
