#!/usr/bin/env bash
# make exercise N=<id>: run one exercise's checks and say plainly what was
# checked and what to do next.
#
#   run_exercise.sh stub      TESTS ID STUB PAGE   the student's stub (make exercise N=<id>)
#   run_exercise.sh reference TESTS ID REFERENCE PAGE   the reference block (REFERENCE=1)
#
# TESTS is the double test program of the build that compiled what is checked.
# Runs `TESTS "[ID]"` with Catch2's normal output, then one closing line:
#   == ID: PASS ...                     every check passes (exit 0)
#   == ID: NOT WRITTEN YET ...          the stub still throws NotImplemented (exit 1)
#   == ID: FAIL ...                     checks fail: which file was checked, where to
#                                       write, which page to read (exit 1)
set -uo pipefail

mode=$1
tests=$2
id=$3
file=$4
page=$5
again="make exercise N=$((10#${id#ex}))$([ "$mode" = reference ] && echo ' REFERENCE=1')"

case "$mode" in
  stub) echo "== $id: checking YOUR code: the stub $file (the checks tagged [$id], $tests)" ;;
  reference) echo "== $id: checking the REFERENCE block in $file, not the stub (REFERENCE=1; the checks tagged [$id], $tests)" ;;
  *) echo "run_exercise.sh: the mode is 'stub' or 'reference', not '$mode'"; exit 2 ;;
esac

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$tests" "[$id]" -w NoTests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if [ "$status" -eq 0 ]; then
  echo "== $id: PASS: all checks pass against $([ "$mode" = stub ] && echo "your stub" || echo "the reference in") $file"
  exit 0
fi

# "P passed, F failed" (test cases) is the test program's last line (tests/main.cpp).
read -r passed _ failed _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
if [ -n "${failed:-}" ]; then
  cases="$failed of $((passed + failed)) test cases fail"
else  # a crash (SIGSEGV, say) ends the program before its summary
  cases="the test program stopped with exit status $status before its summary"
fi
if [ "$mode" = reference ]; then
  echo "== $id: FAIL against the REFERENCE in $file ($cases): the reference block or the checks" \
    "(tests/exercises/) are wrong; the stub was not checked"
  exit 1
fi

# The functions whose stub still throws NotImplemented (src/exercises/not_implemented.hpp).
mapfile -t functions < <(grep -oE "$id [A-Za-z_:]+ is not implemented yet" "$log" | cut -d' ' -f2 | sort -u)
unwritten=$(IFS=,; echo "${functions[*]}" | sed 's/,/, /g')
failures=$(grep -cE ': FAILED:$' "$log")
not_impl=$(grep -cE "$id [A-Za-z_:]+ is not implemented yet" "$log")
if [ -n "$unwritten" ] && [ "$failures" -le "$not_impl" ]; then
  echo "== $id: NOT WRITTEN YET: your stub $file still throws NotImplemented in: $unwritten."
  echo "   Write $([ ${#functions[@]} -eq 1 ] && echo it || echo them) there (read $page), then run: $again"
elif [ -n "$unwritten" ]; then
  echo "== $id: FAIL: checked your stub $file ($cases). Not written yet: $unwritten;"
  echo "   the other failures are above. Write and fix it there (read $page), then run: $again"
else
  echo "== $id: FAIL: checked your stub $file ($cases; each failure above says what differs)."
  echo "   Fix it there (read $page), then run: $again"
fi
exit 1
