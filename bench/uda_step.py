"""One MIC iteration (EMA teacher, source loss + ImageNet feature distance, pseudo-labels, ClassMix + strong
augmentation, MIC masking, AdamW step) through the fastai learner of `didex.uda` against a hand-written PyTorch loop
doing the same computation on the same model and batch, both in fp32; then the learner in each `--precision` (`+compile`:
with `didex train --compile`): seconds per iteration, peak memory, and the waits of the host for the device per
iteration (`didex.testing.SyncCounter`, on any device; on a GPU also CUDA's own count, `torch.cuda.set_sync_debug_mode`),
with the loss terms read every 50 iterations (didex's default) and every iteration. First, DACS's blur alone,
torchvision's against didex's. Each variant runs in its own process (so each has its own peak memory), alternating,
`--rounds` times; per run: `--warmup` iterations, then the median of `--iters`.

    python bench/uda_step.py                                  # CPU: daformer_b0 and deeplabv2_r18 at 128 px
    python bench/uda_step.py --model daformer --crop 512 --precision fp32 tf32 bf16 bf16+compile  # GPU: MiT-B5, 512
    python bench/uda_step.py --hrda                           # CPU: mic at 128 against mic_hrda at 256 (detail 128)
    python bench/uda_step.py --hrda --model daformer --crop 512 --precision bf16  # GPU: MiT-B5, MIC 512 vs MIC(HRDA) 1024

With --hrda: MIC at --crop against MIC(HRDA) at twice the crop with a detail crop of --crop (the published 512 and
1024), the same network; seconds per iteration, peak memory, and encoder passes per iteration and per test image
(a pass: one crop² image through an encoder, counted by `didex.hrda.encoder_passes` on the student, the teacher and
the ImageNet copy).

With --sepico: daformer against sepico_dist, sepico_bank and sepico_proto (contrastive terms on from the first
iteration; a target twice as wide as the crop, for class-balanced cropping) on each model: seconds per iteration and
peak memory; then the class-statistics update alone, and BankCL's loss and gradient, didex's (one product per class)
against the published loop (C x C products), on full banks of 200 centroids.

    python bench/uda_step.py --sepico                         # CPU: daformer_b0 and deeplabv2_r18 at 128 px
    python bench/uda_step.py --sepico --model daformer deeplabv2 --crop 640   # GPU: the published networks and crop

With --foundation: MIC with each encoder mode (frozen, lora, full) of each foundation model (didex.foundation):
seconds per iteration and peak memory (`+ckpt`: with --grad-checkpointing also with the ViT blocks recomputed in the
backward pass), the parameters that train and AdamW's state for them; then the EMA teacher's own memory, a shared copy
(`didex.functional.shared_copy`, what didex trains with) against a full copy, for the models measured and for ViT-L
(built on the meta device).

    python bench/uda_step.py --foundation                     # CPU: dinov2_tiny and eva02_tiny at 112 px
    python bench/uda_step.py --foundation --model dinov2_l eva02_l --crop 512 --precision bf16 --grad-checkpointing  # GPU
"""
import argparse, multiprocessing as mp, resource, statistics, time

def batch(crop, device, bs=2, target_width=None):
    "A fixed source/target batch: random images, a label with road, sky, a car and ignored rows."
    import torch
    g = torch.Generator().manual_seed(0)
    y = torch.zeros(bs, crop, crop, dtype=torch.long)
    y[:, :crop//3] = 10; y[:, crop//2:, crop//4:crop//2] = 13; y[:, :4] = 255
    xt = torch.randn(bs, 3, crop, target_width or crop, generator=g)
    return [t.to(device) for t in (torch.randn(bs, 3, crop, crop, generator=g), y, xt)]

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

def learner(model, xs, ys, xt, n, precision='fp32', compile=False, log_every=50, cbs=(), method='mic', options=None):
    "A `uda_learner(..., method)` of `n` iterations on the batch, copied to the device as `didex.data`'s loaders do."
    from functools import partial
    from fastai.callback.fp16 import MixedPrecision
    from fastai.data.core import DataLoaders
    from didex.data import DeviceLoader, _to
    from didex.uda import Compile, uda_learner
    ds = [(a, b, c) for a, b, c in zip(xs.cpu(), ys.cpu(), xt.cpu())]*n
    kw = dict(after_batch=partial(_to, device=xs.device), pin_memory=xs.device.type == 'cuda')
    dls = DataLoaders(DeviceLoader(ds, bs=len(xs), **kw), DeviceLoader(ds[:1], bs=1, **kw), device=xs.device); dls.n_inp = 1
    learn = uda_learner(dls, model, method, log_every=log_every, cbs=list(cbs), options=options)
    learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == 'ProgressCallback'])
    if precision in ('bf16', 'fp16'): learn.add_cb(MixedPrecision(precision))
    if compile: learn.add_cb(Compile())
    return learn

