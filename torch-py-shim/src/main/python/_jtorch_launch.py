"""Runs a script, a module, code or the interactive prompt the way `python` does (used by the launcher);
notebooks (FILE.ipynb) go to _jtorch_notebook."""
import sys

# True when this run was handed to the launcher's warm daemon JVM (scripts/jtorch; see handoff)
via_daemon = False


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


def _finish():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass


def main(mode, target, argv):
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
            import code
            import __main__
            try:
                import readline  # noqa: F401  (history and editing where available)
            except Exception:
                pass
            banner = "jtorch (PyTorch API on GraalPy %s)\nType \"help\", \"copyright\", \"credits\" or \"license\" for more information." % sys.version.split()[0]
            console = code.InteractiveConsole(__main__.__dict__)
            if not sys.stdin.isatty():
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
    global via_daemon
    import os
    via_daemon = True
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
