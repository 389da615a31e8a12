#!/usr/bin/env bash
# Full, reproducible training of models/vigie-fr-en from the shared labelled datasets
# (see models/README.md): builds, trains with the fixed seed, evaluates on the held-out
# development splits and writes models/policy.calibrated.json.
#   scripts/train-full.sh [--datasets-dir ../shared/datasets] [extra `vigie train` options]
# Takes about 5 minutes on 2 CPU cores (wasm backend). Dev splits go to ${DEV_OUT:-/tmp/vigie-dev}.
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json || echo "train-full: type errors elsewhere in the tree; using the emitted JavaScript anyway" >&2
DEV_OUT="${DEV_OUT:-/tmp/vigie-dev}"
start=$(date +%s)
node -e '
  const { trainCommand } = require("./dist/src/cli/train.command");
  trainCommand().parseAsync(["node", "train", ...process.argv.slice(1)]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
' -- --out models/vigie-fr-en --policy-out models/policy.calibrated.json --dev-out "$DEV_OUT" --seed 20261123 --epochs 2 --dev-each-epoch "$@"
echo "training + evaluation took $(( $(date +%s) - start )) s; dev sets in $DEV_OUT" >&2
