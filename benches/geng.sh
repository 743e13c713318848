#!/usr/bin/env bash
# Canonical forms vs nauty's geng: undirected graphs on n = FROM..TO vertices (default 7..10),
# timed in one run on the same machine. Prints one line per tool, n and repetition.
#
#   benches/geng.sh [FROM] [TO] [REPEAT]
#
# Needs `nauty-geng` (Debian package `nauty`). Our side is examples/graphs.rs, serial
# (`run(false)`) and parallel (`run(true)`, one thread per core). `secs` is wall-clock time
# (geng: of the process; ours: of the run for that n, as the example reports it); `cpu` is the
# user CPU time of the whole process (ours also runs n = 1..n-1 first, a negligible part), which
# shows how much CPU a loaded machine actually gave.
set -euo pipefail
FROM=${1:-7}
TO=${2:-10}
REPEAT=${3:-1}
cd "$(dirname "$0")/.."
cargo build --release --example graphs >/dev/null 2>&1
BIN=${CARGO_TARGET_DIR:-target}/release/examples/graphs
echo "# $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
T=$(mktemp)
trap 'rm -f "$T"' EXIT
for n in $(seq "$FROM" "$TO"); do
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -o "$T" -f "%e %U" nauty-geng -u "$n" >/dev/null 2>&1
        c=$(nauty-geng -u "$n" 2>&1 | sed -n 's/.*>Z \([0-9]*\) graphs.*/\1/p')
        read -r s u <"$T"
        echo "geng     n=$n graphs=$c secs=$s cpu=$u"
        for mode in serial parallel; do
            line=$(/usr/bin/time -o "$T" -f "%U" "$BIN" "$n" "$mode" | tail -1)
            printf '%-8s %s cpu=%s\n' "$mode" "$line" "$(cat "$T")"
        done
    done
    echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
