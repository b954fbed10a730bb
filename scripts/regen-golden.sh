#!/usr/bin/env bash
# Rewrites tests/golden/*.out from tests/golden/manifest.txt with the built
# program (build it first: scripts/build.sh). Review the diff before
# committing: it is every change in behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/unionstate
[ -x "$binary" ] || { echo "no $binary: run scripts/build.sh first" >&2; exit 1; }
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  name=$(echo "${line%%|*}" | xargs)
  args=$(echo "${line#*|}" | sed 's/^ *//; s/ *$//')
  # The arguments are shell words, quoted as the golden test's shell reads them.
  eval "\"\$binary\" $args" > "tests/golden/$name.out"
  echo "wrote tests/golden/$name.out"
done < tests/golden/manifest.txt
# The report's charts rendered to SVG in Node (web/test/svg-golden.test.mjs).
(cd web && UNIONSTATE_UPDATE_GOLDEN=1 UNIONSTATE_BINARY="../$binary" node --test test/svg-golden.test.mjs >/dev/null) &&
  echo "wrote tests/golden/svg/*.svg"
