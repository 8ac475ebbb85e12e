#!/usr/bin/env bash
# Makes a private student copy of the tree (make student-kit DEST=...).
#
#   make_student_kit.sh DEST REFERENCE_FILE...
#
# Copies git's file list (tracked and untracked files that are not ignored,
# as they are in the working tree) except build/ and the reference files of
# the exercises, into DEST, which must not exist or be empty. In the copy the
# stubs src/exercises/exNN_*.cpp are the only implementation of the exercised
# functions, and src/exercises/exercises.mk defaults to EXERCISES = all.
set -euo pipefail

dest=$1
shift
refs=("$@")

for r in "${refs[@]}"; do
  [ -f "$r" ] || { echo "error: the reference file $r is missing: make the kit from the instructor's repository"; exit 1; }
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
  for r in "${refs[@]}"; do [ "$f" = "$r" ] && continue 2; done
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

# No file of the copy may be a reference file under another name.
for r in "${refs[@]}"; do
  if same=$(find "$dest" -type f -size "$(stat -c %s "$r")c" -exec cmp -s "$r" {} \; -print | head -n 1) && [ -n "$same" ]; then
    echo "error: $same in the kit is a copy of the reference $r"
    exit 1
  fi
done

echo "student kit: $count files in $dest, without the reference files of the ${#refs[@]} exercises"
echo "  (EXERCISES defaults to all there; students start with: make exercise N=1, see docs/exercises/README.md)"
