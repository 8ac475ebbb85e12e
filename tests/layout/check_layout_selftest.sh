#!/usr/bin/env bash
# check_layout.sh must catch what it claims to: on a copy of the tree with one
# planted violation of each rule, it must fail and name each of them.
# (make layout-check runs this after the check itself.)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gcam-layout.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r src include tests examples "$tmp/"

# 1. a lower layer including a higher one: core including autograd.
echo '#include "gcam/autograd/tape.hpp"' >>"$tmp/include/gcam/core/rng.hpp"
# 2. a file of 401 lines.
yes '// filler' | head -n 401 >"$tmp/src/core/too_long.cpp"
# 3. a function of 61 lines (the signature, 59 statements, the brace).
{ echo 'int planted_long_function() {'; for i in $(seq 59); do echo "  int v$i = $i;"; done; echo '}'; } \
  >"$tmp/src/core/long_function.cpp"
# 4. a .cpp loose at the top of src/.
echo '// loose' >"$tmp/src/loose.cpp"

out=$("$here/check_layout.sh" "$tmp" 2>&1)
status=$?
missing=()
[ "$status" -ne 0 ] || missing+=("a non-zero exit")
grep -q "layer 'core' includes 'autograd'" <<<"$out" || missing+=("the wrong include")
grep -q "too_long.cpp: 401 lines" <<<"$out" || missing+=("the 401-line file")
grep -q "function int planted_long_function is 61 lines" <<<"$out" || missing+=("the 61-line function")
grep -q "src/loose.cpp: loose" <<<"$out" || missing+=("the loose file")
if [ ${#missing[@]} -gt 0 ]; then
  echo "$out"
  echo "check_layout self-test: FAILED: the planted violations did not give: ${missing[*]}"
  exit 1
fi
echo "check_layout self-test: all 4 planted violations caught (exit status $status)"
