#!/usr/bin/env bash
# Regenerates reports/validation/cpu-tiny: calibrates this machine for the CPU runtime, then
# validates tiny-llama-512 at TP=1, TP=2 and PP=2 (2 ranks at most, one per core) against it.
#   scripts/validate-cpu.sh [BUILD_DIR]       (make validate-cpu)
set -euo pipefail
build=${1:-build}
bin="$build/cli/shardplan"
profile=hardware_profiles/calibrated/cpu-local.json
out=reports/validation/cpu-tiny
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mkdir -p "$out"
"$bin" calibrate --backend cpu --out "$profile"
for split in "tp1 --tp 1" "tp2 --tp 2" "pp2 --pp 2"; do
  set -- $split
  name=$1; shift
  "$bin" validate --model tiny-llama-512 "$@" --profile "$profile" --out "$out/$name" \
    --batch 4 --prompt-len 128 --decode-steps 16 --warmup 1 --iters 5 > /dev/null
  grep -E '^\*\*' "$out/$name/validation.md" | sed "s/^/$name: /"
done
