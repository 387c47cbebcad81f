"""Runs a Jupyter notebook's code cells in order in one session, like `jupyter nbconvert --execute`.

    jtorch NOTEBOOK.ipynb [--inplace | --output FILE] [--allow-errors] [--] [ARGS...]

Each code cell's output is printed as it happens (stdout/stderr streams, the repr of a cell's last
expression, as Jupyter's execute_result). The cells run in the notebook's folder (as a Jupyter kernel
does), in the `__main__` namespace, with the notebook's folder on sys.path. Markdown and raw cells are
skipped, and so are cells tagged `skip-execution`. Common IPython magics work (%time, %%time, %timeit,
%%timeit, %%capture, %%writefile, %env, %cd, %pwd, %run) or are accepted without effect (%matplotlib,
%config, %load_ext autoreload, %autoreload); other magics, shell escapes (!cmd) and %pip/!pip are
skipped with a one-line warning on stderr.

A failing cell stops the run: its traceback goes to stderr and the exit status is 1 (or the code
given to sys.exit). As with nbconvert, a run that stopped at an error writes no notebook; with
--allow-errors every cell runs, errors are recorded in the notebook and the exit status is 0 (cells
tagged `raises-exception` may always fail). With --inplace (overwrite the notebook) or --output FILE
(relative to the current folder) the executed notebook is written in nbformat 4 with its outputs and
execution counts, atomically (a temporary file, then os.replace).
"""
import ast
import json
import linecache
import os
import re
import sys
import time

_USAGE = "usage: jtorch NOTEBOOK.ipynb [--inplace | --output FILE] [--allow-errors] [--] [ARGS...]"
_HELPER = "__jtorch_nb__"  # the name cells reach the magics through (a dunder name: never mangled)
_QUIET_MAGICS = {"matplotlib", "config", "autoreload", "aimport", "autosave", "xmode"}
_PACKAGE_TOOLS = {"pip", "pip3", "conda", "mamba", "micromamba", "uv"}


class _Failed(Exception):
    pass


def _die(msg, status=2):
    sys.stderr.write("jtorch: %s\n" % msg)
    sys.stderr.flush()
    return status


# ---------------------------------------------------------------- output capture

class _Router:
    """Sends what cells write to the terminal (echo) and records it as notebook outputs."""

    def __init__(self, out, err):
        self.real = {"stdout": out, "stderr": err}
        self.outputs = None  # the list the running cell's outputs go to
        self.echo = True

    def _echo(self, name, text):
        if not self.echo:
            return
        try:
            if name == "stderr":
                self.real["stdout"].flush()
            stream = self.real[name]
            stream.write(text)
            if name == "stderr" or "\n" in text:
                stream.flush()
        except Exception:
            pass

    def write(self, name, text):
        self._echo(name, text)
        outs = self.outputs
        if outs is not None:
            if outs and outs[-1]["output_type"] == "stream" and outs[-1]["name"] == name:
                outs[-1]["text"].append(text)
            else:
                outs.append({"name": name, "output_type": "stream", "text": [text]})

    def data(self, output_type, text, count=None):
        self._echo("stdout", text + "\n")
        if self.outputs is not None:
            out = {"data": {"text/plain": text}, "metadata": {}, "output_type": output_type}
            if output_type == "execute_result":
                out["execution_count"] = count
            self.outputs.append(out)


class _Tee:
    """Stands in for sys.stdout / sys.stderr for the whole run."""

    def __init__(self, router, name):
        self._router = router
        self._name = name

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            self._router.write(self._name, s)
        return len(s)

    def writelines(self, lines):
        for s in lines:
            self.write(s)

    def flush(self):
        try:
            self._router.real[self._name].flush()
        except Exception:
            pass

    def writable(self):
        return True

    def readable(self):
        return False

    @property
    def closed(self):
        return False

    def __getattr__(self, name):  # encoding, errors, isatty, fileno, buffer, ...
        return getattr(self._router.real[self._name], name)


class CapturedIO:
    """What `%%capture NAME` stores: .stdout, .stderr, .outputs, .show()."""

    def __init__(self):
        self._outputs = []

    def _text(self, name):
        return "".join("".join(o["text"]) for o in self._outputs
                       if o["output_type"] == "stream" and o["name"] == name)

    @property
    def stdout(self):
        return self._text("stdout")

    @property
    def stderr(self):
        return self._text("stderr")

    @property
    def outputs(self):
        return [o["data"]["text/plain"] for o in self._outputs if o["output_type"] != "stream"]

    def show(self):
        for o in self._outputs:
            if o["output_type"] == "stream":
                getattr(sys, o["name"]).write("".join(o["text"]))
            else:
                _display_text(o["data"]["text/plain"])

    __call__ = show