def learner_loop(model, xs, ys, xt, n, precision='fp32', compile=False, method='mic', unit=512):
    "The same iterations through the learner's `fit_uda`; the time after every step, encoder passes (unit² images) per iteration."
    from fastai.callback.core import Callback
    from didex.hrda import encoder_passes
    from didex.uda import unwrap
    times = []
    class Tick(Callback):
        order = 99
        def after_batch(self): sync(xs.device); times.append(time.perf_counter())
    options = {'SePiCoTraining': dict(start=0)} if method.startswith('sepico') else None  # the contrastive terms from the start
    learn = learner(model, xs, ys, xt, n, precision, compile, cbs=[Tick()], method=method, options=options)
    nets = [unwrap(learn.model), learn.teacher] + ([learn.feature_distance.imnet] if hasattr(learn, 'feature_distance') else [])
    with learn.no_logging(): passes, _ = encoder_passes(nets, learn.fit_uda, unit)
    return times, passes/n

def waits(model, xs, ys, xt, precision, compile, log_every, n=6):
    "Waits of the host for the device per iteration, SyncCounter's and CUDA's: not the first (the optimizer state) or the last (the fit's end)."
    import warnings, torch
    from fastai.callback.core import Callback
    from didex.testing import SyncCounter
    marks, cuda = [], []
    class Mark(Callback):
        order = 0
        def before_batch(self): marks.append((len(counter.calls), len(caught)))
    learn = learner(model, xs, ys, xt, n, precision, compile, log_every, cbs=[Mark()])
    counter = SyncCounter(learn.model, learn.teacher, learn.feature_distance.imnet)
    with warnings.catch_warnings(record=True) as caught, learn.no_logging():
        warnings.simplefilter('always')
        if xs.device.type == 'cuda': torch.cuda.set_sync_debug_mode('warn')
        try:
            with counter: learn.fit_uda()
        finally:
            if xs.device.type == 'cuda': torch.cuda.set_sync_debug_mode(0)
    marks.append((len(counter.calls), len(caught)))
    per = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(marks[1:-2], marks[2:-1])]  # iterations 1 .. n-2: not the first or last
    return sum(p[0] for p in per)/len(per), sum(p[1] for p in per)/len(per)

def sync(device):
    import torch
    if device.type == 'cuda': torch.cuda.synchronize()

def run(variant, arch, crop, n, device, q, precision='fp32', compile=False):
    "In a fresh process: build the model (seed 0), run `n` iterations of `variant`, report times, memory, a weight checksum, passes."
    import torch
    from didex.hrda import hrda_wrapper
    from didex.models import segmentation_model
    if precision == 'tf32': torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    if device.startswith('cuda'): torch.backends.cudnn.benchmark = True  # as `didex train`
    torch.manual_seed(0)
    device = torch.device(device)
    mode = variant.split(':')[1] if variant.startswith('vit:') else None  # 'vit:MODE' or 'vit:MODE:ckpt'
    model = segmentation_model(arch, **(dict(encoder=dict(mode=mode)) if mode else {}))
    if variant.endswith(':ckpt'):
        from didex.foundation import set_grad_checkpointing_
        set_grad_checkpointing_(model)
    if variant == 'hrda': model = hrda_wrapper(model, 2*crop)  # the HRDA recipe: crops twice the side, detail = `crop`
    if variant.startswith('sepico'):
        from didex.sepico import sepico_wrapper
        model = sepico_wrapper(model, crop)
    model = model.to(device)
    xs, ys, xt = batch(2*crop if variant == 'hrda' else crop, device, target_width=2*crop if variant.startswith('sepico') else None)
    torch.manual_seed(1)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    if variant == 'waits':
        q.put([waits(model, xs, ys, xt, precision, compile, every) for every in (50, 1)]); return
    passes = None
    if variant in ('learner', 'hrda', 'daformer') or variant.startswith(('sepico', 'vit:')):
        method = 'mic' if mode else {'learner': 'mic', 'hrda': 'mic_hrda'}.get(variant, variant)
        times, passes = learner_loop(model, xs, ys, xt, n, precision, compile, method, crop)
    else:
        times = []
        for _ in hand_loop(model, xs, ys, xt, n): sync(device); times.append(time.perf_counter())
    peak = torch.cuda.max_memory_allocated()/2**30 if device.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20
    q.put((times, peak, float(sum(p.detach().double().sum() for p in model.parameters())), passes))

