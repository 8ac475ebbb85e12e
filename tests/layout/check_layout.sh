#!/usr/bin/env bash
# The house rules that a reader sees in the layout, checked mechanically
# (make layout-check; docs/architecture.md explains the layers):
#   1. a folder includes only the folders below it (the table LAYERS below);
#   2. no source, header or test file over 400 lines;
#   3. no function over 60 lines;
#   4. no .cpp loose at the top of src/ (every file sits in its layer's folder).
#
#   check_layout.sh [ROOT]      ROOT: the tree to check (default: the current folder)
# Prints one line per broken rule and exits 1 if any; else one summary line.
set -uo pipefail
root=${1:-.}
cd "$root" || { echo "check_layout: no folder $root"; exit 2; }

# folder: the folders it may include ("gcam/<folder>/...", besides itself).
# Lower layers first; a folder never includes one that is listed after it.
declare -A LAYERS=(
  [core]=""
  [autograd]="core"
  [fast]="core"
  [ops]="core autograd fast"
  [nn]="core autograd ops"
  [gradcheck]="core autograd ops nn"
  [io]="core nn"
  [data]="core io"
  [train]="core autograd ops nn data"
  [gradcam]="core autograd ops nn"
  [methods]="core autograd ops fast nn gradcam"
  [evaluate]="core autograd ops nn gradcam methods"
  [render]="core"
  [report]="core autograd ops nn io gradcam methods render"
  [exercises]="core autograd ops nn gradcheck train gradcam"
  [cli]="core autograd ops nn gradcheck io data train gradcam methods evaluate render report"
)
max_file_lines=400
max_function_lines=60
problems=0
say() { echo "check_layout: $*"; problems=$((problems + 1)); }

# 1. includes against the table.
for dir in include/gcam/* src/*; do
  [ -d "$dir" ] || continue
  layer=${dir##*/}
  if [ -z "${LAYERS[$layer]+set}" ]; then say "$dir: a folder that is not a layer (add it to LAYERS in $0)"; continue; fi
  allowed=" $layer ${LAYERS[$layer]} "
  while IFS=: read -r file line text; do
    used=$(sed -E 's/.*"gcam\/([a-z_]+)\/.*/\1/' <<<"$text")
    case "$allowed" in *" $used "*) ;; *) say "$file:$line: layer '$layer' includes '$used' ($text); it may include: ${LAYERS[$layer]:-nothing}" ;; esac
  done < <(grep -rnE '^#include "gcam/[a-z_]+/' "$dir" --include='*.hpp' --include='*.cpp')
done

# 2. file lengths.
while read -r lines file; do
  [ "$file" = total ] && continue
  [ "$lines" -gt "$max_file_lines" ] && say "$file: $lines lines (at most $max_file_lines)"
done < <(find src include tests examples -name '*.[ch]pp' -print0 | xargs -0 wc -l)

# 3. function lengths: a definition starts at column 0 with a line ending in
# '{' (not a namespace, type or initializer) and ends at the next '}' alone in column 0.
while IFS= read -r -d '' file; do
  awk -v file="$file" -v max="$max_function_lines" '
    !inside && /^[A-Za-z_].*[)] *(const *)?(override *)?(noexcept *)?[{]$/ && !/^(namespace|struct|class|enum|union|extern)/ && !/=/ {
      inside = 1; start = FNR; head = $0; next }
    !inside && /^[A-Za-z_]/ && !/;$/ && !/[{}]/ && !/^(namespace|struct|class|enum|union|extern|template)/ { pending = FNR; phead = $0; next }
    !inside && pending && /^ .*[)] *(const *)?(override *)?[{]$/ { inside = 1; start = pending; head = phead; pending = 0; next }
    !inside && /;$|^$/ { pending = 0 }
    inside && /^}$/ { inside = 0; n = FNR - start + 1
      if (n > max) { sub(/\(.*/, "", head); printf "%s:%d: function %s is %d lines (at most %d)\n", file, start, head, n, max } }
  ' "$file"
done < <(find src include tests examples -name '*.[ch]pp' -print0) > "${TMPDIR:-/tmp}/check_layout.$$"
while IFS= read -r line; do say "$line"; done < "${TMPDIR:-/tmp}/check_layout.$$"
rm -f "${TMPDIR:-/tmp}/check_layout.$$"

# 4. nothing loose at the top of src/.
for f in src/*.cpp src/*.hpp; do [ -e "$f" ] && say "$f: loose at the top of src/ (put it in its layer's folder)"; done

if [ "$problems" -gt 0 ]; then
  echo "check_layout: $problems problem(s)"
  exit 1
fi
echo "check_layout: layers, file lengths (<= $max_file_lines), function lengths (<= $max_function_lines) and folders all as they should be"
