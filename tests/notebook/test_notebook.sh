#!/usr/bin/env bash
# `scripts/jtorch NOTEBOOK.ipynb [--inplace | --output FILE] [--allow-errors]`: cell outputs on the terminal,
# execution counts, the executed notebook written as nbformat 4 JSON, magics, errors stopping the run.
# Prints 'N passed, N failed'; exits 1 on any failure. Each jtorch start takes seconds: few runs, many checks.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/check.sh"
yesno() { if "$@"; then echo yes; else echo no; fi; }
HAVE_NBFORMAT=no; python3 -c "import nbformat" 2>/dev/null && HAVE_NBFORMAT=yes

# make_nb FILE: cells from a Python list literal on stdin: [(type, source[, tags]), ...]
make_nb() {
  python3 -c '
import ast, json, sys
cells = []
for c in ast.literal_eval(sys.stdin.read()):
    cell = {"cell_type": c[0], "metadata": {"tags": list(c[2])} if len(c) > 2 else {}, "source": c[1]}
    if c[0] == "code":
        cell.update(execution_count=None, outputs=[])
    cells.append(cell)
nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 4,
      "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}}
json.dump(nb, open(sys.argv[1], "w"), indent=1)' "$1"
}

# check_nb FILE: 'structure ok' (or what is wrong), then one line per code cell: count|outputs (newlines as \\n,
# timings blanked);
# with nbformat installed, also 'nbformat.validate ok'
cat > "$TMP/check_nb.py" <<'PY'
import json, re, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
problems = []
def need(cond, what):
    if not cond: problems.append(what)
def text(v):
    need(isinstance(v, str) or (isinstance(v, list) and all(isinstance(s, str) for s in v)), "multiline string")
    return v if isinstance(v, str) else "".join(v)
need(nb.get("nbformat") == 4 and isinstance(nb.get("nbformat_minor"), int), "nbformat 4")
need(isinstance(nb.get("metadata"), dict) and isinstance(nb.get("cells"), list), "metadata and cells")
minor = nb.get("nbformat_minor", 0)
ids = set()
keys = {"stream": {"output_type", "name", "text"}, "execute_result": {"output_type", "data", "metadata", "execution_count"},
        "display_data": {"output_type", "data", "metadata"}, "error": {"output_type", "ename", "evalue", "traceback"}}
summary = []
for cell in nb["cells"]:
    t = cell.get("cell_type")
    need(t in ("code", "markdown", "raw"), "cell_type")
    need(isinstance(cell.get("metadata"), dict), "cell metadata")
    text(cell.get("source"))
    if minor >= 5:
        need(isinstance(cell.get("id"), str) and re.match(r"^[a-zA-Z0-9-_]{1,64}$", cell["id"]) and cell["id"] not in ids, "cell id")
        ids.add(cell.get("id"))
    if t != "code":
        need("outputs" not in cell and "execution_count" not in cell, "no outputs outside code cells")
        continue
    need(set(cell) <= {"cell_type", "metadata", "source", "id", "outputs", "execution_count"}, "code cell keys")
    n = cell.get("execution_count")
    need(n is None or isinstance(n, int), "execution_count")
    outs = []
    for o in cell.get("outputs"):
        ot = o.get("output_type")
        need(ot in keys and set(o) == keys[ot], "output keys %s" % sorted(o))
        if ot == "stream":
            need(o["name"] in ("stdout", "stderr"), "stream name")
            s = text(o["text"])
            s = re.sub(r"(?m)^CPU times: user .*, sys: .*, total: .*$", "<cpu>", s)
            s = re.sub(r"(?m)^Wall time: .*$", "<wall>", s)
            s = re.sub(r"(?m)^The slowest run took .*\n", "", s)
            s = re.sub(r"(?m)^.* \u00b1 .* per loop \(mean \u00b1 std. dev. of (\d+) runs?, (\d+) loops? each\)$", r"<timeit \1x\2>", s)
            outs.append("%s:%s" % (o["name"], s))
        elif ot in ("execute_result", "display_data"):
            need(isinstance(o["data"], dict) and isinstance(o["metadata"], dict), "data")
            if ot == "execute_result":
                need(o["execution_count"] == n, "execute_result count")
            outs.append("%s:%s" % ("result" if ot == "execute_result" else "display", text(o["data"].get("text/plain"))))
        elif ot == "error":
            need(isinstance(o["traceback"], list) and all(isinstance(s, str) for s in o["traceback"]), "traceback")
            outs.append("error:%s:%s" % (o["ename"], o["evalue"]))
    summary.append("%s|%s" % (n, "; ".join(outs).replace("\n", "\\n")))
