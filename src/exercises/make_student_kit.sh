#!/usr/bin/env bash
# Makes a private student copy of the tree (make student-kit DEST=...).
#
#   make_student_kit.sh DEST ID=REFERENCE_FILE=STUB...
#
# Copies git's file list (tracked and untracked files that are not ignored,
# as they are in the working tree) except build/ into DEST, which must not
# exist or be empty. In each reference file the block of exercise ID (from
# '#ifndef GCAM_EXERCISE_<ID>' to '#endif  // GCAM_EXERCISE_<ID>') is replaced
# by a line naming the stub, so in the copy the stubs src/exercises/exNN_*.cpp
# are the only implementation of the exercised functions, and
# src/exercises/exercises.mk defaults to EXERCISES = all.
set -euo pipefail

dest=$1
shift
entries=("$@")

macro() { echo "GCAM_EXERCISE_$(echo "$1" | tr '[:lower:]' '[:upper:]')"; }
for entry in "${entries[@]}"; do
  IFS='=' read -r id r _ <<<"$entry"
  grep -qx "#ifndef $(macro "$id")" "$r" 2>/dev/null ||
    { echo "error: $r has no block '#ifndef $(macro "$id")': make the kit from the instructor's repository"; exit 1; }
done
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "error: not a git work tree: the kit is made from git's file list"; exit 1; }
# Inside the work tree only where git ignores it (build/...): else the next kit and git would pick it up.
case "$(realpath -m "$dest")/" in
  "$(git rev-parse --show-toplevel)"/*)
    git check-ignore -q "$(realpath -m "$dest")" ||
      { echo "error: $dest is inside the repository and not ignored by git: put the kit elsewhere (or under build/)"; exit 1; } ;;
esac
if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
  echo "error: $dest exists and is not empty"
  exit 1
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT
count=0
while IFS= read -r -d '' f; do
  case "$f" in build/*) continue ;; esac
  [ -f "$f" ] || continue  # deleted in the working tree
  printf '%s\0' "$f" >>"$list"
  count=$((count + 1))
done < <(git ls-files -z --cached --others --exclude-standard | sort -zu)

mkdir -p "$dest"
tar --null -T "$list" -cf - | tar -xf - -C "$dest"

# Every stub selected by default.
mk="$dest/src/exercises/exercises.mk"
sed -i 's/^EXERCISES ?=$/EXERCISES ?= all/' "$mk"
grep -qx 'EXERCISES ?= all' "$mk" || { echo "error: could not set 'EXERCISES ?= all' in $mk"; exit 1; }

# The reference blocks out, each replaced by a pointer to its stub (the
# comment just above a block, "// Course exercise <id>: ... this block.", goes too).
for entry in "${entries[@]}"; do
  IFS='=' read -r id r stub <<<"$entry"
  m=$(macro "$id")
  n=$((10#${id#ex}))
  awk -v m="$m" -v id="$id" -v stub="$stub" -v n="$n" '
    function flush() { if (held) print prev; held = 0 }
    $0 == "#ifndef " m {
      if (held && index(prev, "// Course exercise " id ":") == 1) held = 0
      flush()
      print "// Course exercise " id ": written in " stub " (make exercise N=" n " checks it)."
      skip = 1; next
    }
    skip && $0 == "#endif  // " m { skip = 0; next }
    skip { next }
    { flush(); prev = $0; held = 1 }
    END { flush() }' "$dest/$r" >"$dest/$r.kit" && mv "$dest/$r.kit" "$dest/$r"
done
# No file of the copy may still hold a reference block.
if left=$(grep -rlE '^#ifndef GCAM_EXERCISE_EX[0-9]+$' "$dest/src" "$dest/include") && [ -n "$left" ]; then
  echo "error: reference blocks left in the kit: $left"
  exit 1
fi

echo "student kit: $count files in $dest, without the reference blocks of the ${#entries[@]} exercises"
echo "  (EXERCISES defaults to all there; students start with: make exercise N=1, see docs/exercises/README.md)"
