"""The Python side of the Jupyter kernel (`jtorch kernel -f CONNECTION_FILE`, org.jtorch.bridge.kernel.Kernel).

Java speaks the messaging protocol; this module runs the cells with the notebook runner's machinery
(_jtorch_notebook: magics, `Cell In[n]` tracebacks, display(), In/Out/_), sends what the cells print to
Java (the `sink`: stream and display_data messages on iopub) and answers completion, is_complete and
inspection requests. Replies go back to Java as JSON text.
"""
import builtins
import json
import re
import sys

import _jtorch_notebook as nb
from _jtorch_launch import check_complete, completions

_sink = None
_runner = None
_allow_stdin = False


class StdinNotImplementedError(NotImplementedError):
    """input() in a cell run by a frontend that does not answer input requests (as IPython's)."""


class _KernelRouter(nb._Router):
    """What cells write goes to the kernel's iopub stream messages, display() to display_data."""

    def __init__(self, sink, out, err):
        super().__init__(out, err)
        self.sink = sink

    def _echo(self, name, text):
        if self.echo:
            self.sink.stream(name, text)

    def data(self, output_type, text, count=None):
        if self.echo:
            self.sink.display(text)
        echo, self.echo = self.echo, False
        try:
            super().data(output_type, text, count)  # records it for %%capture
        finally:
            self.echo = echo


def _read_input(prompt="", password=False):
    if not _allow_stdin:
        raise StdinNotImplementedError(
            "input() was called, but this frontend does not support input requests (the kernel has no stdin)")
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    line = _sink.input(str(prompt), bool(password))
    if line is None:
        raise KeyboardInterrupt
    return str(line)


def _input(prompt=""):
    return _read_input(prompt, False)


def _getpass(prompt="Password: ", stream=None):
    return _read_input(prompt, True)


class _Stdin:
    """sys.stdin of the kernel: reading goes through input requests to the frontend (or fails clearly)."""

    encoding = "utf-8"
    errors = "strict"
    closed = False

    def readline(self, size=-1):
        return _read_input("") + "\n"

    def read(self, size=-1):
        return self.readline()

    def readlines(self, hint=-1):
        return [self.readline()]

    def __iter__(self):
        return self

    def __next__(self):
        return self.readline()

    def isatty(self):
        return False

    def readable(self):
        return True

    def fileno(self):
        import io
        raise io.UnsupportedOperation("fileno")


def start(sink):
    """Sets up __main__ and the standard streams for the kernel; returns the language_info (JSON)."""
    global _sink, _runner
    import __main__
    import getpass
    import platform
    _sink = sink
    ns = __main__.__dict__
    _runner = nb._Runner(ns)
    ns[nb._HELPER] = _runner
    ns["display"] = nb.display
    ns.setdefault("In", [""])
    ns.setdefault("Out", {})
    sys.argv = [""]
    sys.path.insert(0, "")  # the kernel's folder (the notebook's, as Jupyter starts it)
    router = _KernelRouter(sink, sys.stdout, sys.stderr)
    nb._router = router
    sys.stdout, sys.stderr = nb._Tee(router, "stdout"), nb._Tee(router, "stderr")
    sys.stdin = _Stdin()
    builtins.input = _input
    getpass.getpass = _getpass
    version = platform.python_version()
    return json.dumps({
        "name": "python", "version": version, "mimetype": "text/x-python", "file_extension": ".py",
        "pygments_lexer": "ipython3", "codemirror_mode": {"name": "ipython", "version": 3},
        "nbconvert_exporter": "python",
        "banner": "jtorch: PyTorch on the JVM (GraalPy %s, %s)" % (version, sys.version.split("\n")[-1].strip("[]")),
    })


