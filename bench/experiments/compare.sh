#!/usr/bin/env bash
# Measures one kernel experiment against its base: builds two checkouts of BASE (default HEAD) in a
# temporary directory, applies the patch to one, writes the numeric and mixed files with the base's
# own generator, and runs this checkout's probe.ts in each, in turn, three times. Prints a Markdown
# table: ns per record before and after (the best of three rounds), and whether the --json results
# are identical. With --commit C, the base is C's parent and the patch is what C changed: how a kept
# change measured. docs/performance.md has what was measured so far.
#
#   [BASE=COMMIT] bash bench/experiments/compare.sh bench/experiments/NAME.patch [--size 64M] [--runs 5]
#   bash bench/experiments/compare.sh --commit COMMIT [--size 64M] [--runs 5]
#
# Needs `npm install` done in this checkout (its node_modules are shared) and a quiet machine.
set -euo pipefail

usage() {
  echo "usage: bash bench/experiments/compare.sh PATCH|--commit COMMIT [--size 64M] [--runs 5]" >&2
  exit 2
}
root=$(git rev-parse --show-toplevel)
made_patch=
if [ "${1:-}" = --commit ]; then
  [ $# -ge 2 ] && git -C "$root" rev-parse --verify --quiet "$2^{commit}" >/dev/null || usage
  base=$(git -C "$root" rev-parse --short "$2^")
  patch=$(mktemp)
  made_patch=$patch
  git -C "$root" diff "$2^" "$2" > "$patch"
  label="commit $(git -C "$root" rev-parse --short "$2")"
  shift 2
else
  { [ $# -ge 1 ] && [ -f "$1" ]; } || usage
  patch=$(realpath "$1")
  label=$(basename "$patch")
  base=${BASE:-HEAD}
  shift
fi
size=64M
runs=5
while [ $# -gt 0 ]; do
  case $1 in
    --size) [ $# -ge 2 ] || usage; size=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    *) usage ;;
  esac
done
work=$(mktemp -d)
cleanup() {
  for variant in base patched; do
    git -C "$root" worktree remove --force "$work/$variant" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  if [ -n "$made_patch" ]; then rm -f "$made_patch"; fi
}
trap cleanup EXIT

for variant in base patched; do
  git -C "$root" worktree add --detach "$work/$variant" "$base" >/dev/null 2>&1
  ln -s "$root/node_modules" "$work/$variant/node_modules"
  if [ "$variant" = patched ]; then git -C "$work/$variant" apply "$patch"; fi
  # this checkout's probe, so that a base older than it is measured the same way
  mkdir -p "$work/$variant/bench/experiments"
  cp "$root/bench/experiments/probe.ts" "$work/$variant/bench/experiments/probe.ts"
  (cd "$work/$variant" && npm run -s build > "$work/$variant.build.log" 2>&1) ||
    { cat "$work/$variant.build.log" >&2; exit 1; }
done
# The files both variants scan, written once by the base's generator (the same bytes at every commit).
label_size=$(printf '%s' "$size" | tr '[:upper:]' '[:lower:]')
mkdir -p "$work/data"
files=()
for kind_column in numeric:price mixed:amount; do
  kind=${kind_column%%:*}
  file="$work/data/$kind-$label_size.csv"
  node "$work/base/build/host/bench/generate.js" --kind "$kind" --size "$size" --out "$file" > "$work/generate.log" 2>&1 ||
    { cat "$work/generate.log" >&2; exit 1; }
  files+=("$file:${kind_column#*:}")
done

echo "## $label on $(git -C "$root" rev-parse --short "$base")"
echo
echo "| file | command | base ns/record | patched ns/record | change | results |"
echo "|---|---|--:|--:|--:|---|"
# Three rounds, base and patched one after the other in each, and the best of the three per case:
# the machine's drift over a minute (several percent here) then falls on both alike.
for round in 1 2 3; do
  for variant in base patched; do
    (cd "$work/$variant" && node build/host/bench/experiments/probe.js --runs "$runs" "${files[@]}") > "$work/$variant.$round.tsv" 2> "$work/$variant.log" ||
      { cat "$work/$variant.log" >&2; exit 1; }
  done
done
best() { # the lines of one variant's rounds, each case's smallest ns/record (its digest must not change)
  paste "$work/$1.1.tsv" "$work/$1.2.tsv" "$work/$1.3.tsv" | awk -F'\t' -v OFS='\t' '{
    best = $3; if ($7 < best) best = $7; if ($11 < best) best = $11
    if ($4 != $8 || $4 != $12) { print "probe results changed between rounds: " $1 " " $2 > "/dev/stderr"; exit 1 }
    print $1, $2, best, $4 }'
}
best base > "$work/base.tsv"
best patched > "$work/patched.tsv"
paste "$work/base.tsv" "$work/patched.tsv" | while IFS=$'\t' read -r file command before digest _ _ after patchedDigest; do
  change=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%+.0f%%", (b - a) / a * 100 }')
  if [ "$digest" = "$patchedDigest" ]; then same="identical"; else same="differ"; fi
  echo "| $file | $command | $before | $after | $change | $same |"
done
