import contextlib, io, os, subprocess, sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BIN = Path(sys.executable).parent

def cli(*args):
    "Run `didex ARGS` in this process (no interpreter start-up, torch imported once); (status, stdout, stderr)."
    from didex.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): code = main([str(a) for a in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())

def didex(*args, **kw):
    "Run the installed `didex` command; returns the CompletedProcess."
    return subprocess.run([str(BIN/'didex'), *map(str, args)], capture_output=True, text=True, **kw)

@pytest.fixture
def run(): return didex
