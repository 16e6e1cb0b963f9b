import contextlib, io, os, signal, subprocess, sys
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

def kill_tree(pid):
    "SIGKILL process `pid` and every process below it (torchrun starts its workers in sessions of their own)."
    children = {}
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try: fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError: continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    todo, found = [pid], []
    while todo: found.append(todo.pop()); todo += children.get(found[-1], [])
    for p in found:
        try: os.kill(p, signal.SIGKILL)
        except ProcessLookupError: pass

def torchrun(*args, port_offset=0):
    "`torchrun --nproc-per-node 2 -m didex ARGS`, on a port of this test process's own."
    return [str(BIN/'torchrun'), '--nproc-per-node', '2', '--master-port', str(29500 + (os.getpid() + port_offset) % 1000),
            '-m', 'didex', *map(str, args)]

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
