#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzzing build for a bounded time (make fuzz calls it).
#   scripts/fuzz.sh BUILD_DIR SECONDS_PER_TARGET
# Each target starts from its seeds (tests/fuzz/corpus/<format>) and past findings
# (tests/fuzz/regressions/<format>), with tests/fuzz/<format>.dict (else json.dict) as its
# dictionary; what it learns goes to BUILD_DIR/fuzz-work/<format>/corpus, a crashing input to
# BUILD_DIR/fuzz-work/<format>/artifacts. Exits 1 when any target found something.
set -euo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
src=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets in $build/fuzz (configure with -DSHARDPLAN_FUZZ=ON and build fuzz_all)" >&2
  exit 2
fi
status=0
for exe in "${targets[@]}"; do
  format=${exe##*/fuzz_}
  work=$build/fuzz-work/$format
  mkdir -p "$work/corpus" "$work/artifacts"
  inputs=("$src/tests/fuzz/corpus/$format")
  [ -d "$src/tests/fuzz/regressions/$format" ] && inputs+=("$src/tests/fuzz/regressions/$format")
  dict=$src/tests/fuzz/$format.dict
  [ -f "$dict" ] || dict=$src/tests/fuzz/json.dict
  # -timeout: one input running 10 s is a hang; -rss_limit_mb: more than 2 GB is a finding too.
  if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
      -dict="$dict" -artifact_prefix="$work/artifacts/" "$work/corpus" "${inputs[@]}" >"$work/log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $format: $runs inputs in ${seconds} s, no findings"
  else
    status=1
    echo "fuzz: $format: FINDING (log: $work/log)"
    grep -m3 -E 'ERROR|fuzz finding|runtime error|Test unit written' "$work/log" | sed 's/^/  /' || true
    echo "  reproduce: $exe ARTIFACT; once fixed, copy ARTIFACT to tests/fuzz/regressions/$format/ (it becomes a ctest case)"
  fi
done
exit $status