def spawned(*args):
    "`run(*args)` in a fresh process; what it reports."
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    p = ctx.Process(target=run, args=(*args[:5], q, *args[5:]))
    p.start(); out = q.get(); p.join()
    return out

def measure(variant, arch, crop, warmup, iters, device, precision='fp32', compile=False):
    times, peak, check, passes = spawned(variant, arch, crop, warmup + iters, device, precision, compile)
    return statistics.median(b - a for a, b in zip(times[warmup - 1:], times[warmup:])), peak, check, passes

def test_image(arch, crop, device, hrda, reps=2):
    "Encoder passes (crop² images) and seconds per test image: whole 2crop x crop for mic, HRDA's nested slide on 4crop x 2crop."
    import torch
    from didex.evaluate import predict_logits
    from didex.hrda import encoder_passes, hrda_wrapper
    from didex.models import segmentation_model
    torch.manual_seed(0)
    net = segmentation_model(arch)
    net = (hrda_wrapper(net, 2*crop) if hrda else net).to(device).eval()
    x = torch.randn(1, 3, 2*crop, 4*crop, device=device)  # 1024x2048 at --crop 512
    kw = dict(mode='slide', scale=(4*crop, 2*crop), crop=2*crop, stride=crop) if hrda else dict(mode='whole', scale=(2*crop, crop))
    run = lambda: predict_logits(net, x, **kw)
    run(); sync(torch.device(device))
    t = time.perf_counter()
    for _ in range(reps): run()
    sync(torch.device(device))
    return encoder_passes(net, run, crop)[0], (time.perf_counter() - t)/reps

def hrda(a, device, mem):
    "MIC against MIC(HRDA) on each model: s/iteration, peak memory, encoder passes per iteration and per test image."
    for arch in a.model:
        for name in a.precision:
            prec, comp = name.split('+')[0], name.endswith('+compile')
            res = {v: [measure(v, arch, a.crop, a.warmup, a.iters, device, prec, comp) for _ in range(a.rounds)] for v in ('learner', 'hrda')}
            (t0, p0, n0), (t1, p1, n1) = ((min(r[0] for r in res[v]), max(r[1] for r in res[v]), res[v][0][3]) for v in ('learner', 'hrda'))
            (e0, s0), (e1, s1) = (test_image(arch, a.crop, device, h) for h in (False, True))
            print(f"{arch} {name}, batch 2+2, {device}: mic at {a.crop}x{a.crop} {t0:.3f} s/it, peak {mem} {p0:.2f} GiB, "
                  f"{n0:.0f} encoder passes/it; mic_hrda at {2*a.crop}x{2*a.crop} (detail {a.crop}) {t1:.3f} s/it, peak "
                  f"{p1:.2f} GiB, {n1:.0f} passes/it; ratio {t1/t0:.2f}x time, {p1/p0:.2f}x memory. Per test image "
                  f"({4*a.crop}x{2*a.crop}): mic whole {e0:.0f} passes {s0:.3f} s, mic_hrda slide {e1:.0f} passes {s1:.3f} s "
                  f"(a pass: one {a.crop}x{a.crop} image through an encoder)")

def blur(crop, device, reps=5):
    "DACS's blur of a batch of two crops: torchvision's 2-D kernel against didex's two 1-D passes."
    import torch
    from torchvision.transforms.v2 import functional as TF
    from didex.functional import blur_kernel_size, gaussian_blur
    x, k = torch.rand(2, 3, crop, crop, device=device), [blur_kernel_size(crop)]*2
    dev = torch.device(device)
    tv, sep = timed(lambda: TF.gaussian_blur(x, k, [0.65, 0.65]), dev, reps), timed(lambda: gaussian_blur(x, k, 0.65), dev, reps)
    diff = (TF.gaussian_blur(x, k, [0.65, 0.65]) - gaussian_blur(x, k, 0.65)).abs().max().item()
    print(f"blur of 2x3x{crop}x{crop} ({k[0]}x{k[0]} kernel), {device}: torchvision {tv*1e3:.1f} ms, separable "
          f"{sep*1e3:.1f} ms, ratio {tv/sep:.1f}x, largest difference {diff:.1e}")

