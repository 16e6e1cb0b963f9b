"""Evaluation speed: the confusion-matrix accumulation on a 1024x2048 map (ours vs the plain masked int64 bincount,
in the same run, on CPU and on the GPU if there is one), and whole-image / sliding-window inference throughput of a
small model in the precision `didex evaluate` runs by default (bf16 on a GPU) and in fp32.

    python bench/evaluate.py [--arch daformer_b0] [--images 3]
"""
import argparse, contextlib, time

import torch

from didex.evaluate import inference_precision, predict_logits
from didex.metrics import confusion_matrix
from didex.testing import naive_confusion_matrix

def timed(f, reps, sync):
    "Median seconds per call of `f` (after one warm-up call)."
    f(); sync()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); sync(); ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts)//2]

def bench_cm(device, reps=20):
    g = torch.Generator().manual_seed(0)
    gt = torch.randint(0, 19, (1024, 2048), generator=g, dtype=torch.uint8)
    gt[torch.rand(1024, 2048, generator=g) < 0.1] = 255
    pred = torch.randint(0, 19, (1024, 2048), generator=g)
    gt, pred = gt.to(device), pred.to(device)
    assert torch.equal(confusion_matrix(pred, gt), naive_confusion_matrix(pred, gt))
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    ours, naive = timed(lambda: confusion_matrix(pred, gt), reps, sync), timed(lambda: naive_confusion_matrix(pred, gt), reps, sync)
    print(f"confusion matrix, 1024x2048, {device}: ours {ours*1e3:.2f} ms, masked int64 bincount {naive*1e3:.2f} ms, "
          f"ratio {naive/ours:.1f}x")

def bench_inference(arch, images, device):
    "Inference as `didex evaluate` runs it (precision auto: bf16 on a GPU), and in fp32 (the published evaluation)."
    from didex.models import segmentation_model
    model = segmentation_model(arch).to(device).eval()
    x = torch.randn(1, 3, 1024, 2048, device=device)
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    for precision in dict.fromkeys([inference_precision('auto', device), 'fp32']):
        ctx = (lambda: torch.autocast('cuda', dtype={'bf16': torch.bfloat16, 'fp16': torch.float16}[precision])) \
            if precision != 'fp32' else contextlib.nullcontext
        for mode in ('whole', 'slide'):
            def run():
                with torch.inference_mode(), ctx(): predict_logits(model, x, mode=mode)
            dt = timed(run, images, sync)
            size = '1024x512 whole image' if mode == 'whole' else '2048x1024, 1024 windows, stride 512'
            print(f"inference {arch} on {device}, {precision}{' (the default)' if precision == inference_precision('auto', device) else ''}, "
                  f"{size}: {dt:.2f} s/image ({1/dt:.2f} images/s)")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='daformer_b0', help='model of the inference benchmark')
    p.add_argument('--images', type=int, default=3, help='images timed per inference mode')
    a = p.parse_args()
    print(f"torch threads: {torch.get_num_threads()}")
    for dev in ['cpu'] + (['cuda'] if torch.cuda.is_available() else []): bench_cm(dev)
    bench_inference(a.arch, a.images, 'cuda' if torch.cuda.is_available() else 'cpu')
