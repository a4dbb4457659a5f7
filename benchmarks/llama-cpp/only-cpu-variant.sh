#!/usr/bin/env bash
# Copies this folder (with node_modules) to DEST, keeping only one of ggml's CPU variants, so that llama.cpp runs that
# variant's code on any CPU that can: e.g. "haswell" (AVX2/FMA/F16C, no AVX-512) on an AVX-512 machine, to compare
# with our engine's AVX2 path (DOTNET_EnableAVX512=0).
# Usage: ./only-cpu-variant.sh haswell /tmp/llama-cpp-haswell && cd /tmp/llama-cpp-haswell && node bench.mjs FILE 2
set -euo pipefail
variant=${1:?"usage: $0 VARIANT DEST (VARIANT: haswell, skylakex, icelake, ... as in libggml-cpu-VARIANT.so)"}
dest=${2:?"usage: $0 VARIANT DEST"}
here=$(cd "$(dirname "$0")" && pwd)
bins="node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
[ -f "$here/$bins/libggml-cpu-$variant.so" ] || { echo "no libggml-cpu-$variant.so in $here/$bins (run npm install first)" >&2; exit 1; }
rm -rf "$dest"
cp -a "$here" "$dest"
for lib in "$dest/$bins"/libggml-cpu-*.so; do
  [ "$(basename "$lib")" = "libggml-cpu-$variant.so" ] || rm "$lib"
done
echo "$dest: llama.cpp with only the $variant CPU variant"
