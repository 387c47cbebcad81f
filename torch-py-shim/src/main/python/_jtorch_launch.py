"""Runs a script, a module, code or the interactive prompt the way `python` does (used by the launcher);
notebooks (FILE.ipynb) go to _jtorch_notebook."""
import sys

# True when this run was handed to the launcher's warm daemon JVM (scripts/jtorch; see handoff)
via_daemon = False
# how many runs this session has served (the daemon reuses a session whose run left it clean; see recycle)
runs = 0
# what a fresh process has right after `import torch` (snapshot); recycle() puts it back after a run
_base = None
_MISSING = object()
# module-level caches that recycle() leaves as they are: refilling them would only make new objects for the same
# keys (and throw away the JIT's code specialised for the old ones)
_CACHES = {"torch._jt": ("_JDEV", "_PYDEV"), "torch.return_types": ("_cache",), "torch.storage": ("_legacy",),
           "torch.serialization": ("_file_dtypes",), "torch.nn.modules": ("_LAZY",)}


def _print_exc(skip_frames):
    """Prints the traceback without the launcher's own frames (this module and runpy), like python does."""
    import traceback
    etype, value, tb = sys.exc_info()
    while tb is not None and tb.tb_next is not None:
        name = tb.tb_frame.f_code.co_filename
        if name == __file__ or name.endswith("runpy.py"):
            tb = tb.tb_next
        else:
            break
    # the trailing frames inside the shim's tensor glue stand for PyTorch's C++ code: leave them out
    import os
    shim = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch") + os.sep
    native = {shim + f for f in ("_tensor.py", "__init__.py", "_jt.py", "_nn_ops.py")}
    frames = traceback.extract_tb(tb)
    while len(frames) > 1 and frames[-1].filename in native:
        frames.pop()
    sys.stderr.write("Traceback (most recent call last):\n")
    sys.stderr.write("".join(traceback.format_list(frames)))
    sys.stderr.write("".join(traceback.format_exception_only(etype, value)))


def completions(ns, text):
    """Names completing `text` (a name or dotted attribute path) in namespace ns, as Python's readline
    completion finds them (rlcompleter), without its trailing '(' or ' '; sorted, without duplicates."""
    if not text or not (text[0].isalpha() or text[0] == "_"):
        return []
    import rlcompleter
    completer = rlcompleter.Completer(ns)
    found = set()
    try:
        for state in range(10000):
            m = completer.complete(text, state)
            if m is None:
                break
            found.add(m.rstrip("( "))
    except Exception:
        pass
    return sorted(found)


def check_complete(src):
    """('complete' | 'incomplete' | 'invalid', indent for the next line) for source typed so far, as
    IPython's is_complete: unclosed brackets, strings, a block opener or a block's indented body that has
    not been ended by an empty line make it incomplete."""
    import _jtorch_notebook
    lines = src.split("\n")
    if src.lstrip().startswith("%%"):  # a cell magic: ends with an empty line
        return ("incomplete", "") if lines[-1].strip() else ("complete", "")
    if not src.strip():
        return "complete", ""
    last = ""
    for line in reversed(lines):
        if line.strip():
            last = line
            break
    indent = last[:len(last) - len(last.lstrip())]
    code_part = last.split("#", 1)[0].rstrip()
    next_indent = indent + "    " if code_part.endswith(":") else indent
    try:
        compile(_jtorch_notebook._transform(src), "<input>", "exec", dont_inherit=True)
    except SyntaxError as e:
        msg = str(getattr(e, "msg", "") or "")
        if (_open_at_end(src) or msg.startswith("unterminated triple-quoted string")
                or (msg.startswith("expected an indented block") and (e.lineno or 0) >= len(src.rstrip().split("\n")))):
            return "incomplete", next_indent
        return "invalid", ""
    except (OverflowError, ValueError):
        return "invalid", ""
    if src.rstrip(" \t").endswith("\\"):
        return "incomplete", indent
    if indent and lines[-1].strip():  # an indented body: one more (empty) line ends it
        return "incomplete", next_indent
    return "complete", ""


def _open_at_end(src):
    """Whether src ends inside brackets or after a line continuation (tokenize reaches EOF mid-statement)."""
    import io
    import tokenize
    try:
        for _ in tokenize.generate_tokens(io.StringIO(src).readline):
            pass
    except tokenize.TokenError as e:
        return "EOF" in str(e.args[0] if e.args else e)
    except (SyntaxError, IndentationError):
        return False
    return False


