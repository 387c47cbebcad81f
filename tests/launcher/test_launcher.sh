#!/usr/bin/env bash
# Behaviour of scripts/jtorch as a `python` replacement: argv, __main__, sys.path, exit codes, tracebacks,
# -c, -m, the interactive prompt (piped, and on a pseudo-terminal: completion, history), pdb. Prints 'N passed, N failed'; exits 1 on any failure.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/check.sh"

mkdir -p "$TMP/pkg"
cat > "$TMP/helper_mod.py" <<'PY'
VALUE = 41
PY
cat > "$TMP/script.py" <<'PY'
import sys, torch, helper_mod
class Net(torch.nn.Module):
    def forward(self, x):
        print("inside forward", x.shape)
        return x * 2
print(__name__, sys.argv[1:], helper_mod.VALUE + 1)
print(Net()(torch.ones(2)))
PY
out="$("$J" "$TMP/script.py" a "b c" 2>&1)"; rc=$?
check "script argv, __main__, script dir on sys.path, print in forward" \
  "$(printf "__main__ ['a', 'b c'] 42\ninside forward torch.Size([2])\ntensor([2., 2.])")|0" "$out|$rc"

printf 'import sys\nprint("before")\nsys.exit(7)\n' > "$TMP/exit.py"
out="$("$J" "$TMP/exit.py" 2>&1)"; rc=$?
check "sys.exit(n) honoured" "before|7" "$out|$rc"

printf 'def f():\n    raise ValueError("boom")\nf()\n' > "$TMP/raise.py"
"$J" "$TMP/raise.py" >"$TMP/o" 2>"$TMP/e"; rc=$?
check "uncaught exception: exit 1" "1" "$rc"
check "uncaught exception: traceback on stderr" "Traceback (most recent call last):|ValueError: boom" \
  "$(head -n1 "$TMP/e")|$(tail -n1 "$TMP/e")"
check "traceback names the user's line" "yes" "$(grep -q "raise.py\", line 2, in f" "$TMP/e" && echo yes || echo no)"

out="$("$J" -c 'import sys, torch; print(sys.argv, torch.ones(2).sum().item())' x 2>&1)"; rc=$?
check "-c CODE" "['-c', 'x'] 2.0|0" "$out|$rc"

printf 'import sys\nprint("module main", __name__, sys.argv[1:])\n' > "$TMP/pkg/runme.py"
out="$(cd "$TMP" && "$J" -m pkg.runme q 2>&1)"; rc=$?
check "-m MODULE" "module main __main__ ['q']|0" "$out|$rc"

out="$(printf 'import torch\nx = torch.arange(3)\nx * 2\nfor i in range(2):\n    print(i)\n\n' | "$J" 2>/dev/null)"
check "interactive prompt echoes results, runs blocks" "$(printf 'tensor([0, 2, 4])\n0\n1')" "$out"

printf 'import torch\nx = torch.ones(2)\nbreakpoint()\nprint("after", x.sum().item())\n' > "$TMP/dbg.py"
out="$(printf 'p x.shape\nc\n' | "$J" "$TMP/dbg.py" 2>&1)"
check "breakpoint() stops at the user's line with stdin" "yes|yes|yes" \
  "$(grep -q 'dbg.py(4)' <<<"$out" && echo yes || echo no)|$(grep -q 'torch.Size(\[2\])' <<<"$out" && echo yes || echo no)|$(grep -q 'after 2.0' <<<"$out" && echo yes || echo no)"

out="$("$J" -c 'print("quiet")' 2>&1)"
check "nothing but the script's output" "quiet" "$out"

# on a terminal (a pseudo-terminal driven by repl_pty.py): Tab completion, history file, line editing
if python3 -c 'import pty, termios' 2>/dev/null; then
  rout="$(timeout 900 python3 "$ROOT/tests/launcher/repl_pty.py" "$J" "$TMP/jtorch_history" 2>&1)"
  for k in prompt completion_lists result attr_completion history_loaded block continuation continued history; do
    check "terminal prompt: $k" "$k=yes" "$(grep "^$k=" <<<"$rout" || echo "$rout" | tail -n 3)"
  done
  check "terminal prompt: Ctrl-D exits with status 0" "exit=0" "$(grep '^exit=' <<<"$rout")"
  out="$(printf 'print(6 * 7)\n' | JTORCH_HISTORY="$TMP/piped_history" "$J" 2>/dev/null)"
  check "piped stdin: no line editor, no history file" "42|no" "$out|$([ -e "$TMP/piped_history" ] && echo yes || echo no)"
else
  echo "terminal prompt tests skipped: python3 with pty not found"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
