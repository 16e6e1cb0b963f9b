"""Training with two processes on the CPU (gloo), as `torchrun --nproc-per-node 2` runs it: a killed run resumes to the
weights and log of an uninterrupted one, each process draws its own random numbers, and the gradients are all-reduced
once per iteration, to the same weights as all-reducing after every pass."""
import json, os, subprocess, time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from safetensors.torch import load_file

from didex.convert import convert
from didex.testing import make_fixture
from conftest import BIN, kill_tree, torchrun

SMALL = ['--method', 'mic', '--model', 'daformer_b0', '--crop', '32', '--no-pretrained', '--source-scale', '128', '72',
         '--rcs-min-pixels', '10', '--workers', '0', '--quiet', '--device', 'cpu', '--batch-size', '2']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def test_two_processes_killed_and_resumed_end_as_one_uninterrupted_run(tmp_path):
    gta = make_fixture('gta5', tmp_path/'gta5', n=4)
    convert('gta5', gta, workers=1, progress=False)
    args = ['--source', f'gta5={gta}', '--target', f"generated={make_fixture('generated', tmp_path/'gen', n=3, seed=1)}",
            *SMALL, '--iterations', '8', '--checkpoint-every', '2', '--figure-every', '100']
    r = subprocess.run(torchrun('train', *args, '--out', tmp_path/'whole'), capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0 and r.stdout.count('wrote ') == 1, r.stdout + r.stderr[-3000:]  # one report, from the first process
    ckpt = torch.load(tmp_path/'whole/checkpoint.pt', weights_only=True)
    assert ckpt['world'] == 2 and not torch.equal(ckpt['rng_ranks'][0]['torch'], ckpt['rng_ranks'][1]['torch'])  # own draws

    p = subprocess.Popen(torchrun('train', *args, '--out', tmp_path/'killed'), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=ENV)
    path, deadline = tmp_path/'killed/checkpoint.pt', time.time() + 240
    while not path.exists() and time.time() < deadline and p.poll() is None: time.sleep(0.01)
    kill_tree(p.pid); p.communicate(timeout=60)
    done = torch.load(path, weights_only=True)['iteration']
    assert 2 <= done < 8 and not (tmp_path/'killed/final.safetensors').exists()
    r = subprocess.run(torchrun('train', *args, '--out', tmp_path/'killed', '--resume'), capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = load_file(tmp_path/'killed/final.safetensors'), load_file(tmp_path/'whole/final.safetensors')
    assert a.keys() == b.keys() and any(k.startswith('teacher.') for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a), 'a resumed two-process run ends with the weights of an uninterrupted one'
    log = lambda d: [json.loads(l) for l in (tmp_path/d/'log.jsonl').read_text().splitlines()]
    assert log('killed') == log('whole') and [r['iteration'] for r in log('whole')] == list(range(8))
    r = subprocess.run([str(BIN/'didex'), 'train', *args, '--out', tmp_path/'whole', '--resume'], capture_output=True,
                       text=True, env=ENV, timeout=300)  # one process cannot resume a run of two
    assert r.returncode == 2 and 'was made by 2 process(es), not 1' in r.stderr, r.stderr

def _rank(rank, store, every_pass, out):
    "One process of a two-process MIC run on synthetic batches: its count of gradient all-reduces and its weights."
    from fastai.torch_core import set_seed
    from didex.testing import TinySeg, synthetic_dls
    from fastai.callback.core import Callback
    from didex.uda import DistributedStudent, uda_learner
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'file://{store}', rank=rank, world_size=2)
    set_seed(0); model = TinySeg()
    set_seed(1 + rank)  # each process its own masks and mixes
    learn = uda_learner(synthetic_dls(n_iter=3, seed=rank), model, 'mic', lr=1e-3, warmup=0,  # steps that move the weights
                        cbs=DistributedStudent(every_pass=every_pass))
    reduces = []
    def count(state, bucket):  # gloo's all-reduce of one bucket, counted once per backward
        if bucket.is_last(): reduces.append(1)
        fut = dist.all_reduce(bucket.buffer().div_(2), async_op=True).get_future()
        return fut.then(lambda f: f.value()[0])
    grads = {}
    class Hook(Callback):
        order = 12
        def before_fit(self): self.learn.model.register_comm_hook(None, count)
        def before_step(self):  # the first iteration's all-reduced gradient
            if not grads: grads.update({k: p.grad.clone() for k, p in self.learn.model.module.named_parameters()})
    learn.add_cb(Hook())
    learn.fit_uda(0, n_iter=3)
    torch.save(dict(reduces=len(reduces), grads=grads, params=dict(learn.model.named_parameters())),
               out/f'{every_pass}-{rank}.pt')
    dist.destroy_process_group()

def TinySeg_weights():
    from fastai.torch_core import set_seed
    from didex.testing import TinySeg
    set_seed(0); return TinySeg().head[2].weight.detach()

def test_one_all_reduce_per_iteration_and_the_same_weights(tmp_path):
    for every_pass in (False, True):
        mp.spawn(_rank, (tmp_path/f'store-{every_pass}', every_pass, tmp_path), nprocs=2)
    once, each = ([torch.load(tmp_path/f'{e}-{r}.pt') for r in (0, 1)] for e in (False, True))
    assert [o['reduces'] for o in once] == [3, 3]  # three iterations, one all-reduce each
    assert [o['reduces'] for o in each] == [9, 9]  # the plain path: source, mix and masked passes each
    for a, b in zip(once, each):  # the same gradient: a sum of the passes' gradients, averaged over the processes
        assert all(torch.allclose(a['grads'][k], b['grads'][k], rtol=1e-5, atol=1e-8) for k in a['grads'])
        assert a['grads']['head.2.weight'].abs().max() > 1e-4
    assert not torch.allclose(once[0]['params']['head.2.weight'], TinySeg_weights(), atol=1e-4)  # the steps moved the weights
    assert all(torch.equal(once[0]['params'][k], once[1]['params'][k]) for k in once[0]['params'])  # the processes agree

def test_the_processes_wait_for_each_other_longer_than_a_validation(tmp_path):
    "The first process validates alone while the others wait in an all-reduce: NCCL's 10 minutes would kill the run."
    script = tmp_path/'timeout.py'
    script.write_text("import sys, torch, torch.distributed as dist\nfrom didex.core import DIST_TIMEOUT, launcher\nlaunch = launcher()\n"
                      "timeout = dist.group.WORLD._get_backend(torch.device('cpu')).options._timeout\n"
                      "open(f'{sys.argv[1]}/rank-{launch.rank}', 'w').write(f'{launch.world} {timeout.total_seconds()}')\n")
    r = subprocess.run([*torchrun(port_offset=7)[:-2], str(script), str(tmp_path)], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert [(tmp_path/f'rank-{k}').read_text() for k in (0, 1)] == ['2 7200.0']*2
