#!/usr/bin/env bash
# Measures one kernel experiment against its base: builds two checkouts of BASE (default HEAD; the
# patches were made on the commit README.md names) in a temporary directory, applies the patch to
# one, and runs probe.ts in each, one after the other. Prints a Markdown table: ns per record before
# and after, and whether the --json results are identical.
#
#   BASE=COMMIT bash bench/experiments/compare.sh bench/experiments/NAME.patch [--size 64M] [--runs 5]
#
# Needs `npm install` done in this checkout (its node_modules are shared) and a quiet machine.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: bash bench/experiments/compare.sh PATCH [--size 64M] [--runs 5]" >&2
  exit 2
fi
root=$(git rev-parse --show-toplevel)
patch=$(realpath "$1")
shift
base=${BASE:-HEAD}
work=$(mktemp -d)
cleanup() {
  for variant in base patched; do
    git -C "$root" worktree remove --force "$work/$variant" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

for variant in base patched; do
  git -C "$root" worktree add --detach "$work/$variant" "$base" >/dev/null 2>&1
  ln -s "$root/node_modules" "$work/$variant/node_modules"
  mkdir -p "$root/bench/data"
  ln -s "$root/bench/data" "$work/$variant/bench/data" # generated files are shared, not made twice
  if [ "$variant" = patched ]; then git -C "$work/$variant" apply "$patch"; fi
  # this checkout's probe, so that a base older than it is measured the same way
  mkdir -p "$work/$variant/bench/experiments"
  cp "$root/bench/experiments/probe.ts" "$work/$variant/bench/experiments/probe.ts"
  (cd "$work/$variant" && npm run -s build >/dev/null)
done

echo "## $(basename "$patch") on $(git -C "$root" rev-parse --short "$base")"
echo
echo "| file | command | base ns/record | patched ns/record | change | results |"
echo "|---|---|--:|--:|--:|---|"
# each checkout runs the whole probe once (files are generated on the first run if missing)
for variant in base patched; do
  (cd "$work/$variant" && node build/host/bench/experiments/probe.js "$@") > "$work/$variant.tsv" 2> "$work/$variant.log" ||
    { cat "$work/$variant.log" >&2; exit 1; }
done
paste "$work/base.tsv" "$work/patched.tsv" | while IFS=$'\t' read -r file command before digest _ _ after patchedDigest; do
  change=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%+.0f%%", (b - a) / a * 100 }')
  if [ "$digest" = "$patchedDigest" ]; then same="identical"; else same="differ"; fi
  echo "| $file | $command | $before | $after | $change | $same |"
done
