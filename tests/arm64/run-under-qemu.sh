#!/usr/bin/env bash
# Runs the engine's tests (HybridAI.Llama.Tests, with the fixtures' conformance tests) as an Arm64 build under QEMU's
# user-mode emulator, so that the 128-bit kernels' AdvSimd and dot-product (Dp) paths run on an x64 machine.
#
#   tests/arm64/run-under-qemu.sh [CPU ...]    default: neoverse-n1 (AdvSimd and Dp), cortex-a57 (AdvSimd without Dp)
#
# Needs qemu-aarch64 (Debian/Ubuntu package qemu-user; QEMU=path selects another build) and arm64 apt sources
# (as root: dpkg --add-architecture arm64 && apt-get update) to fetch the Arm64 C libraries into a private sysroot. .NET
# itself comes from NuGet (a self-contained linux-arm64 publish). Not part of .ci/run: emulation takes about six minutes
# per CPU on two cores. Results: docs/benchmarks.md, session 6.
set -euo pipefail
cd "$(dirname "$0")/../.."

qemu="${QEMU:-qemu-aarch64}"
work="${HYBRIDAI_ARM64_WORK:-${TMPDIR:-/tmp}/hybridai-arm64}"
cpus=("$@")
[ ${#cpus[@]} -gt 0 ] || cpus=(neoverse-n1 cortex-a57)
export HYBRIDAI_FIXTURES="${HYBRIDAI_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

command -v "$qemu" >/dev/null || { echo "qemu-aarch64 not found: install qemu-user, or set QEMU=/path/to/qemu-aarch64." >&2; exit 2; }

sysroot="$work/sysroot"
if [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  mkdir -p "$work/debs" "$sysroot"
  if ! (cd "$work/debs" && apt-get download libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 zlib1g:arm64 libssl3:arm64); then
    echo "Could not download the arm64 libraries; as root, run: dpkg --add-architecture arm64 && apt-get update" >&2
    exit 2
  fi
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
fi

echo "Publishing HybridAI.Llama.Tests for linux-arm64..."
dotnet publish tests/HybridAI.Llama.Tests -c Release -r linux-arm64 --self-contained -o "$work/tests" >/dev/null

failed=0
for cpu in "${cpus[@]}"; do
  log="$work/$cpu.log"
  "$qemu" -cpu "$cpu" -L "$sysroot" "$work/tests/HybridAI.Llama.Tests" > "$log" 2>&1 || true
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a 'Total:' | tail -1)
  echo "$cpu: ${summary:-no summary, see $log}"
  # Any failure, or a run that did not finish, fails the script.
  if ! grep -q 'Failed: 0,' <<<"$summary" || ! grep -q 'Errors: 0,' <<<"$summary"; then
    failed=1
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a -A5 '\[FAIL\]' | head -40
  fi
done
exit $failed
