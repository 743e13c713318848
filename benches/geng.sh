#!/usr/bin/env bash
# Canonical forms vs nauty's geng: graphs on n = FROM..TO vertices (default 7..10), of the
# class given by geng's SWITCHES (default: all graphs), timed in one run on the same machine.
# Prints one line per tool, n and repetition, then the ratios of the medians.
#
#   benches/geng.sh [FROM] [TO] [REPEAT] [SWITCHES]
#   benches/geng.sh 10 11 3            # all graphs
#   benches/geng.sh 13 13 3 "-t"       # triangle-free graphs on 13 vertices
#   benches/geng.sh 10 10 3 "-c 10:12" # connected, 10 to 12 edges
#
# Needs `nauty-geng` (Debian package `nauty`). Our side is examples/graphs.rs, serial
# (`run(false)`) and parallel (`run(true)`, one thread per core), with `--geng SWITCHES` when
# switches are given (the class pruned during generation, `Graphs::geng`) and the plain
# `Subsets(Subsets(USet(n), 2, 2))` domain otherwise. `secs` is wall-clock time (geng: of the
# process; ours: of the run for that n, as the example reports it); `cpu` is the user CPU time
# of the whole process (ours also runs n = 1..n-1 first, a negligible part), which shows how
# much CPU a loaded machine actually gave. The ratios: serial user CPU over geng's user CPU
# (the per-core goal), and `run(true)` wall over geng's wall.
set -euo pipefail
FROM=${1:-7}
TO=${2:-10}
REPEAT=${3:-1}
SWITCHES=${4:-}
cd "$(dirname "$0")/.."
cargo build --release --example graphs >/dev/null 2>&1
BIN=${CARGO_TARGET_DIR:-target}/release/examples/graphs
FLAGS=() RANGE=() OURS=()
for w in $SWITCHES; do
    case $w in
        -*) FLAGS+=("$w") ;;
        *) RANGE+=("$w") ;;
    esac
done
if [ -n "$SWITCHES" ]; then OURS=(--geng "$SWITCHES"); fi
echo "# $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); switches: '${SWITCHES}'"
T=$(mktemp)
E=$(mktemp)
L=$(mktemp)
trap 'rm -f "$T" "$E" "$L"' EXIT
for n in $(seq "$FROM" "$TO"); do
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -o "$T" -f "%e %U" nauty-geng -u "${FLAGS[@]}" "$n" "${RANGE[@]}" 2>"$E" >/dev/null
        c=$(sed -n 's/.*>Z \([0-9]*\) graphs.*/\1/p' "$E")
        read -r s u <"$T"
        echo "geng     n=$n graphs=$c secs=$s cpu=$u" | tee -a "$L"
        for mode in serial parallel; do
            line=$(/usr/bin/time -o "$T" -f "%U" "$BIN" "$n" "$mode" "${OURS[@]}" | tail -1)
            printf '%-8s %s cpu=%s\n' "$mode" "$line" "$(cat "$T")" | tee -a "$L"
        done
    done
    echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
# medians per tool and n, then the ratios (POSIX awk: no asort)
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { grep "^$1 *n=$2 " "$L" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
for n in $(seq "$FROM" "$TO"); do
    gc=$(field geng "$n" cpu | median)
    gs=$(field geng "$n" secs | median)
    sc=$(field serial "$n" cpu | median)
    ps=$(field parallel "$n" secs | median)
    awk -v n="$n" -v gc="$gc" -v gs="$gs" -v sc="$sc" -v ps="$ps" 'BEGIN {
        r1 = (gc > 0) ? sprintf("%.2f", sc / gc) : "-"; r2 = (gs > 0) ? sprintf("%.2f", ps / gs) : "-"
        printf "ratio n=%s serial_cpu/geng_cpu=%s (%.2f / %.2f s) parallel_wall/geng_wall=%s (%.3f / %.2f s)\n", n, r1, sc, gc, r2, ps, gs }'
done