_router = None


def _display_text(text):
    if _router is not None:
        _router.data("display_data", text)
    else:
        print(text)


def display(*objs, **kwargs):
    """IPython's display(), text only: shows repr(obj) as a display_data output."""
    for obj in objs:
        _display_text(repr(obj))


# ---------------------------------------------------------------- magics: source transformation

_ASSIGN = re.compile(r"^(\s*)([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*([%!])(.*)$")


def _magic_call(kind, rest, assign):
    if kind == "%":
        parts = rest.split(None, 1)
        name = parts[0] if parts else ""
        args = parts[1] if len(parts) > 1 else ""
        return "%s.line_magic(%r, %r)" % (_HELPER, name, args.strip())
    cmd = rest[1:] if rest.startswith("!") else rest  # !!cmd as !cmd
    return "%s.shell(%r, %r)" % (_HELPER, cmd.strip(), assign)


def _magic_line(line):
    """The Python line for a line magic / shell escape, or None for a Python line."""
    stripped = line.lstrip()
    indent = line[:len(line) - len(stripped)]
    if stripped[:1] in ("%", "!"):
        return indent + _magic_call(stripped[0], stripped[1:], False)
    m = _ASSIGN.match(line)
    if m:
        return m.group(1) + m.group(2) + " = " + _magic_call(m.group(3), m.group(4), True)
    return None


def _transform(src):
    """Turns IPython's line magics and shell escapes into calls, line for line (same line numbers).
    Only lines that start outside strings, brackets and backslash continuations are looked at."""
    if "%" not in src and "!" not in src:
        return src
    lines = src.split("\n")
    out = []
    quote = None  # the open string's quote
    depth = 0
    cont = False
    changed = False
    for line in lines:
        if quote is None and depth == 0 and not cont:
            new = _magic_line(line)
            if new is not None:
                out.append(new)
                changed = True
                continue
        out.append(line)
        cont = False
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if quote is not None:
                if c == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = None
                    continue
                i += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                quote = c * 3 if line.startswith(c * 3, i) else c
                i += len(quote)
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth = max(0, depth - 1)
            elif c == "\\" and not line[i + 1:].strip():
                cont = True
            i += 1
        if quote is not None and len(quote) == 1 and not line.endswith("\\"):
            quote = None  # an unterminated one-line string: a syntax error Python will report
    return "\n".join(out) if changed else src


def _split_cell_magic(src):
    """(name, line, body, first body line index) for a cell starting with %%name, else None."""
    lines = src.split("\n")
    k = 0
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k == len(lines) or not lines[k].lstrip().startswith("%%"):
        return None
    parts = lines[k].strip()[2:].split(None, 1)
    name = parts[0] if parts else ""
    line = parts[1].strip() if len(parts) > 1 else ""
    body = "\n".join(lines[k + 1:])
    if not body.endswith("\n"):
        body += "\n"  # IPython hands cell magics a body ending with a newline
    return name, line, body, k + 1


