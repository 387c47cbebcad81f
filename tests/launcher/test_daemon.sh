#!/usr/bin/env bash
# The launcher's warm daemon (scripts/jtorch hands scripts to it): a run sees the client's working directory,
# environment, arguments, standard input and exit status; nothing survives from one run to the next; a busy,
# disabled or dead daemon falls back to a JVM of its own; Ctrl-C/TERM stops a run and the daemon carries on.
# Prints 'N passed, N failed'; exits 1 on any failure.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/check.sh"
VIA='import _jtorch_launch; print("daemon" if _jtorch_launch.via_daemon else "own JVM")'

"$J" -c 'pass' >/dev/null 2>&1   # starts the daemon if needed
out="$("$J" -c "$VIA" 2>&1)"
check "a script runs in the daemon" "daemon" "$out"

mkdir -p "$TMP/work"; echo "data" > "$TMP/work/f.txt"
out="$(cd "$TMP/work" && printf 'line1\nline2\n' | JT_TEST_VAR=v1 "$J" -c '
import os, sys
print(os.getcwd() == os.path.realpath("."), open("f.txt").read().strip(), os.environ.get("JT_TEST_VAR"))
print(sys.argv[1:], input(), sys.stdin.read().strip())
sys.stderr.write("to stderr\n")
sys.exit(5)' a1 2>"$TMP/err")"; rc=$?
check "cwd, environment, argv, stdin, exit status" "$(printf "True data v1\n['a1'] line1 line2")|5" "$out|$rc"
check "stderr kept apart" "to stderr" "$(cat "$TMP/err")"
out="$(cd "$TMP/work" && "$J" -c 'import os; print(os.environ.get("JT_TEST_VAR"))')"
check "environment is the client's (variable gone)" "None" "$out"

"$J" -c '
import torch, json
torch.manual_seed(0); torch.set_num_threads(1)
import json as leaked_module_marker' >/dev/null 2>&1
out="$("$J" -c '
import sys, torch
print(torch.initial_seed() != 0, torch.get_num_threads() == (int(__import__("os").environ.get("OMP_NUM_THREADS", "0")) or __import__("os").cpu_count()), "json" in sys.modules)' 2>&1)"
check "nothing survives a run (seed, threads, modules)" "True True False" "$out"

# a clean run leaves its session to the next script (the JIT's code for torch stays), reset to what a fresh
# process has: the next script sees none of the previous one's changes
"$J" -c '
import torch, sys, warnings, atexit
torch.set_default_dtype(torch.float64); torch.set_printoptions(precision=2)
torch.leaked = 1; torch.Tensor.leaked = 2; torch.nn.Linear.leaked = 3
import torch.nn.modules.module as m; m._global_forward_hooks[1] = print
sys.path.append("/leaked"); sys.setrecursionlimit(123456); warnings.simplefilter("error")
LEAKED = 1
atexit.register(print, "atexit ran")' >"$TMP/first" 2>&1
check "atexit handlers run and print at the end of a daemon run" "atexit ran" "$(cat "$TMP/first")"
out="$("$J" -c '
import _jtorch_launch, torch, sys, warnings
import torch.nn.modules.module as m
print(_jtorch_launch.runs > 1, torch.get_default_dtype(), torch.tensor([1.23456]), hasattr(torch, "leaked"),
      hasattr(torch.Tensor, "leaked"), hasattr(torch.nn.Linear, "leaked"), len(m._global_forward_hooks),
      "/leaked" in sys.path, sys.getrecursionlimit() != 123456, "LEAKED" in globals(),
      [f for f in warnings.filters if f[0] == "error"])' 2>&1)"
check "the session is reused, its state reset" "True torch.float32 tensor([1.2346]) False False False 0 False True False []" "$out"
printf 'import threading, time\nthreading.Thread(target=time.sleep, args=(3,), daemon=True).start()\n' > "$TMP/thread.py"
"$J" "$TMP/thread.py"
out="$("$J" -c 'import _jtorch_launch; print(_jtorch_launch.runs)' 2>&1)"
check "a run that leaves a thread running is not reused (fresh session)" "1" "$out"

printf 'def f():\n    raise KeyError("k")\nf()\n' > "$TMP/raise.py"
"$J" "$TMP/raise.py" >/dev/null 2>"$TMP/e"; rc=$?
check "traceback and exit 1" "1|KeyError: 'k'" "$rc|$(tail -n1 "$TMP/e")"

out="$(JTORCH_DAEMON=0 "$J" -c "$VIA" 2>&1)"
check "JTORCH_DAEMON=0 runs in a JVM of its own" "own JVM" "$out"

# busy: a second run while one is going falls back to its own JVM
printf 'import time, sys\nprint("started", flush=True)\ntime.sleep(120)\n' > "$TMP/sleep.py"
"$J" "$TMP/sleep.py" >"$TMP/sleep.out" 2>&1 &
for _ in $(seq 100); do grep -q started "$TMP/sleep.out" 2>/dev/null && break; sleep 0.2; done
out="$("$J" -c "$VIA" 2>&1)"
check "busy daemon: the run goes to its own JVM" "own JVM" "$out"

# TERM (as Ctrl-C) stops the run, the client says KeyboardInterrupt, the daemon takes the next run
pkill -TERM -f "org.jtorch.bridge.Client .*$TMP/sleep.py"
wait 2>/dev/null
check "interrupted run says KeyboardInterrupt" "yes" "$(grep -q KeyboardInterrupt "$TMP/sleep.out" && echo yes || echo no)"
sleep 1
out="$("$J" -c "$VIA" 2>&1)"
check "daemon carries on after an interrupted run" "daemon" "$out"

# a dead daemon (killed hard) leaves a stale socket: the client notices, the run still happens
pkill -KILL -f "org.jtorch.bridge.Daemon .*$(id -u)/d-" ; sleep 0.5
out="$("$J" -c 'print("still runs")' 2>&1)"; rc=$?
check "stale socket: run falls back" "still runs|0" "$out|$rc"
out="$("$J" -c "$VIA" 2>&1)"
check "a new daemon is started afterwards" "daemon" "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
