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

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    "Small inputs for every command: a converted GTA5 source, a Cityscapes root, a generated folder, a model, a manifest."
    import torch
    from didex.convert import convert
    from didex.models import save_model, segmentation_model
    from didex.testing import make_fixture
    tmp = tmp_path_factory.mktemp('world')
    gta = make_fixture('gta5', tmp/'gta5', n=2)
    convert('gta5', gta, workers=1, progress=False)
    cs = make_fixture('cityscapes', tmp/'cs', n=1)
    torch.manual_seed(0)
    save_model(tmp/'m.safetensors', segmentation_model('daformer_b0'))
    r = cli('prompts', f'gta5={gta}', '--out', tmp/'p.jsonl', '--quiet')
    assert r.returncode == 0, r.stderr
    return dict(tmp=tmp, gta=gta, cs=cs, city=next((cs/'leftImg8bit/val').iterdir()), ckpt=tmp/'m.safetensors',
                gen=make_fixture('generated', tmp/'gen', n=2, seed=1), manifest=tmp/'p.jsonl')
