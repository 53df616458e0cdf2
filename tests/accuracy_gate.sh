#!/bin/sh
# The accuracy regression gate (ctest entry accuracy_gate): predicts every published record and
# fails when a family's MAPE rises more than the tolerance above docs/accuracy-baseline.json.
# Usage: accuracy_gate.sh SHARDPLAN SHARED_DIR BASELINE. Exits 77 (skipped) without the data.
data="$2/data/validation/published-dev.json"
if [ ! -f "$data" ]; then
  echo "skipped: $data not found (the shared data folder is not beside this checkout; configure with -DSHARDPLAN_SHARED_DIR=PATH)"
  exit 77
fi
exec "$1" accuracy "$data" --check "$3"
