"""Label conversion throughput at GTA5's size (1914x1052): `didex convert` with 1 and 2 processes, and the mapping
step alone, lookup table vs the naive loop over ids (`out[label == id] = trainId` for every id).

    python bench/convert.py [--n 48]
"""
import argparse, shutil, tempfile, time
from pathlib import Path

import numpy as np

from didex.convert import convert
from didex.datasets import CITYSCAPES_TO_TRAIN, read_label, to_train_ids
from didex.testing import make_fixture

def naive_train_ids(label):
    out = np.full(label.shape, 255, np.uint8)
    for i, t in CITYSCAPES_TO_TRAIN.items(): out[label == i] = t
    return out

def main(n):
    tmp = Path(tempfile.mkdtemp())
    print(f"writing {n} GTA5-size fixture labels ...")
    root = make_fixture('gta5', tmp/'gta5', n=n, size=(1052, 1914))
    for workers in (1, 2):
        for f in root.glob('labels/*_labelTrainIds.png'): f.unlink()
        t = time.perf_counter()
        res = convert('gta5', root, workers=workers, progress=False)
        dt = time.perf_counter() - t
        assert res.converted == n
        print(f"didex convert, {workers} process{'es' if workers > 1 else ''}: {n/dt:6.1f} labels/s ({dt:.2f} s for {n})")
    t = time.perf_counter()
    again = convert('gta5', root, workers=2, progress=False)
    print(f"second run (all done, statistics recounted), 2 processes: {n/(time.perf_counter() - t):6.1f} labels/s")
    raw = read_label('gta5', next(root.glob('labels/0*[0-9].png')))
    reps = 20
    t = time.perf_counter(); [to_train_ids('gta5', raw) for _ in range(reps)]; lut = (time.perf_counter() - t)/reps
    t = time.perf_counter(); [naive_train_ids(raw) for _ in range(reps)]; loop = (time.perf_counter() - t)/reps
    assert np.array_equal(to_train_ids('gta5', raw), naive_train_ids(raw))
    print(f"mapping one 1914x1052 label: lookup table {lut*1e3:.1f} ms, naive loop over ids {loop*1e3:.1f} ms, "
          f"ratio {loop/lut:.1f}x")
    shutil.rmtree(tmp)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=48, help='number of labels')
    main(p.parse_args().n)
