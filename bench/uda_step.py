"""One MIC iteration (EMA teacher, source loss + ImageNet feature distance, pseudo-labels, ClassMix + strong
augmentation, MIC masking, AdamW step) through the fastai learner of `didex.uda` against a hand-written PyTorch loop
doing the same computation on the same model and batch; first, DACS's blur alone, torchvision's against didex's. Each variant runs in its own process (so each has its own peak
memory), alternating, `--rounds` times; per run: `--warmup` iterations, then the median of `--iters`.

    python bench/uda_step.py                                  # CPU: daformer_b0 and deeplabv2_r18 at 128 px
    python bench/uda_step.py --model daformer --crop 512      # GPU: DAFormer MiT-B5 at 512 (the published setting)
"""
import argparse, multiprocessing as mp, resource, statistics, time

def batch(crop, device, bs=2):
    "A fixed source/target batch: random images, a label with road, sky, a car and ignored rows."
    import torch
    g = torch.Generator().manual_seed(0)
    y = torch.zeros(bs, crop, crop, dtype=torch.long)
    y[:, :crop//3] = 10; y[:, crop//2:, crop//4:crop//2] = 13; y[:, :4] = 255
    return [t.to(device) for t in (torch.randn(bs, 3, crop, crop, generator=g), y, torch.randn(bs, 3, crop, crop, generator=g))]

def hand_loop(model, xs, ys, xt, n, lr=6e-5, warmup=1500):
    "The MIC iteration written out in plain PyTorch with didex.functional's pure functions; yields after every step."
    import copy, torch, torch.nn.functional as F
    from didex.functional import (block_mask, class_mix_masks, ema_update_, feature_distance, mix, param_groups,
                                  pseudo_labels, seg_loss, strong_augment, teacher_mode_, warmup_poly)
    teacher, imnet = copy.deepcopy(model).requires_grad_(False), copy.deepcopy(model).requires_grad_(False).eval()
    teacher_mode_(teacher)
    groups = param_groups(model)
    opt = torch.optim.AdamW([dict(params=g['params'], weight_decay=0.01 if g['decay'] else 0.) for g in groups],
                            lr=lr, betas=(0.9, 0.999), weight_decay=0.01, fused=xs.device.type in ('cpu', 'cuda'))
    sched = warmup_poly([lr*g['lr_mult'] for g in groups], n, warmup)  # a run of n iterations, as the learner's
    torch.empty((), dtype=torch.int64).random_()  # the draw a DataLoader iterator makes, as in the learner
    for it in range(n):
        for g, v in zip(opt.param_groups, sched(it/n)): g['lr'] = v
        ema_update_(teacher, model, it, 0.999)
        out = model(xs)
        feats, loss = out['features'], seg_loss(out['logits'], ys)
        with torch.no_grad(): f_im = imnet.forward_features(xs)[-1]
        (loss + 0.005*feature_distance(feats[-1], f_im, ys)).backward()
        with torch.no_grad(): logits = F.interpolate(teacher(xt)['logits'], size=xt.shape[-2:], mode='bilinear', align_corners=False)
        pl, pw = pseudo_labels(logits)
        mask = class_mix_masks(ys)
        seg_loss(model(strong_augment(mix(mask, xs, xt)))['logits'], mix(mask, ys, pl), mix(mask, torch.ones_like(pw), pw)).backward()
        b, _, h, w = xt.shape
        seg_loss(model(strong_augment(xt, per_image=False)*block_mask(b, h, w, 0.7, h//16, xt.device))['logits'], pl, pw).backward()
        opt.step(); opt.zero_grad()
        yield

def learner_loop(model, xs, ys, xt, n):
    "The same iterations through `uda_learner(..., 'mic').fit_uda`; yields after every step."
    import torch
    from fastai.callback.core import Callback
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader
    from didex.uda import uda_learner
    ds = [(a, b, c) for a, b, c in zip(xs.cpu(), ys.cpu(), xt.cpu())]*n
    dls = DataLoaders(DataLoader(ds, bs=len(xs)), DataLoader(ds[:1], bs=1), device=xs.device); dls.n_inp = 1
    times = []
    class Tick(Callback):
        order = 99
        def after_batch(self): sync(xs.device); times.append(time.perf_counter())
    learn = uda_learner(dls, model, 'mic', cbs=Tick())
    learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == 'ProgressCallback'])
    with learn.no_logging(): learn.fit_uda()
    return times

def sync(device):
    import torch
    if device.type == 'cuda': torch.cuda.synchronize()

def run(variant, arch, crop, n, device, q):
    "In a fresh process: build the model (seed 0), run `n` iterations of `variant`, report times, memory, a weight checksum."
    import torch
    from didex.models import segmentation_model
    torch.manual_seed(0)
    device = torch.device(device)
    model = segmentation_model(arch).to(device)
    xs, ys, xt = batch(crop, device)
    torch.manual_seed(1)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    if variant == 'learner': times = learner_loop(model, xs, ys, xt, n)
    else:
        times = []
        for _ in hand_loop(model, xs, ys, xt, n): sync(device); times.append(time.perf_counter())
    peak = torch.cuda.max_memory_allocated()/2**30 if device.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20
    q.put((times, peak, float(sum(p.detach().double().sum() for p in model.parameters()))))

def measure(variant, arch, crop, warmup, iters, device):
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    p = ctx.Process(target=run, args=(variant, arch, crop, warmup + iters, device, q))
    p.start(); times, peak, check = q.get(); p.join()
    return statistics.median(b - a for a, b in zip(times[warmup - 1:], times[warmup:])), peak, check

def blur(crop, device, reps=5):
    "DACS's blur of a batch of two crops: torchvision's 2-D kernel against didex's two 1-D passes."
    import torch
    from torchvision.transforms.v2 import functional as TF
    from didex.functional import blur_kernel_size, gaussian_blur
    x, k = torch.rand(2, 3, crop, crop, device=device), [blur_kernel_size(crop)]*2
    def timed(f):
        f(); torch.cuda.synchronize() if device.startswith('cuda') else None
        t = time.perf_counter()
        for _ in range(reps): f()
        if device.startswith('cuda'): torch.cuda.synchronize()
        return (time.perf_counter() - t)/reps
    tv, sep = timed(lambda: TF.gaussian_blur(x, k, [0.65, 0.65])), timed(lambda: gaussian_blur(x, k, 0.65))
    diff = (TF.gaussian_blur(x, k, [0.65, 0.65]) - gaussian_blur(x, k, 0.65)).abs().max().item()
    print(f"blur of 2x3x{crop}x{crop} ({k[0]}x{k[0]} kernel), {device}: torchvision {tv*1e3:.1f} ms, separable "
          f"{sep*1e3:.1f} ms, ratio {tv/sep:.1f}x, largest difference {diff:.1e}")

def main(a):
    import torch
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    mem = 'GPU memory allocated' if device.startswith('cuda') else 'process RSS'
    blur(a.crop, device)
    for arch in a.model:
        res = {'hand': [], 'learner': []}
        for _ in range(a.rounds):
            for v in ('hand', 'learner'): res[v].append(measure(v, arch, a.crop, a.warmup, a.iters, device))
        hand, learn = (min(r[0] for r in res[v]) for v in ('hand', 'learner'))
        same = len({round(r[2], 6) for r in res['hand'] + res['learner']}) == 1
        print(f"{arch} MIC iteration, batch 2+2, {a.crop}x{a.crop}, {device}: "
              f"hand-written loop {hand:.3f} s/it, fastai learner {learn:.3f} s/it, ratio {learn/hand:.3f} "
              f"({100*(learn/hand - 1):+.1f} %); peak {mem}: hand {max(r[1] for r in res['hand']):.2f} GiB, "
              f"learner {max(r[1] for r in res['learner']):.2f} GiB; same weights after {a.warmup + a.iters} iterations: {same}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', nargs='+', default=['daformer_b0', 'deeplabv2_r18'], help='architectures (didex.models.ARCHS)')
    p.add_argument('--crop', type=int, default=128, help='crop size in pixels')
    p.add_argument('--warmup', type=int, default=3, help='untimed iterations first')
    p.add_argument('--iters', type=int, default=8, help='timed iterations (the median is reported)')
    p.add_argument('--rounds', type=int, default=2, help='runs of each variant, alternating (the fastest median is reported)')
    p.add_argument('--device', help='cpu or cuda (default: cuda if available)')
    main(p.parse_args())
