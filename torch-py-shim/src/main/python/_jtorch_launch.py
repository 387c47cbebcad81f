"""Runs a script, a module, code or the interactive prompt the way `python` does (used by the launcher)."""
import sys


def _print_exc(skip_frames):
    import traceback
    etype, value, tb = sys.exc_info()
    for _ in range(skip_frames):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    traceback.print_exception(etype, value, tb)


def _finish():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass


def main(mode, target, argv):
    sys.argv = list(argv)
    try:
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
