"""Benchmark `didex demo`'s model stage: the training step of each row, and the models trained in parallel.

Builds a small ToyCity world, then
1. times `--iterations` of each row's training (`train_row`) as the demo runs it, and with its three CPU speed-ups
   undone (pictures decoded on every read instead of kept in memory, contiguous instead of channels-last weights,
   per-tensor instead of fused AdamW), each in a fresh process, alternating, twice; prints ms per iteration and ratios;
2. trains and evaluates the same (row, seed) jobs with workers=1 and with the parallel pool, checks that both give the
   same numbers, and prints the wall times and their ratio."""
import argparse, multiprocessing as mp, os, shutil, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch
import didex.demo
from didex.demo import DemoConfig, ROWS, _models, build_world, pretrained, train_row
from didex.metrics import miou

def _undo_speedups():
    "Patch this process back to the plain way: decode on every read, contiguous weights, per-tensor AdamW."
    loaders, model = didex.demo.uda_dataloaders, didex.demo.toy_model
    didex.demo.uda_dataloaders = lambda *a, **k: loaders(*a, **{**k, 'cache': False})
    didex.demo.toy_model = lambda *a, **k: model(*a, **k).to(memory_format=torch.contiguous_format)
    class AdamW(torch.optim.AdamW):
        def __init__(self, *a, fused=None, **k): super().__init__(*a, **k)
    torch.optim.AdamW = AdamW

def _time_row(row, out, cfg, plain, q):
    torch.set_num_threads(cfg.threads)
    if plain: _undo_speedups()
    train_row(row, out, replace(cfg, iterations=10), progress=False)  # warm-up: imports, first allocations
    t = time.perf_counter(); train_row(row, out, cfg, progress=False)
    q.put((time.perf_counter() - t)/cfg.iterations*1000)

def time_rows(out, cfg, rounds=2):
    "{(row, 'kit' or 'plain'): ms per iteration}, the best of `rounds` fresh processes."
    ctx, res = mp.get_context('spawn'), {}
    for _ in range(rounds):
        for row in ROWS:
            for plain in (True, False):
                q = ctx.Queue(); p = ctx.Process(target=_time_row, args=(row, out, cfg, plain, q)); p.start()
                ms = q.get(); p.join()
                key = (row, 'plain' if plain else 'kit')
                res[key] = min(res.get(key, ms), ms)
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iterations', type=int, default=100, help='iterations per model')
    p.add_argument('--n', type=int, default=120, help='source pictures of the world')
    p.add_argument('--seeds', type=int, default=2, help='seeds per row (4 rows each)')
    p.add_argument('--workers', type=int, default=os.cpu_count(), help='processes of the parallel run')
    a = p.parse_args()
    cfg = replace(DemoConfig(), iterations=a.iterations, n_source=a.n, n_held_out=20)
    torch.set_num_threads(cfg.threads)
    out = Path(tempfile.mkdtemp())/'demo'
    build_world(out, cfg, progress=False)
    pretrained(out, cfg, progress=False)
    steps = time_rows(out, cfg)
    for row in ROWS:
        print(f"{row}: {steps[row, 'kit']:.1f} ms per iteration (plain: {steps[row, 'plain']:.1f} ms, "
              f"{steps[row, 'plain']/steps[row, 'kit']:.2f}x)", flush=True)
    kit, plain = (sum(steps[r, v] for r in ROWS) for v in ('kit', 'plain'))
    print(f"the {len(ROWS)} rows, one iteration each: {kit:.1f} ms (plain: {plain:.1f} ms, {plain/kit:.2f}x)", flush=True)
    jobs = [(row, ROWS[row], seed, 0) for seed in range(a.seeds) for row in ROWS]
    res = {}
    for workers in (1, a.workers):
        t = time.perf_counter()
        res[workers] = {(r, s): [miou(e.cm) for e in ev.values()] for r, s, ev, _, _ in _models(jobs, out, cfg, workers)}
        res[workers, 'wall'] = time.perf_counter() - t
        print(f"{len(jobs)} models of {a.iterations} iterations, {workers} process{'es' if workers > 1 else ''}: "
              f"{res[workers, 'wall']:.1f} s ({res[workers, 'wall']/len(jobs):.2f} s per model)", flush=True)
    print(f"same numbers: {res[1] == res[a.workers]}; speed-up with {a.workers} processes: "
          f"{res[1, 'wall']/res[a.workers, 'wall']:.2f}x (cores: {os.cpu_count()})")
    shutil.rmtree(out.parent)

if __name__ == '__main__': main()
