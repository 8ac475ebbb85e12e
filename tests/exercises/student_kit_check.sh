#!/usr/bin/env bash
# make student-kit-check: a student copy builds, fails every exercise, and
# passes exactly the exercises that are filled in.
#
#   student_kit_check.sh "ex04 ex06" ID=STUB=REFERENCE=PAGE...
#
# Run from the repository root. In a temporary folder ($TMPDIR, removed at the
# end unless KEEP_KIT=1):
#   1. make student-kit DEST=<tmp>/kit
#   2. build the kit's test program (double build; EXERCISES is all there)
#   3. every exercise's checks fail with its stub's message (check_stubs_fail.sh);
#      `make exercise N=<first id>` checks the stub and says it is not written
#      yet, and `make exercise N=<first id> REFERENCE=1` refuses (no reference)
#   4. for each exercise of the first argument ("all" = every one): fill in the
#      kit's stub as a student would, with the reference block of this
#      repository's reference file (its includes, then the block), rebuild, and
#      require `make exercise N=<id>` (which checks the stub) to pass and every
#      other exercise to still fail; then put the stub back.
set -euo pipefail

fill_arg=$1
shift
repo=$(pwd)
make=${MAKE:-make}

macro() { echo "GCAM_EXERCISE_$(echo "$1" | tr '[:lower:]' '[:upper:]')"; }

# The stub of exercise $1 filled in with the reference: the public includes of
# the reference file, then its block, in namespace gcam.
filled_stub() {
  local m
  m=$(macro "$1")
  grep -E '^#include (<|"gcam/)' "$repo/${ref[$1]}"
  printf '\nnamespace gcam {\n'
  awk -v m="$m" '$0 == "#ifndef " m { on = 1; next } on && $0 == "#endif  // " m { on = 0; next } on' "$repo/${ref[$1]}"
  printf '}  // namespace gcam\n'
}

declare -A stub ref page
ids=()
for entry in "$@"; do
  IFS='=' read -r id s r p <<<"$entry"
  ids+=("$id")
  stub[$id]=$s
  ref[$id]=$r
  page[$id]=$p
done
if [ "$fill_arg" = all ]; then fill=("${ids[@]}"); else read -r -a fill <<<"$fill_arg"; fi
for id in "${fill[@]}"; do
  [ -n "${stub[$id]:-}" ] || { echo "error: KIT_EXERCISES: unknown exercise '$id'; they are ${ids[*]} or all"; exit 1; }
  grep -qx "#ifndef $(macro "$id")" "$repo/${ref[$id]}" 2>/dev/null ||
    { echo "error: ${ref[$id]} has no reference block for $id: run this in the instructor's repository"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gcam-student-kit.XXXXXX")
if [ "${KEEP_KIT:-0}" = 1 ]; then trap 'echo "(kept $tmp/kit)"' EXIT; else trap 'rm -rf "$tmp"' EXIT; fi
kit=$tmp/kit
start=$SECONDS
step() { echo "== student-kit-check [$((SECONDS - start)) s] $*"; }

# Builds the kit's test program; shows the compiler output only on failure.
build_kit() {
  if ! "$make" -C "$kit" --no-print-directory BUILD=build exercise-tests >"$tmp/build.log" 2>&1; then
    grep -v '^g++ \|^clang++ \|^c++ ' "$tmp/build.log" | tail -n 40
    echo "student-kit-check: FAILED: the kit does not build ($*)"
    exit 1
  fi
}

step "1. make student-kit DEST=$kit"
"$make" --no-print-directory student-kit DEST="$kit"
for id in "${ids[@]}"; do
  ! grep -qx "#ifndef $(macro "$id")" "$kit/${ref[$id]}" ||
    { echo "student-kit-check: FAILED: the kit's ${ref[$id]} holds the reference block of $id"; exit 1; }
done

step "2. build the kit (every stub)"
build_kit "every stub"
tests=$kit/build/exercises/all/double/tests
[ -x "$tests" ] || { echo "student-kit-check: FAILED: $tests was not built"; exit 1; }

step "3. every exercise fails in the kit, with its message"
pages=()
for id in "${ids[@]}"; do pages+=("$id=${page[$id]}"); done
(cd "$kit" && tests/exercises/check_stubs_fail.sh "$tests" "${pages[@]}") ||
  { echo "student-kit-check: FAILED: not every exercise fails with its message in the kit"; exit 1; }
first=${ids[0]}
if "$make" -C "$kit" --no-print-directory BUILD=build exercise N="$first" >"$tmp/first.log" 2>&1 ||
  ! grep -q "^== $first: NOT WRITTEN YET: your stub ${stub[$first]} " "$tmp/first.log"; then
  tail -n 5 "$tmp/first.log"
  echo "student-kit-check: FAILED: 'make exercise N=$first' in the kit must fail, saying its stub is not written yet"
  exit 1
fi
echo "make exercise N=$first: $(grep "^== $first: NOT WRITTEN YET" "$tmp/first.log")"
if "$make" -C "$kit" --no-print-directory BUILD=build exercise N="$first" REFERENCE=1 >"$tmp/reference.log" 2>&1 ||
  ! grep -q "^error: REFERENCE=1 checks the reference solution of $first, and this copy has none" "$tmp/reference.log"; then
  tail -n 5 "$tmp/reference.log"
  echo "student-kit-check: FAILED: 'make exercise N=$first REFERENCE=1' in the kit must refuse: it has no reference"
  exit 1
fi
echo "make exercise N=$first REFERENCE=1: refused ($(head -n 1 "$tmp/reference.log"))"

wrong=()
for id in "${fill[@]}"; do
  step "4. fill in $id (the block of ${ref[$id]} into ${stub[$id]}): exactly $id must pass"
  filled_stub "$id" >"$kit/${stub[$id]}"
  build_kit "$id filled in"
  if "$make" -C "$kit" --no-print-directory BUILD=build exercise N="$id" >"$tmp/$id.log" 2>&1 &&
    grep -q "^== $id: PASS: all checks pass against your stub ${stub[$id]}$" "$tmp/$id.log"; then
    echo "$id: passes once filled in ($(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/$id.log" | tail -n 1))"
  else
    tail -n 30 "$tmp/$id.log"
    echo "$id: WRONG: its checks fail with the reference filled in"
    wrong+=("$id")
  fi
  passing=()
  for other in "${ids[@]}"; do
    [ "$other" = "$id" ] && continue
    if (cd "$kit" && "$tests" "[$other]" -r compact >/dev/null 2>&1); then passing+=("$other"); fi
  done
  if [ ${#passing[@]} -eq 0 ]; then
    echo "$id: every other exercise still fails"
  else
    echo "$id: WRONG: filling in $id also makes ${passing[*]} pass"
    wrong+=("$id")
  fi
  cp "$repo/${stub[$id]}" "$kit/${stub[$id]}"  # the stub back
done

if [ ${#wrong[@]} -eq 0 ]; then
  step "student-kit-check: the kit builds, all ${#ids[@]} exercises fail with their messages, and filling in" \
    "${fill[*]} makes exactly that exercise pass"
else
  echo "student-kit-check: FAILED for ${wrong[*]} (see above)"
  exit 1
fi
