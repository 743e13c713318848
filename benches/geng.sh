#!/usr/bin/env bash
# Canonical forms vs nauty's geng: undirected graphs on n = FROM..TO vertices (default 7..10),
# timed in one run on the same machine. Prints one line per tool and n.
#
#   benches/geng.sh [FROM] [TO]
#
# Needs `nauty-geng` (Debian package `nauty`). Our side is examples/graphs.rs, serial
# (`run(false)`) and parallel (`run(true)`, one thread per core).
set -euo pipefail
FROM=${1:-7}
TO=${2:-10}
cd "$(dirname "$0")/.."
cargo build --release --example graphs >/dev/null 2>&1
BIN=${CARGO_TARGET_DIR:-target}/release/examples/graphs
echo "# $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $(seq "$FROM" "$TO"); do
    s=$( { /usr/bin/time -f "%e" nauty-geng -u "$n" 2>&1 >/dev/null; } | tail -1)
    c=$(nauty-geng -u "$n" 2>&1 | sed -n 's/.*>Z \([0-9]*\) graphs.*/\1/p')
    echo "geng     n=$n graphs=$c secs=$s"
    "$BIN" "$n" serial | tail -1 | sed 's/^/serial   /'
    "$BIN" "$n" parallel | tail -1 | sed 's/^/parallel /'
done