def execute(code, count, silent, store_history, user_expressions, allow_stdin):
    """Runs a cell; returns the execute_reply content (JSON) plus 'result', the text of its value."""
    global _allow_stdin
    _allow_stdin = bool(allow_stdin)
    router = nb._router
    router.outputs, router.echo = None, not silent
    _runner.count = count
    reply = {"status": "ok", "execution_count": count, "payload": [], "user_expressions": {}}
    try:
        value, show, error = _runner.execute(code, count, store=bool(store_history))
        if error is None and show and not silent:
            try:
                reply["result"] = repr(value)
            except BaseException as e:  # noqa: B902
                error = e
    finally:
        router.outputs, router.echo = None, True
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
    if error is not None:
        ename, evalue, tb = nb._error_fields(error)
        reply.update(status="error", ename=ename, evalue=evalue, traceback=tb)
    elif user_expressions:
        exprs = json.loads(user_expressions)
        out = {}
        for name, expr in exprs.items():
            try:
                v = eval(expr, _runner.ns)
                out[name] = {"status": "ok", "data": {"text/plain": repr(v)}, "metadata": {}}
            except BaseException as e:  # noqa: B902
                ename, evalue, tb = nb._error_fields(e)
                out[name] = {"status": "error", "ename": ename, "evalue": evalue, "traceback": tb}
        reply["user_expressions"] = out
    return json.dumps(reply)


_NAME_BEFORE = re.compile(r"[A-Za-z_][\w.]*$")


def complete(code, cursor_pos):
    """complete_reply content (JSON): names and attributes completing the dotted name before the cursor."""
    before = code[:cursor_pos]
    m = _NAME_BEFORE.search(before)
    token = m.group() if m and (m.start() == 0 or not (before[m.start() - 1].isalnum() or before[m.start() - 1] in "._")) else ""
    matches = completions(_runner.ns, token) if token else []
    return json.dumps({"status": "ok", "matches": matches, "cursor_start": cursor_pos - len(token),
                       "cursor_end": cursor_pos, "metadata": {}})


def is_complete(code):
    """is_complete_reply content (JSON)."""
    status, indent = check_complete(code)
    reply = {"status": status}
    if status == "incomplete":
        reply["indent"] = indent
    return json.dumps(reply)


def _resolve(name, ns):
    parts = name.split(".")
    if parts[0] in ns:
        obj = ns[parts[0]]
    elif hasattr(builtins, parts[0]):
        obj = getattr(builtins, parts[0])
    else:
        raise LookupError(name)
    for p in parts[1:]:
        obj = getattr(obj, p)
    return obj


def inspect_request(code, cursor_pos, detail_level):
    """inspect_reply content (JSON): type, signature and docstring of the name at the cursor (IPython's `obj?`)."""
    import inspect
    before, after = code[:cursor_pos], code[cursor_pos:]
    m = re.search(r"[A-Za-z_][\w.]*$", before)
    name = (m.group() if m else "") + re.match(r"\w*", after).group()
    if not name:  # inside a call: the function being called
        m = re.search(r"([A-Za-z_][\w.]*)\s*\([^()]*$", before)
        name = m.group(1) if m else ""
    name = name.strip(".")
    found = False
    text = ""
    if name:
        try:
            obj = _resolve(name, _runner.ns)
            found = True
        except Exception:
            obj = None
        if found:
            lines = []
            try:
                sig = str(inspect.signature(obj)) if callable(obj) else None
            except (TypeError, ValueError):
                sig = None
            if sig is not None:
                lines.append("Signature: %s%s" % (name, sig))
            lines.append("Type:      %s" % type(obj).__name__)
            if not callable(obj) or isinstance(obj, (int, float, str, bytes, list, tuple, dict, set)):
                try:
                    s = repr(obj)
                    lines.append("String form: %s" % (s if len(s) < 2000 else s[:2000] + "..."))
                except Exception:
                    pass
            doc = inspect.getdoc(obj)
            if doc:
                lines.append("Docstring:\n%s" % doc)
            if detail_level:
                try:
                    lines.append("Source:\n%s" % inspect.getsource(obj))
                except (TypeError, OSError):
                    pass
            text = "\n".join(lines)
    data = {"text/plain": text} if found else {}
    return json.dumps({"status": "ok", "found": found, "data": data, "metadata": {}})
