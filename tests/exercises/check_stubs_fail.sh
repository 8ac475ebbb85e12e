#!/usr/bin/env bash
# The inverted check of the course exercises (make exercises-check).
#
#   check_stubs_fail.sh TESTS ID=PAGE...
#
# TESTS is the test program built with every stub selected (EXERCISES=all).
# For each exercise ID (its doc page PAGE), `TESTS "[ID]"` must
#   - exit with a non-zero status, with no test case passing (a check that
#     passes against the stub checks nothing),
#   - show the stub's message "ID <function> is not implemented yet: see PAGE",
#   - not show another exercise's stub message (the checks of ID must depend
#     on ID only, so that a student can pass them one exercise at a time).
# Prints one line per exercise and a summary; exits 1 if any exercise is wrong.
set -uo pipefail

tests=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT

wrong=()
for entry in "$@"; do
  id=${entry%%=*}
  page=${entry#*=}
  "$tests" "[$id]" -r compact -w NoTests >"$log" 2>&1
  status=$?
  # The last line of the test program: "P passed, F failed" (test cases).
  read -r passed _ failed _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  passed=${passed:-?}
  failed=${failed:-?}
  problems=()
  [ "$status" -eq 0 ] && problems+=("its checks PASS against the stub")
  [ "$failed" = 0 ] && problems+=("no test case ran")
  [ "$passed" != 0 ] && problems+=("$passed test case(s) pass against the stub")
  grep -qE -- "'$id [^ ]+ is not implemented yet: see ${page//./\\.}'" "$log" ||
    problems+=("the stub's message '$id ... is not implemented yet: see $page' never appears")
  others=$(grep -oE "'ex[0-9]+ [^ ]+ is not implemented yet" "$log" | cut -c2-5 | sort -u | grep -vx "$id" | tr '\n' ' ')
  [ -n "$others" ] && problems+=("its checks reach the stubs of ${others% }: they must depend on $id only")
  if [ ${#problems[@]} -eq 0 ]; then
    echo "$id: fails as it must: $failed of $failed test cases, with its stub's message (exit status $status)"
  else
    echo "$id: WRONG: $(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g') (exit status $status, $passed passed, $failed failed)"
    wrong+=("$id")
  fi
done

if [ ${#wrong[@]} -eq 0 ]; then
  echo "exercises-check: all $# exercises fail against their stubs, as they must"
else
  echo "exercises-check: ${#wrong[@]} of $# exercises are wrong: ${wrong[*]} (see above)"
  exit 1
fi