def bank_loop(F_, y, banks, tau=100.):
    "BankCL as the published `bank_contrastive` computes it: per class, a product with every class's bank (C x C)."
    import torch
    losses = []
    for c in range(len(banks)):
        f = F_[y == c]
        pos, neg = None, []
        for k, b in enumerate(banks):
            sim = f @ b.T/tau
            if k == c: pos = sim
            else: neg.append(sim.mean(1, keepdim=True))
        e = pos.exp()
        losses.append(-(e/(e + torch.cat(neg, 1).exp().sum(1, keepdim=True))).log().mean(1))
    return torch.cat(losses).mean()

def timed(f, device, reps=5):
    "Median seconds of `f()` over `reps` calls, after one untimed call."
    f(); sync(device)
    out = []
    for _ in range(reps):
        t = time.perf_counter(); f(); sync(device); out.append(time.perf_counter() - t)
    return statistics.median(out)

def sepico_parts(crop, stride, device):
    "The class-statistics update and BankCL (loss + backward): didex's vectorised against the published loop."
    import torch, torch.nn.functional as F
    from didex.sepico import BANK_LENGTH, ClassStatistics, bank_cl
    dev = torch.device(device)
    g = torch.Generator().manual_seed(0)
    n = 2*(crop//stride)**2
    f = F.normalize(torch.rand(n, 512, generator=g), dim=1).to(dev)
    y = torch.randint(0, 19, (n,), generator=g).to(dev)
    stats = ClassStatistics(19, 512, bank=BANK_LENGTH, device=dev)
    t_upd = timed(lambda: stats.update(f, y), dev)
    for _ in range(BANK_LENGTH): stats.update(F.normalize(torch.rand(64, 512, device=dev), dim=1), torch.arange(64, device=dev) % 19)
    banks = [stats.centroids(c) for c in range(19)]
    fg = f.clone().requires_grad_()
    def ours(): bank_cl(fg, y, stats).backward()
    def loop(): bank_loop(fg, y, banks).backward()
    t_ours, t_loop = timed(ours, dev), timed(loop, dev)
    diff = (bank_cl(f, y, stats) - bank_loop(f, y, banks)).abs().item()
    print(f"  {n} pixel embeddings ({crop}/{stride})^2 x 2, {device}: statistics update {1e3*t_upd:.1f} ms; BankCL loss + backward, "
          f"banks of {BANK_LENGTH}: didex {1e3*t_ours:.1f} ms, published loop {1e3*t_loop:.1f} ms, ratio {t_loop/t_ours:.1f}x, "
          f"difference {diff:.1e}")

def sepico(a, device, mem):
    "daformer against the three SePiCo recipes on each model: s/iteration, peak memory; then the statistics and BankCL alone."
    from didex.models import model_config
    for arch in a.model:
        variants = ('daformer', 'sepico_dist', 'sepico_bank', 'sepico_proto')
        res = {v: [] for v in variants}
        for _ in range(a.rounds):
            for v in variants: res[v].append(measure(v, arch, a.crop, a.warmup, a.iters, device))
        base = min(r[0] for r in res['daformer'])
        print(f"{arch}, batch 2+2, {a.crop}x{a.crop} crops, {device}, fp32:")
        for v in variants:
            t, peak = min(r[0] for r in res[v]), max(r[1] for r in res[v])
            print(f"  {v:13s} {t:.3f} s/it ({t/base:.2f}x daformer), peak {mem} {peak:.2f} GiB")
        sepico_parts(a.crop, 4 if arch.startswith('daformer') else model_config(arch).stride, device)

def own_bytes(model, other=None):
    "Bytes of `model`'s parameters and buffers, less those that are `other`'s own tensors."
    theirs = set() if other is None else {id(t) for t in (*other.parameters(), *other.buffers())}
    return sum(t.numel()*t.element_size() for t in (*model.parameters(), *model.buffers()) if id(t) not in theirs)

def teacher_memory(arch, mode, meta=False):
    "(trained parameters, the teacher's own bytes as a shared copy, as a full copy) of `arch` in encoder `mode`."
    import contextlib, copy, torch
    from didex.functional import shared_copy
    from didex.models import segmentation_model
    with torch.device('meta') if meta else contextlib.nullcontext(): m = segmentation_model(arch, encoder=dict(mode=mode))
    return sum(p.numel() for p in m.parameters() if p.requires_grad), own_bytes(shared_copy(m), m), own_bytes(copy.deepcopy(m))

def foundation(a, device, mem):
    "MIC with each encoder mode of each foundation model: s/iteration, peak memory; the teacher's memory shared and copied."
    from didex.foundation import ENCODER_MODES
    from didex.models import model_config
    modes = [m for m in ENCODER_MODES if m != 'full'] + ['full']  # frozen, lora, full
    for name in a.precision:
        prec, comp = name.split('+')[0], name.endswith('+compile')
        for arch in a.model:
            variants = [f'vit:{m}' for m in modes] + ([f'vit:{m}:ckpt' for m in modes] if a.grad_checkpointing else [])
            res = {v: [] for v in variants}
            for _ in range(a.rounds):
                for v in variants: res[v].append(measure(v, arch, a.crop, a.warmup, a.iters, device, prec, comp))
            base = min(r[0] for r in res['vit:full'])
            print(f"{arch} MIC, batch 2+2, {a.crop}x{a.crop} crops, {device}, {name}:")
            for v in variants:
                mode, t, peak = v.split(':', 1)[1], min(r[0] for r in res[v]), max(r[1] for r in res[v])
                trained = teacher_memory(arch, mode.split(':')[0], meta=True)[0]
                print(f"  {mode:12s} {t:.3f} s/it ({t/base:.2f}x full), peak {mem} {peak:.2f} GiB; {trained/1e6:.3f} M trained "
                      f"parameters, AdamW state {8*trained/2**20:.1f} MiB")
    vit_l = [n for n in ('dinov2_l', 'eva02_l') if n not in a.model]
    print("EMA teacher's own memory (parameters and buffers), a shared copy against a full copy:")
    for arch in [*a.model, *vit_l]:
        for mode in modes:
            _, shared, full = teacher_memory(arch, mode, meta=model_config(arch).weights)
            print(f"  {arch:12s} {mode:7s} shared {shared/2**20:9.2f} MiB, copy {full/2**20:9.2f} MiB, ratio {full/shared:6.1f}x")

def main(a):
    import torch
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    mem = 'GPU memory allocated' if device.startswith('cuda') else 'process RSS'
    if a.hrda: return hrda(a, device, mem)
    if a.sepico: return sepico(a, device, mem)
    if a.foundation: return foundation(a, device, mem)
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
        for name in a.precision:
            prec, comp = name.split('+')[0], name.endswith('+compile')
            if prec == 'fp32' and not comp: t, peak = learn, max(r[1] for r in res['learner'])
            else:
                rs = [measure('learner', arch, a.crop, a.warmup, a.iters, device, prec, comp) for _ in range(a.rounds)]
                t, peak = min(r[0] for r in rs), max(r[1] for r in rs)
            w = spawned('waits', arch, a.crop, 0, device, prec, comp)
            cuda = f", CUDA's count {w[0][1]:.1f} / {w[1][1]:.1f}" if device.startswith('cuda') else ''
            print(f"  learner {name:15s} {t:.3f} s/it ({learn/t:.2f}x fp32), peak {mem} {peak:.2f} GiB; waits per "
                  f"iteration, terms read every 50 / every iteration: {w[0][0]:.1f} / {w[1][0]:.1f}{cuda}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', nargs='+', default=['daformer_b0', 'deeplabv2_r18'], help='architectures (didex.models.ARCHS)')
    p.add_argument('--crop', type=int, default=128, help='crop size in pixels')
    p.add_argument('--warmup', type=int, default=3, help='untimed iterations first')
    p.add_argument('--iters', type=int, default=8, help='timed iterations (the median is reported)')
    p.add_argument('--rounds', type=int, default=2, help='runs of each variant, alternating (the fastest median is reported)')
    p.add_argument('--device', help='cpu or cuda (default: cuda if available)')
    p.add_argument('--precision', nargs='+', default=['fp32'], choices=[f'{p}{c}' for p in ('fp32', 'tf32', 'bf16', 'fp16') for c in ('', '+compile')],
                   help="the learner's precisions, as `didex train --precision` (all but fp32 need a GPU); +compile: with --compile")
    p.add_argument('--hrda', action='store_true', help='instead: mic at --crop against mic_hrda at twice the crop (detail = --crop), '
                   'in each --precision; encoder passes per iteration and per test image')
    p.add_argument('--sepico', action='store_true', help='instead: daformer against sepico_dist, sepico_bank and sepico_proto; '
                   'the class-statistics update and BankCL (didex against the published loop) alone')
    p.add_argument('--foundation', action='store_true', help='instead: MIC with each encoder mode of the foundation models '
                   '(default --model dinov2_tiny eva02_tiny, --crop 112); the EMA teacher shared against copied')
    p.add_argument('--grad-checkpointing', action='store_true', help='--foundation: each mode also with the ViT blocks checkpointed')
    a = p.parse_args()
    if a.foundation and a.model == p.get_default('model'): a.model = ['dinov2_tiny', 'eva02_tiny']
    if a.foundation and a.crop == p.get_default('crop'): a.crop = 112
    main(a)
