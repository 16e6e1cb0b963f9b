"""ToyCity throughput on this machine: writing a world to disk (600 source pictures, 100 per held-out domain) and
generating its pseudo-target domain with `didex generate`'s real loop and the `toycity` backend, at the demo's sizes.

    python bench/toycity.py [--n 600] [--held-out 100]
"""
import argparse, shutil, tempfile, time
from pathlib import Path

from didex.generate import Settings, generate
from didex.prompts import prompt_rows, write_manifest
from didex.toycity import HELD_OUT, write_world

def main(n, held_out):
    for size in [(48, 64), (64, 128)]:
        tmp = Path(tempfile.mkdtemp())
        t = time.perf_counter()
        write_world(tmp/'world', n, held_out, size, progress=False)
        dt = time.perf_counter() - t
        total = n + held_out*len(HELD_OUT)
        print(f"{size[0]}x{size[1]}: write_world {total} pictures + labels in {dt:.1f} s ({total/dt:.0f} img/s)")
        t = time.perf_counter()
        write_manifest(prompt_rows('gta5', tmp/'world/source', 'full'), tmp/'prompts.jsonl')
        dp = time.perf_counter() - t
        res = generate(tmp/'prompts.jsonl', tmp/'generated', Settings(model='toycity', scale=1.0, stretch_padding=False),
                       batch_size=16, progress=False)
        assert res.generated == n and not res.failed
        print(f"{size[0]}x{size[1]}: prompts ({n}, full recipe) {dp:.1f} s; generate --model toycity {n} in "
              f"{res.seconds:.1f} s ({res.rate:.0f} img/s)")
        shutil.rmtree(tmp)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=600, help='source pictures')
    p.add_argument('--held-out', type=int, default=100, help='pictures per held-out domain')
    a = p.parse_args()
    main(a.n, a.held_out)