def _finish():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass


def _use_editor(editor, console, ns):
    """Reads the prompt's lines (and input()'s) through the launcher's line editor (ReplEditor: history,
    Tab completion over ns)."""
    import builtins
    editor.setCompleter(lambda text: completions(ns, str(text)))
    pending = []  # the further lines of a multi-line paste

    def read(prompt=""):
        if pending:
            return pending.pop(0)
        _finish()
        line = editor.readLine(str(prompt))
        if line is None:
            if editor.wasInterrupted():
                raise KeyboardInterrupt
            raise EOFError
        parts = str(line).split("\n")
        pending.extend(parts[1:])
        return parts[0]

    def raw_input(prompt=""):
        return read(prompt)

    def input_(prompt=""):
        del pending[:]
        return read(prompt)

    console.raw_input = raw_input
    builtins.input = input_


def _make_console(ns):
    """code.InteractiveConsole that decides like CPython's prompt when a statement is complete: it waits
    for more lines while brackets or a string are open and until an empty line ends an indented block
    (GraalPy's codeop reports open brackets as syntax errors and runs a block at its first body line)."""
    import code

    class Console(code.InteractiveConsole):
        def runsource(self, source, filename="<input>", symbol="single"):
            if check_complete(source)[0] == "incomplete":
                return True  # more input wanted
            return super().runsource(source, filename, symbol)

    return Console(ns)


def main(mode, target, argv, editor=None):
    sys.argv = list(argv)
    try:
        if mode == "file" and target.lower().endswith(".ipynb"):
            import _jtorch_notebook  # runs the notebook's cells; options after the path are its own
            status = _jtorch_notebook.main(target, list(argv)[1:])
            _finish()
            return status
        if mode == "file":
            import os
            import runpy
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            try:
                runpy.run_path(target, run_name="__main__")
            except SystemExit:
                raise
            except BaseException:
                _print_exc(3)
                _finish()
                return 1
        elif mode == "module":
            import runpy
            sys.path.insert(0, "")
            try:
                runpy.run_module(target, run_name="__main__", alter_sys=True)
            except SystemExit:
                raise
            except BaseException:
                _print_exc(3)
                _finish()
                return 1
        elif mode == "code":
            sys.path.insert(0, "")
            import __main__
            try:
                exec(compile(target, "<string>", "exec"), __main__.__dict__)
            except SystemExit:
                raise
            except BaseException:
                _print_exc(1)
                _finish()
                return 1
        else:
            sys.path.insert(0, "")
            import __main__
            banner = "jtorch (PyTorch API on GraalPy %s)\nType \"help\", \"copyright\", \"credits\" or \"license\" for more information." % sys.version.split()[0]
            console = _make_console(__main__.__dict__)
            if editor is not None:
                _use_editor(editor, console, __main__.__dict__)
            elif sys.stdin.isatty():
                try:
                    import readline  # noqa: F401  (history and editing where available)
                except Exception:
                    pass
            else:
                def raw_input(prompt=""):
                    # like CPython: prompts go to stderr, so piped output holds only results
                    sys.stderr.write(prompt)
                    sys.stderr.flush()
                    line = sys.stdin.readline()
                    if not line:
                        raise EOFError
                    return line.rstrip("\n")
                console.raw_input = raw_input
            console.interact(banner=banner, exitmsg="")
    except SystemExit as e:
        _finish()
        c = e.code
        if c is None:
            return 0
        if isinstance(c, int):
            return c
        print(c, file=sys.stderr)
        return 1
    _finish()
    return 0


def handoff(cwd, env):
    """Makes a prepared session (the launcher daemon's spare) look like a fresh process started by the client:
    its working directory and environment (env: a flat sequence key, value, key, value, ...)."""
    global via_daemon, runs
    import os
    via_daemon = True
    runs += 1
    os.chdir(cwd)
    new = {env[i]: env[i + 1] for i in range(0, len(env), 2)}
    for k in list(os.environ):
        if k not in new:
            del os.environ[k]
    os.environ.update(new)
    # what torch read from the environment when the spare imported it
    torch = sys.modules.get("torch")
    if torch is not None:
        torch._default_device_from_env()


def at_exit():
    """What a process does when its script ends: the atexit handlers (their output still reaches the client),
    then the streams are flushed."""
    import atexit
    try:
        atexit._run_exitfuncs()
    finally:
        clear = getattr(atexit, "_clear", None)
        if clear is not None:
            clear()
        _finish()


