import os, subprocess, sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

def didex(*args, **kw):
    "Run the installed `didex` command; returns the CompletedProcess."
    return subprocess.run([str(BIN/'didex'), *map(str, args)], capture_output=True, text=True, **kw)

@pytest.fixture
def run(): return didex
