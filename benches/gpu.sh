#!/usr/bin/env bash
# The accelerator benchmark (issue 12): on a machine with a GPU, the n = 6 Černý search
# (2.2e9 automata) and a 2^32-index predicate search, each on the GPU alone, on all CPU threads
# and on both together, in one run (the modes must agree; each prints its time and rate).
#
#   benches/gpu.sh prepare   # here (no GPU needed): release build, binaries into bench-bin/,
#                            # and the Vulkan loader .debs into .gl/ (for a device machine
#                            # whose image has no libvulkan)
#   benches/gpu.sh run       # on the GPU machine, from the repository root (bench-bin/ and
#                            # .gl/ carried there); the whole run stays under 5 minutes
#   benches/gpu.sh lavapipe  # here, on Mesa's software device: correctness at small sizes
#
# Never run n = 6 on lavapipe: at about 2.4e5 automata/s it would take hours.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

case "${1:-}" in
prepare)
  cargo build --release -p haydi --features gpu --example gpu_cerny --example gpu_bench
  mkdir -p bench-bin
  cp target/release/examples/gpu_cerny target/release/examples/gpu_bench bench-bin/
  if [ ! -d .gl ] || ! ls .gl/*.deb >/dev/null 2>&1; then
    lists=$(mktemp -d)  # a private folder for apt's package lists (no predictable /tmp name)
    mkdir -p .gl "$lists/partial"
    o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
    # shellcheck disable=SC2086
    apt-get $o update -qq && (cd .gl && apt-get $o download libvulkan1)
  fi
  ls -l bench-bin .gl
  echo "carry: bench-bin .gl; then run: benches/gpu.sh run"
  ;;
run)
  if ! ldconfig -p | grep -q libvulkan; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  echo "cores: $(nproc)"
  # The 2^32-index predicate search: device, all CPU threads, hybrid (they must agree).
  # Time limits: 45 + 30 + 30 + 150 s at most, so the whole run stays under 5 minutes; a mode
  # that runs out says so and the others still run.
  timeout 45 bench-bin/gpu_bench 32 || echo "gpu_bench 32: failed or timed out (rc=$?)"
  # n = 6: 6^12 = 2.2e9 automata; the longest shortest reset word is 25 = (6-1)^2.
  timeout 30 bench-bin/gpu_cerny 6 --mode device || echo "gpu_cerny 6 device: failed or timed out (rc=$?)"
  timeout 30 bench-bin/gpu_cerny 6 --mode hybrid || echo "gpu_cerny 6 hybrid: failed or timed out (rc=$?)"
  timeout 150 bench-bin/gpu_cerny 6 --mode cpu || echo "gpu_cerny 6 cpu: failed or timed out (rc=$?)"
  ;;
lavapipe)
  cargo build --release -p haydi --features gpu --example gpu_cerny --example gpu_bench
  b=target/release/examples
  $b/gpu_bench 24
  $b/gpu_cerny 5 --mode device
  $b/gpu_cerny 5 --mode cpu
  $b/gpu_cerny 5 --mode hybrid --check
  ;;
*)
  echo "usage: benches/gpu.sh prepare|run|lavapipe" >&2
  exit 2
  ;;
esac
