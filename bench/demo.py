"""Benchmark `didex demo`'s model stage: the same models trained one process at a time and `--workers` at a time.

Builds a small ToyCity world, then trains and evaluates the same (row, seed) jobs with workers=1 and with the parallel
pool, checks that both give the same numbers, and prints the wall times and their ratio."""
import argparse, os, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch
from didex.demo import DemoConfig, ROWS, _models, build_world, pretrained
from didex.evaluate import miou

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

if __name__ == '__main__': main()
