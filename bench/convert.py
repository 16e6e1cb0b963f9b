"""Label conversion throughput at GTA5's size (1914x1052): `didex convert` with 1 and 2 processes, with the full
decode of every image (the default) and without it (`--no-image-check`); the mapping step
alone: OpenCV's table lookup (what `to_train_ids` runs on 8-bit labels), numpy's table indexing and the naive loop
over ids (`out[label == id] = trainId` for every id); and the full decode of one image, the check convert makes.

    python bench/convert.py [--n 48]
"""
import argparse, shutil, tempfile, time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from didex.convert import convert
from didex.datasets import CITYSCAPES_TO_TRAIN, LUTS, read_label, to_train_ids
from didex.testing import make_fixture

def naive_train_ids(label):
    out = np.full(label.shape, 255, np.uint8)
    for i, t in CITYSCAPES_TO_TRAIN.items(): out[label == i] = t
    return out

def main(n):
    tmp = Path(tempfile.mkdtemp())
    print(f"writing {n} GTA5-size fixture labels ...")
    root = make_fixture('gta5', tmp/'gta5', n=n, size=(1052, 1914))
    for workers, check in ((1, True), (2, True), (1, False), (2, False)):
        for f in root.glob('labels/*_labelTrainIds.png'): f.unlink()
        t = time.perf_counter()
        res = convert('gta5', root, workers=workers, progress=False, check_images=check)
        dt = time.perf_counter() - t
        assert res.converted == n
        print(f"didex convert{'' if check else ' --no-image-check'}, {workers} process{'es' if workers > 1 else ''}: "
              f"{n/dt:6.1f} labels/s ({dt:.2f} s for {n})")
    t = time.perf_counter()
    again = convert('gta5', root, workers=2, progress=False)
    print(f"second run (all done, statistics recounted), 2 processes: {n/(time.perf_counter() - t):6.1f} labels/s")
    raw = read_label('gta5', next(root.glob('labels/0*[0-9].png')))
    reps = 20
    def timed(f):
        t = time.perf_counter()
        for _ in range(reps): f()
        return (time.perf_counter() - t)/reps
    ocv, table = timed(lambda: to_train_ids('gta5', raw)), timed(lambda: LUTS['gta5'][raw])
    loop = timed(lambda: naive_train_ids(raw))
    assert np.array_equal(to_train_ids('gta5', raw), naive_train_ids(raw)) and np.array_equal(LUTS['gta5'][raw], naive_train_ids(raw))
    print(f"mapping one 1914x1052 label: OpenCV table {ocv*1e3:.2f} ms, numpy table {table*1e3:.2f} ms "
          f"({table/ocv:.1f}x OpenCV's), naive loop over ids {loop*1e3:.1f} ms ({loop/ocv:.0f}x)")
    image = next(root.glob('images/*.png'))
    def decode():
        with Image.open(image) as im: im.load()
    print(f"full decode of one 1914x1052 image (the check convert makes of each pair): {timed(decode)*1e3:.1f} ms")
    shutil.rmtree(tmp)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=48, help='number of labels')
    main(p.parse_args().n)