def _owned(name):
    # the modules whose state a script could change and a fresh process would not have: the shim and builtins
    # (the launcher's own modules keep their counters)
    return name == "torch" or name.startswith("torch.") or name == "builtins" or (
        name.startswith("_jtorch") and name != "_jtorch_launch")


def snapshot():
    """Records the interpreter state of a freshly prepared session (torch imported, nothing run yet): the
    loaded modules, the shim's module globals, the contents of their module-level lists, dicts and sets, the
    attributes of its classes and of its module-level option objects, and sys/warnings settings."""
    global _base
    import collections
    import warnings
    plain_dicts = (dict, collections.OrderedDict, collections.defaultdict)
    mods = dict(sys.modules)
    dicts, containers, classes, objects = [], [], [], []
    for name, m in mods.items():
        if not _owned(name):
            continue
        d = getattr(m, "__dict__", None)
        if not isinstance(d, dict):
            continue
        dicts.append((d, dict(d)))
        if name == "builtins":
            continue
        caches = _CACHES.get(name, ())
        for key, v in d.items():
            if key in caches:
                continue
            t = type(v)
            if t is list:
                containers.append((v, list(v)))
            elif t in plain_dicts:
                containers.append((v, dict(v)))
            elif t is set:
                containers.append((v, set(v)))
            elif isinstance(v, type):
                if getattr(v, "__module__", None) == name:
                    classes.append((v, dict(v.__dict__)))
            elif _owned(getattr(t, "__module__", "") or "") and isinstance(getattr(v, "__dict__", None), dict):
                objects.append((v, dict(v.__dict__)))
    _base = {
        "modules": mods, "dicts": dicts, "containers": containers, "classes": classes, "objects": objects,
        "path": list(sys.path), "meta_path": list(sys.meta_path), "path_hooks": list(sys.path_hooks),
        "streams": (sys.stdin, sys.stdout, sys.stderr), "hooks": (sys.displayhook, sys.excepthook),
        "recursion": sys.getrecursionlimit(), "filters": list(warnings.filters),
    }


def recycle():
    """After a run: puts back what snapshot() recorded, so that the next script finds the session as a fresh
    process would (and the code the JIT compiled for the shim stays). False when that cannot be promised: no
    snapshot, threads still running, or state that could not be put back; the daemon then closes the session."""
    import threading
    if _base is None or threading.active_count() > 1:
        return False
    try:
        _restore(_base)
    except Exception:
        return False
    return True


def _put_back(d, d0, put=None, drop=None):
    """Makes mapping d hold what d0 holds (the same objects): keys added since are dropped, changed ones reset."""
    for k in [k for k in d if k not in d0]:
        (drop or d.__delitem__)(k)
    for k, v in d0.items():
        if d.get(k, _MISSING) is not v:
            (put or d.__setitem__)(k, v)


def _restore(b):
    import types
    import warnings
    mods = b["modules"]
    _put_back(sys.modules, mods)
    for d, d0 in b["dicts"]:
        _put_back(d, d0)
    for c, c0 in b["containers"]:
        if len(c) == len(c0) and (all(x is y for x, y in zip(c, c0)) if type(c0) is list else
                                   c == c0 if type(c0) is set else all(c.get(k, _MISSING) is v for k, v in c0.items())):
            continue
        if type(c0) is list:
            c[:] = c0
        else:  # cleared and refilled, so that an ordered dict (hooks) keeps its order
            c.clear()
            c.update(c0)
    for cls, d0 in b["classes"]:
        _put_back(cls.__dict__, d0, put=lambda k, v, cls=cls: setattr(cls, k, v), drop=lambda k, cls=cls: delattr(cls, k))
    for obj, d0 in b["objects"]:
        _put_back(obj.__dict__, d0)
    sys.path[:] = b["path"]
    sys.meta_path[:] = b["meta_path"]
    sys.path_hooks[:] = b["path_hooks"]
    sys.path_importer_cache.clear()
    sys.argv = [""]
    sys.stdin, sys.stdout, sys.stderr = b["streams"]
    sys.displayhook, sys.excepthook = b["hooks"]
    sys.setrecursionlimit(b["recursion"])
    sys.settrace(None)
    sys.setprofile(None)
    for a in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, a):
            delattr(sys, a)
    warnings.filters[:] = b["filters"]
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
    sys.modules["__main__"] = types.ModuleType("__main__")
    if "random" in mods:
        mods["random"].seed()  # a fresh process seeds it from the OS