def _format_time(seconds, precision=3):
    """A duration the way IPython's %time and %timeit print it."""
    if seconds >= 60.0:
        parts = []
        left = seconds
        for suffix, length in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
            value = int(left / length)
            if value > 0:
                left = left % length
                parts.append("%d%s" % (value, suffix))
            if left < 1:
                break
        return " ".join(parts)
    units = ["s", "ms", "us", "ns"]
    try:
        "\xb5".encode(sys.stdout.encoding or "ascii")
        units[2] = "\xb5s"
    except Exception:
        pass
    if seconds > 0.0:
        import math
        order = min(-int(math.floor(math.log10(seconds)) // 3), 3)
    else:
        order = 3
    return "%.*g %s" % (precision, seconds * (1, 1e3, 1e6, 1e9)[order], units[order])


def _cpu_times():
    try:
        import resource
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime, r.ru_stime
    except Exception:
        return time.process_time(), 0.0


class TimeitResult:
    """What `%timeit -o` returns (as IPython's TimeitResult)."""

    def __init__(self, loops, repeat, all_runs, precision=3):
        self.loops = loops
        self.repeat = repeat
        self.all_runs = all_runs
        self.timings = [t / loops for t in all_runs]
        self.best = min(self.timings)
        self.worst = max(self.timings)
        self.average = sum(self.timings) / len(self.timings)
        self.stdev = (sum((t - self.average) ** 2 for t in self.timings) / len(self.timings)) ** 0.5
        self._precision = precision

    def __str__(self):
        pm = "+-"
        try:
            "\xb1".encode(sys.stdout.encoding or "ascii")
            pm = "\xb1"
        except Exception:
            pass
        return "%s %s %s per loop (mean %s std. dev. of %d run%s, %s loop%s each)" % (
            _format_time(self.average, self._precision), pm, _format_time(self.stdev, self._precision),
            pm, self.repeat, "" if self.repeat == 1 else "s", "{:,}".format(self.loops),
            "" if self.loops == 1 else "s")

    def __repr__(self):
        return "<TimeitResult : " + str(self) + ">"


# ---------------------------------------------------------------- running cells

class _Runner:
    def __init__(self, ns):
        self.ns = ns
        self.count = 0

    # --- code

    def run_code(self, src, filename, interactive=True, line_offset=0, register=True):
        """Runs (already transformed) source; returns (value of the last expression, whether to show it)."""
        if register:
            linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        tree = ast.parse(src, filename, "exec")
        last = None
        show = False
        if interactive and tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body.pop()
            # a trailing ';' hides the value, as in IPython
            lines = src.split("\n")
            rest = lines[last.end_lineno - 1].encode("utf-8")[last.end_col_offset:].decode("utf-8", "replace")
            show = not rest.lstrip().startswith(";")
        if line_offset:
            ast.increment_lineno(tree, line_offset)
            if last is not None:
                ast.increment_lineno(last, line_offset)
        if tree.body:
            exec(compile(tree, filename, "exec"), self.ns)
        if last is None:
            return None, False
        value = eval(compile(ast.Expression(last.value), filename, "eval"), self.ns)
        return value, show

    def execute(self, src, count, store=True):
        """Runs one cell as Jupyter does; returns (value, whether to show it, the exception or None). With
        store, the cell goes into In and a shown value into Out, _, __, ___ and _<count>, as in IPython."""
        ns = self.ns
        if store:
            ns.setdefault("In", [""]).append(src)
        try:
            value, show = self.run_cell(src, count)
        except BaseException as e:  # noqa: B902 (SystemExit and KeyboardInterrupt are cell errors too)
            return None, False, e
        show = show and value is not None
        if show and store:
            ns.setdefault("Out", {})[count] = value
            ns["___"], ns["__"], ns["_"] = ns.get("__", ""), ns.get("_", ""), value
            ns["_%d" % count] = value
        return value, show, None

    def run_cell(self, src, count):
        """Runs one code cell; returns the value to show (or None) and whether there is one."""
        filename = "Cell In[%d]" % count
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        magic = _split_cell_magic(src)
        if magic is not None:
            name, line, body, offset = magic
            return self.cell_magic(name, line, body, filename, offset)
        return self.run_code(_transform(src), filename, register=False)

    # --- messages

    @staticmethod
    def warn(msg):
        sys.stderr.write("jtorch: %s\n" % msg)

    def skipped(self, what, why):
        self.warn("skipped %s (%s)" % (what, why))

    # --- cell magics

    def cell_magic(self, name, line, body, filename, offset):
        f = getattr(self, "_cell_" + name, None) if name.isidentifier() else None
        if f is None:
            self.skipped("%%%%%s cell" % name, "cell magic not supported by jtorch")
            return None, False
        return f(line, body, filename, offset)

    def _cell_time(self, line, body, filename, offset):
        return self._time(_transform(body), filename, offset, register=False)

    def _cell_timeit(self, line, body, filename, offset):
        return self._timeit(line, body)

    def _cell_capture(self, line, body, filename, offset):
        names = [a for a in line.split() if not a.startswith("-")]
        captured = CapturedIO()
        saved = _router.outputs, _router.echo
        _router.outputs, _router.echo = captured._outputs, False
        try:
            self.run_code(_transform(body), filename, interactive=False, line_offset=offset, register=False)
        finally:
            _router.outputs, _router.echo = saved
        if names:
            self.ns[names[0]] = captured
        return None, False

    def _cell_writefile(self, line, body, filename, offset):
        import shlex
        args = shlex.split(line)
        append = "-a" in args or "--append" in args
        names = [a for a in args if not a.startswith("-")]
        if not names:
            raise ValueError("%%writefile needs a file name")
        path = os.path.expanduser(names[0])
        if append:
            print("Appending to %s" % names[0])
        else:
            print("%s %s" % ("Overwriting" if os.path.exists(path) else "Writing", names[0]))
        with open(path, "a" if append else "w", encoding="utf-8") as f:
            f.write(body)
        return None, False

    # --- line magics (called from the transformed cell source)

    def line_magic(self, name, args):
        f = getattr(self, "_line_" + name, None) if name.isidentifier() else None
        if f is not None:
            return f(args)
        what = ("%" + name + (" " + args if args else "")).strip()
        if name in _QUIET_MAGICS:
            return None
        if name in ("load_ext", "reload_ext") and args.split() == ["autoreload"]:
            return None
        if name in _PACKAGE_TOOLS:
            self.skipped(what, "packages are not installed from notebooks under jtorch")
        else:
            self.skipped(what, "magic not supported by jtorch")
        return None

    def shell(self, cmd, assign=False):
        words = cmd.split()
        tool = words[0] if words else ""
        if tool in _PACKAGE_TOOLS or (tool.startswith("python") and words[1:3] == ["-m", "pip"]):
            self.skipped("!" + cmd, "packages are not installed from notebooks under jtorch")
        else:
            self.skipped("!" + cmd, "shell commands are not run by jtorch")
        return [] if assign else None

    def _line_time(self, args):
        value, show = self._time(_transform(args), "<timed exec>", 0)
        return value if show else None

    def _time(self, src, filename, offset, register=True):
        u0, s0 = _cpu_times()
        w0 = time.perf_counter()
        value, show = self.run_code(src, filename, line_offset=offset, register=register)
        w1 = time.perf_counter()
        u1, s1 = _cpu_times()
        user, system = max(0.0, u1 - u0), max(0.0, s1 - s0)  # GraalPy's ru_stime is not monotonic
        print("CPU times: user %s, sys: %s, total: %s"
              % (_format_time(user), _format_time(system), _format_time(user + system)))
        print("Wall time: %s" % _format_time(w1 - w0))
        return value, show

    def _line_timeit(self, args):
        res = self._timeit(args, None)[0]
        return res

    def _timeit(self, line, body):
        import timeit
        opts = {"n": 0, "r": 7, "p": 3}
        flags = set()
        rest = line
        while True:
            m = re.match(r"\s*-([nrp])\s*(\d+)\s*", rest)
            if m:
                opts[m.group(1)] = int(m.group(2))
                rest = rest[m.end():]
                continue
            m = re.match(r"\s*-([tcqo]+)(\s+|$)", rest)
            if m:
                flags.update(m.group(1))
                rest = rest[m.end():]
                continue
            break
        rest = rest.strip()
        stmt, setup = (rest, "pass") if body is None else (body, rest or "pass")
        timer = timeit.Timer(_transform(stmt), _transform(setup), timer=time.perf_counter, globals=self.ns)
        number = opts["n"]
        if number <= 0:
            for index in range(10):
                number = 10 ** index
                if timer.timeit(number) >= 0.2:
                    break
        repeat = max(1, opts["r"])
        result = TimeitResult(number, repeat, timer.repeat(repeat, number), opts["p"])
        if "q" not in flags:
            if result.worst > 4 * result.best and result.best > 0 and result.worst > 1e-6:
                print("The slowest run took %0.2f times longer than the fastest. This could mean that an "
                      "intermediate result is being cached." % (result.worst / result.best))
            print(result)
        return (result, True) if "o" in flags else (None, False)

    def _line_env(self, args):
        args = args.strip()
        if not args:
            return dict(os.environ)
        m = re.match(r"^([^=\s]+)\s*[=\s]\s*(.*)$", args)
        if m is None:
            return os.environ.get(args, "")
        key, value = m.group(1), m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ[key] = value
        print("env: %s=%s" % (key, value))
        return None

    def _line_cd(self, args):
        import shlex
        parts = shlex.split(args)
        os.chdir(os.path.expanduser(parts[0] if parts else "~"))
        print(os.getcwd())
        return None

    def _line_pwd(self, args):
        return os.getcwd()

    def _line_run(self, args):
        import shlex
        parts = shlex.split(args)
        flags = set()
        while parts and parts[0].startswith("-"):
            flags.add(parts.pop(0))
        if not parts:
            raise ValueError("%run needs a file name")
        path = os.path.expanduser(parts[0])
        if path.endswith(".ipynb"):
            nb = _load(path)
            for i, cell in enumerate(nb.get("cells", [])):
                src = _source(cell)
                if cell.get("cell_type") != "code" or not src.strip():
                    continue
                name = "%s cell %d" % (parts[0], i + 1)
                magic = _split_cell_magic(src)
                linecache.cache[name] = (len(src), None, src.splitlines(True), name)
                if magic is not None:
                    self.cell_magic(magic[0], magic[1], magic[2], name, magic[3])
                else:
                    self.run_code(_transform(src), name, interactive=False, register=False)
            return None
        saved_argv = sys.argv
        sys.argv = [parts[0]] + parts[1:]
        try:
            if "-i" in flags:
                with open(path, encoding="utf-8") as f:
                    code = compile(f.read(), path, "exec")
                exec(code, self.ns)
            else:
                import runpy
                result = runpy.run_path(path, run_name="__main__")
                self.ns.update({k: v for k, v in result.items() if not (k.startswith("__") and k.endswith("__"))})
        finally:
            sys.argv = saved_argv
        return None


# ---------------------------------------------------------------- errors

def _traceback_lines(exc):
    """The traceback as text chunks, without this runner's frames (nor runpy's), and without the
    trailing frames inside the shim's tensor glue (they stand for PyTorch's C++ code)."""
    import traceback
    shim = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch") + os.sep
    native = {shim + f for f in ("_tensor.py", "__init__.py", "_jt.py", "_nn_ops.py")}
    me = os.path.abspath(__file__)
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen = set()
    todo = [te]
    while todo:
        t = todo.pop()
        if t is None or id(t) in seen:
            continue
        seen.add(id(t))
        frames = [f for f in t.stack
                  if os.path.abspath(f.filename) != me and not f.filename.endswith("runpy.py")]
        while len(frames) > 1 and frames[-1].filename in native:
            frames.pop()
        t.stack[:] = frames
        todo.append(getattr(t, "__cause__", None))
        todo.append(getattr(t, "__context__", None))
    return [chunk.rstrip("\n") for chunk in te.format()]


def _error_fields(error):
    """(ename, evalue, traceback lines) of a cell's exception, as Jupyter's error output has them."""
    if isinstance(error, SystemExit):
        code = error.code
        tb = ["An exception has occurred, use %tb to see the full traceback.", "",
              "SystemExit: %s" % ("" if code is None else code)]
    else:
        tb = _traceback_lines(error)
    return type(error).__name__, str(error), tb


# ---------------------------------------------------------------- notebook files

def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _lines(text):
    """nbformat's multi-line string form: a list of lines, each but the last ending with a newline."""
    return text.splitlines(True)


def _load(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", None), list):
        if isinstance(nb, dict) and "worksheets" in nb:
            raise _Failed("%s is an nbformat %s notebook; jtorch runs nbformat 4 (convert it with "
                          "`jupyter nbconvert --to notebook --nbformat 4`)" % (path, nb.get("nbformat", 3)))
        raise _Failed("%s is not a Jupyter notebook (no cells)" % path)
    return nb


def _language(nb):
    md = nb.get("metadata") or {}
    for value in ((md.get("kernelspec") or {}).get("language"), (md.get("language_info") or {}).get("name")):
        if isinstance(value, str) and value:
            return value
    return "python"


def _finish_outputs(outputs):
    result = []
    for o in outputs:
        o = dict(o)
        if o["output_type"] == "stream":
            o["text"] = _lines("".join(o["text"]))
        elif "data" in o:
            o["data"] = {k: _lines(v) if isinstance(v, str) else v for k, v in o["data"].items()}
        result.append(o)
    return result


def _serialize(nb):
    nb.setdefault("metadata", {})
    nb["nbformat"] = 4
    minor = nb.get("nbformat_minor")
    if not isinstance(minor, int):
        nb["nbformat_minor"] = minor = 5
    ids = set()
    for cell in nb["cells"]:
        cell["source"] = _lines(_source(cell))
        cell.setdefault("metadata", {})
        if minor >= 5:
            cid = cell.get("id")
            if not isinstance(cid, str) or not re.match(r"^[a-zA-Z0-9-_]{1,64}$", cid) or cid in ids:
                import uuid
                cid = uuid.uuid4().hex[:8]
                while cid in ids:
                    cid = uuid.uuid4().hex[:8]
                cell["id"] = cid
            ids.add(cid)
        if cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _write_atomic(path, text):
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0o22)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------- entry point

def _parse_args(args):
    inplace = allow_errors = False
    output = None
    rest = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i + 1:])
            break
        if a == "--inplace":
            inplace = True
        elif a == "--allow-errors":
            allow_errors = True
        elif a == "--output":
            if i + 1 == len(args):
                raise _Failed("--output needs a file name\n" + _USAGE)
            i += 1
            output = args[i]
        elif a.startswith("--output="):
            output = a[len("--output="):]
        else:
            rest.append(a)
        i += 1
    if inplace and output is not None:
        raise _Failed("use --inplace or --output, not both\n" + _USAGE)
    if output == "":
        raise _Failed("--output needs a file name\n" + _USAGE)
    return inplace, output, allow_errors, rest


