# Shared by the shell test scripts (sourced after ROOT is set): J (the launcher), TMP (removed on exit), and
# check NAME EXPECTED ACTUAL, which counts into pass/fail and prints PASS/FAIL lines.
J="$ROOT/scripts/jtorch"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
check() {  # name, expected, actual
  if [ "$2" = "$3" ]; then pass=$((pass+1)); echo "PASS $1"
  else fail=$((fail+1)); echo "FAIL $1"; echo "  expected: $(printf '%q' "$2")"; echo "  got:      $(printf '%q' "$3")"; fi
}