print("structure ok" if not problems else "structure: " + ", ".join(sorted(set(problems))))
print("\n".join(summary))
try:
    import nbformat
except ImportError:
    pass
else:
    nbformat.validate(nbformat.reads(open(sys.argv[1], encoding="utf-8").read(), as_version=4))
    print("nbformat.validate ok")
PY
summary() { python3 "$TMP/check_nb.py" "$1" 2>&1 | grep -v '^structure\|^nbformat'; }
structure() { python3 "$TMP/check_nb.py" "$1" 2>&1 | grep '^structure'; }
validated() { python3 "$TMP/check_nb.py" "$1" 2>&1 | grep -c '^nbformat.validate ok'; }

# ---- 1: outputs, execution counts, magics, --output, options and argv
mkdir -p "$TMP/sub"
printf 'V = 7\n' > "$TMP/sub/helper.py"
make_nb "$TMP/sub/nb.ipynb" <<'NB'
[("markdown", "# Title\nprint('not run')"),
 ("code", "import sys, helper\nprint('hello', sys.argv[1:], helper.V)\n1 + 1"),
 ("code", "x = 40"),
 ("code", "x + 2  # the value of the last expression is shown"),
 ("code", "print('to err', file=sys.stderr)\nprint('out')\nx;"),
 ("code", "%time y = sum(range(10))\nprint(y)"),
 ("code", "%%time\nz = 5\nz * 2"),
 ("code", "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'\n%load_ext autoreload\n%autoreload 2\n%foo bar\n!ls -l\n%pip install torch\nfiles = !ls\ns = '''\n%notmagic\n'''\nfor i in range(2):\n    print(i)\nlen(files), len(s)"),
 ("raw", "raw text"),
 ("code", "  \n"),
 ("code", "%timeit -n 2 -r 2 sum(range(10))\n%env NB_FOO=bar\nimport os\ndisplay(os.environ['NB_FOO'])\n_, Out[3]"),
 ("code", "%%capture cap\nprint('hidden')"),
 ("code", "%%writefile w.txt\nwritten"),
 ("code", "print(open('w.txt').read().strip(), cap.stdout.strip(), os.path.basename(os.getcwd()))")]
NB
out="$(cd "$TMP" && "$J" sub/nb.ipynb a --output out.ipynb -- --inplace 2>"$TMP/err")"; rc=$?
check "run: exit 0" "0" "$rc"
check "run: outputs printed in order (streams, last-expression values, display, magics' output)" \
"hello ['a', '--inplace'] 7
2
42
out
45
10
0
1
(0, 11)
env: NB_FOO=bar
'bar'
((0, 11), 42)
Writing w.txt
written hidden sub" "$(grep -v '^CPU times: \|^Wall time: \|per loop (mean\|^The slowest run' <<<"$out")"
check "%time / %%time print IPython's CPU times and Wall time lines" "2|2" \
  "$(grep -c '^CPU times: user [0-9.]* [mµun]*s, sys: [0-9.]* [mµun]*s, total: [0-9.]* [mµun]*s$' <<<"$out")|$(grep -c '^Wall time: [0-9.]* [mµun]*s$' <<<"$out")"
check "%timeit prints mean ± std per loop" "1" "$(grep -c '^[0-9.]* [mµun]*s ± [0-9.]* [mµun]*s per loop (mean ± std. dev. of 2 runs, 2 loops each)$' <<<"$out")"
check "stderr: the cell's stderr, one warning per skipped magic / shell escape" \
"to err
jtorch: skipped %foo bar (magic not supported by jtorch)
jtorch: skipped !ls -l (shell commands are not run by jtorch)
jtorch: skipped %pip install torch (packages are not installed from notebooks under jtorch)
jtorch: skipped !ls (shell commands are not run by jtorch)" "$(grep -v '^jtorch: building' "$TMP/err")"
check "--output: valid nbformat 4 structure" "structure ok" "$(structure "$TMP/out.ipynb")"
[ "$HAVE_NBFORMAT" = yes ] && check "--output: nbformat.validate" "1" "$(validated "$TMP/out.ipynb")"
check "--output: outputs and execution counts per cell" \
"1|stdout:hello ['a', '--inplace'] 7\n; result:2
2|
3|result:42
4|stderr:to err\n; stdout:out\n
5|stdout:<cpu>\n<wall>\n45\n
6|stdout:<cpu>\n<wall>\n; result:10
7|stderr:jtorch: skipped %foo bar (magic not supported by jtorch)\njtorch: skipped !ls -l (shell commands are not run by jtorch)\njtorch: skipped %pip install torch (packages are not installed from notebooks under jtorch)\njtorch: skipped !ls (shell commands are not run by jtorch)\n; stdout:0\n1\n; result:(0, 11)
None|
8|stdout:<timeit 2x2>\nenv: NB_FOO=bar\n; display:'bar'; result:((0, 11), 42)
9|
10|stdout:Writing w.txt\n
11|stdout:written hidden sub\n" "$(summary "$TMP/out.ipynb")"
check "the input notebook is left alone, no temporary files left" "null|nb.ipynb" \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["cells"][1]["execution_count"]))' "$TMP/sub/nb.ipynb")|$(cd "$TMP/sub" && ls -A | grep ipynb | tr '\n' ' ' | sed 's/ $//')"