def main(path, args):
    """Runs the notebook at `path`; `args` are the command-line words after it. Returns the exit status."""
    global _router
    try:
        inplace, output, allow_errors, rest = _parse_args(list(args))
        try:
            nb = _load(path)
        except OSError as e:
            raise _Failed("can't open notebook '%s': [Errno %s] %s" % (path, e.errno, e.strerror))
        except ValueError as e:
            raise _Failed("%s is not valid notebook JSON: %s" % (path, e))
        if _language(nb).lower() != "python":
            raise _Failed("%s is a %s notebook; jtorch runs Python notebooks" % (path, _language(nb)))
    except _Failed as e:
        return _die(str(e))
    out_path = os.path.abspath(path if inplace else output) if (inplace or output is not None) else None
    if out_path is not None and not os.path.isdir(os.path.dirname(out_path)):
        return _die("can't write %s: no folder %s" % (output, os.path.dirname(out_path)))

    import __main__
    ns = __main__.__dict__
    runner = _Runner(ns)
    ns[_HELPER] = runner
    ns["display"] = display
    ns.setdefault("In", [""])
    ns.setdefault("Out", {})
    sys.argv = [path] + rest
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    os.chdir(folder)  # like a Jupyter kernel: relative paths are the notebook's

    status = 0
    failed = None  # the execution count of the cell that stopped the run
    interrupted = False
    _router = _Router(sys.stdout, sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tee(_router, "stdout"), _Tee(_router, "stderr")
    try:
        for cell in nb["cells"]:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            md = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
            tags = md.get("tags") or []
            if "skip-execution" in tags:
                continue
            src = _source(cell)
            if not src.strip():
                cell["outputs"] = []
                cell["execution_count"] = None
                continue
            runner.count += 1
            count = runner.count
            outputs = []
            _router.outputs, _router.echo = outputs, True
            try:
                value, show, error = runner.execute(src, count)
                if show:
                    _router.data("execute_result", repr(value), count)
            except BaseException as e:  # noqa: B902 (an error in repr())
                error = e
            finally:
                _router.outputs, _router.echo = None, True
            if error is not None:
                ename, evalue, tb = _error_fields(error)
                outputs.append({"ename": ename, "evalue": evalue, "output_type": "error", "traceback": tb})
                _router._echo("stderr", "\n".join(tb) + "\n")
            cell["outputs"] = _finish_outputs(outputs)
            cell["execution_count"] = count
            if error is None or ("raises-exception" in tags and not isinstance(error, KeyboardInterrupt)):
                continue
            if isinstance(error, KeyboardInterrupt):
                interrupted = True
                status = 130
                break
            if failed is None:
                failed = count
                code = error.code if isinstance(error, SystemExit) else None
                status = code if isinstance(code, int) and code != 0 else 1
            if not allow_errors:
                break
    finally:
        sys.stdout, sys.stderr = saved
        _router = None
        try:
            sys.stdout.flush()
        except Exception:
            pass
    if allow_errors and not interrupted:
        status = 0
    if out_path is not None:
        if interrupted or (failed is not None and not allow_errors):
            where = "interrupted" if interrupted else "cell In[%d] failed" % failed
            return _die("notebook not written (%s; --allow-errors runs every cell and writes the errors "
                        "into the notebook, as nbconvert does)" % where, status)
        try:
            _write_atomic(out_path, _serialize(nb))
        except OSError as e:
            return _die("could not write %s: %s" % (out_path, e), 1)
    return status
