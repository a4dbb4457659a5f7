#!/usr/bin/env bash
# Runs the engine's tests (HybridAI.Llama.Tests, with the fixtures' conformance tests) with the AVX-VNNI kernels, on an x64
# machine whose CPU executes AVX-VNNI but whose CPUID does not report it: Sapphire or Emerald Rapids virtual machines whose
# hypervisor hides the bit, as on our 2-core machines. A small LD_PRELOAD library (avx-vnni-cpuid.c) answers CPUID with the
# bit set, through Linux's CPUID faulting; the instructions then run on the real CPU. On a machine that reports AVX-VNNI
# the ordinary test run already covers these kernels.
#
#   tests/x64/run-with-avx-vnni.sh
#
# Two runs: the AVX-512 path (its 256-bit kernels use vpdpbusd too), and DOTNET_EnableAVX512=0, the AVX2 + AVX-VNNI path of
# client CPUs (Alder Lake and later, Zen 5). Needs a C compiler (cc) and CPUID faulting (Linux 4.12+, Intel Ivy Bridge+).
# Not part of .ci/run: it depends on the CPU under the VM. Results: docs/benchmarks.md, session 7.
set -euo pipefail
cd "$(dirname "$0")/../.."

work="${HYBRIDAI_AVX_VNNI_WORK:-${TMPDIR:-/tmp}/hybridai-avx-vnni}"
export HYBRIDAI_FIXTURES="${HYBRIDAI_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
mkdir -p "$work"
command -v cc >/dev/null || { echo "cc not found: install a C compiler (Debian: gcc)." >&2; exit 2; }
cc -O2 -shared -fPIC -o "$work/libavx-vnni-cpuid.so" tests/x64/avx-vnni-cpuid.c -ldl
cc -O2 -o "$work/avx-vnni-probe" tests/x64/avx-vnni-probe.c
if ! LD_PRELOAD="$work/libavx-vnni-cpuid.so" "$work/avx-vnni-probe"; then
  echo "AVX-VNNI cannot be tested on this machine (see above)." >&2
  exit 2
fi

echo "Building HybridAI.Llama.Tests..."
dotnet build tests/HybridAI.Llama.Tests -c Release >/dev/null
tests=tests/HybridAI.Llama.Tests/bin/Release/net10.0/HybridAI.Llama.Tests
proof=HybridAI.Llama.Tests.VecDotTests.SumsOfFour_WithAvxVnni_UsesVpdpbusd

failed=0
for path in avx512 avx2; do
  log="$work/$path.log"
  avx512=1
  [ "$path" = avx2 ] && avx512=0
  # The proof test alone first: it must pass, not skip, or the run did not take the AVX-VNNI path.
  proof_summary=$(DOTNET_EnableAVX512=$avx512 LD_PRELOAD="$work/libavx-vnni-cpuid.so" "$tests" -method "$proof" 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' | grep -a 'Total:' | tail -1 || true)
  DOTNET_EnableAVX512=$avx512 LD_PRELOAD="$work/libavx-vnni-cpuid.so" "$tests" > "$log" 2>&1 || true
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a 'Total:' | tail -1)
  echo "$path + AVX-VNNI: ${summary:-no summary, see $log} (proof test: ${proof_summary:-none})"
  if ! grep -q 'Failed: 0,' <<<"$summary" || ! grep -q 'Errors: 0,' <<<"$summary" || ! grep -q 'Skipped: 0,' <<<"$proof_summary" \
     || ! grep -q 'Total: 1,' <<<"$proof_summary"; then
    failed=1
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -a -A5 '\[FAIL\]' | head -40
  fi
done
exit $failed