# ---- 2: a failing cell stops the run (like nbconvert without --allow-errors: non-zero exit, nothing written)
make_nb "$TMP/fail.ipynb" <<'NB'
[("code", "print('first')"),
 ("code", "raise KeyError('allowed')", ["raises-exception"]),
 ("code", "def f():\n    raise ValueError('boom')\n\nf()"),
 ("code", "print('after')")]
NB
cp "$TMP/fail.ipynb" "$TMP/errs.ipynb"
out="$("$J" "$TMP/fail.ipynb" --output "$TMP/fail_out.ipynb" 2>"$TMP/err")"; rc=$?
check "failing cell: exit 1, later cells not run" "1|first" "$rc|$out"
check "failing cell: traceback on stderr names the cell's lines" "yes|yes|yes" \
  "$(yesno grep -q '^  File "Cell In\[3\]", line 4, in <module>$' "$TMP/err")|$(yesno grep -q '^  File "Cell In\[3\]", line 2, in f$' "$TMP/err")|$(yesno grep -qx 'ValueError: boom' "$TMP/err")"
check "cell tagged raises-exception may fail" "yes" "$(yesno grep -qx "KeyError: 'allowed'" "$TMP/err")"
check "failing cell: notebook not written, and says so" "no|yes" \
  "$([ -e "$TMP/fail_out.ipynb" ] && echo yes || echo no)|$(tail -n1 "$TMP/err" | grep -q '^jtorch: notebook not written (cell In\[3\] failed' && echo yes || echo no)"

# ---- 3: --allow-errors --inplace: every cell runs, errors recorded in the notebook, exit 0
python3 - "$TMP/errs.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
for src in ["x = (", "%time 1/0", "import sys\nsys.exit(3)", "print('end')"]:
    nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src})
json.dump(nb, open(sys.argv[1], "w"))
PY
out="$("$J" "$TMP/errs.ipynb" --inplace --allow-errors 2>"$TMP/err")"; rc=$?
check "--allow-errors: all cells run, exit 0" "0|first after end" "$rc|$(echo $out)"
check "--inplace: notebook rewritten as nbformat 4" "structure ok" "$(structure "$TMP/errs.ipynb")"
[ "$HAVE_NBFORMAT" = yes ] && check "--inplace: nbformat.validate" "1" "$(validated "$TMP/errs.ipynb")"
check "--inplace: error outputs (ename, evalue) and counts" \
"1|stdout:first\n
2|error:KeyError:'allowed'
3|error:ValueError:boom
4|stdout:after\n
5|error:SyntaxError:'(' was never closed (Cell In[5], line 1)
6|error:ZeroDivisionError:division by zero
7|error:SystemExit:3
8|stdout:end\n" "$(summary "$TMP/errs.ipynb")"
check "error output traceback: Python's traceback lines" \
  "[\"Traceback (most recent call last):\", \"  File \\\"Cell In[3]\\\", line 4, in <module>\\n    f()\", \"  File \\\"Cell In[3]\\\", line 2, in f\\n    raise ValueError('boom')\", \"ValueError: boom\"]" \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["cells"][2]["outputs"][0]["traceback"]))' "$TMP/errs.ipynb")"

# ---- 4: the example notebook
out="$("$J" "$ROOT/examples/train_mlp.ipynb" 2>"$TMP/err")"; rc=$?
check "examples/train_mlp.ipynb runs: exit 0, progress printed, nothing on stderr" "0|5|1|" \
  "$rc|$(grep -c '^step *[0-9]*  loss [0-9.]*  accuracy [0-9.]*$' <<<"$out")|$(grep -c "^'final accuracy [0-9.]*'$" <<<"$out")|$(grep -v '^jtorch: building' "$TMP/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
