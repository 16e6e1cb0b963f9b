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

def kill_at_checkpoint(args, ckpt, timeout=180):
    "Start `didex ARGS`, SIGKILL its process group once `ckpt` exists (or after `timeout` s); returns the checkpoint's iteration."
    import time, torch
    p = subprocess.Popen([str(BIN/'didex'), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    deadline = time.time() + timeout
    while not ckpt.exists() and time.time() < deadline and p.poll() is None: time.sleep(0.01)
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)
    return torch.load(ckpt, weights_only=True)['iteration']

def processes():
    "(pid, parent pid, command line) of every process of this machine."
    for d in Path('/proc').glob('[0-9]*'):
        try: ppid, cmd = int((d/'stat').read_text().rsplit(')', 1)[1].split()[1]), (d/'cmdline').read_bytes().decode(errors='ignore')
        except OSError: continue
        yield int(d.name), ppid, cmd

def kill_tree(pid):
    "SIGKILL process `pid` and every process below it (torchrun starts its workers in sessions of their own)."
    children = {}
    for p, ppid, _ in processes(): children.setdefault(ppid, []).append(p)
    todo, found = [pid], []
    while todo: found.append(todo.pop()); todo += children.get(found[-1], [])
    for p in found:
        try: os.kill(p, signal.SIGKILL)
        except ProcessLookupError: pass

def worker_pids(out):
    "The processes torchrun started for the run writing into `out` (not torchrun itself)."
    return [p for p, _, cmd in processes() if str(out) in cmd and 'torchrun' not in cmd]

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

@pytest.fixture(scope='module')
def uda_data(tmp_path_factory):
    "A converted GTA5 fixture as the source, generated and Cityscapes fixtures as targets: `DATASET=ROOT` specs, and the Cityscapes root."
    from didex.convert import convert
    from didex.testing import make_fixture
    tmp = tmp_path_factory.mktemp('data')
    gta = make_fixture('gta5', tmp/'gta5', n=4)
    convert('gta5', gta, workers=1, progress=False)
    return dict(source=f'gta5={gta}', generated=f"generated={make_fixture('generated', tmp/'gen', n=3, seed=1)}",
                cityscapes=f"cityscapes={make_fixture('cityscapes', tmp/'cs', n=2)}", cs_root=tmp/'cs')
