"""Domain-extension throughput, images/s of the published recipe (DDIM 25 steps, guidance 9, strength 0.9, GTA5 halved
and padded to a multiple of 64, resized back, PNG written): the naive path (fp32, batch 1, prompt strings encoded on
every call, classic attention) against the optimised one (fp16 on a GPU, batches, SDPA, channels_last, prompt
embeddings cached, optional torch.compile), in one run, through `didex.generate.generate` end to end; then the
optimised backend alone (model only), and what writing a PNG costs at each zlib level.

Speed does not depend on the weights: on CPU it uses the tiny random pipeline of the tests at a small image size; with
--full it builds Stable Diffusion 2 depth-to-image at full size from its published configuration, with random weights
(no download), for a GPU at GTA5's size.

    python bench/generate.py [--n 8] [--batch-size 4] [--threads 1]   # CPU: tiny pipeline, 256x128 sources
    python bench/generate.py --full --n 16 --batch-size 8      # GPU: full-size SD2 depth, 1914x1052 sources
"""
import argparse, io, json, shutil, tempfile, time
from pathlib import Path

import torch
from PIL import Image

from didex.generate import PNG_LEVEL, DiffusersBackend, Settings, generate, pad_input
from didex.prompts import prompt_rows, write_manifest
from didex.testing import make_fixture, tiny_clip_tokenizer, tiny_depth2img_pipeline

GTA5_IMAGES = 24_966

def full_depth2img_pipeline(tmp):
    "Stable Diffusion 2 depth-to-image at full size (published configs of stabilityai/stable-diffusion-2-depth), random weights."
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionDepth2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, DPTConfig, DPTForDepthEstimation, DPTImageProcessor
    from didex.generate import SD2_SCHEDULER
    unet = UNet2DConditionModel(sample_size=96, in_channels=5, out_channels=4, layers_per_block=2,
                                block_out_channels=(320, 640, 1280, 1280), attention_head_dim=(5, 10, 20, 20),
                                cross_attention_dim=1024, use_linear_projection=True,
                                down_block_types=('CrossAttnDownBlock2D',)*3 + ('DownBlock2D',),
                                up_block_types=('UpBlock2D',) + ('CrossAttnUpBlock2D',)*3)
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), latent_channels=4, layers_per_block=2,
                        down_block_types=('DownEncoderBlock2D',)*4, up_block_types=('UpDecoderBlock2D',)*4)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_attention_heads=16,
                                        num_hidden_layers=23, projection_dim=512, hidden_act='gelu'))
    depth = DPTForDepthEstimation(DPTConfig(is_hybrid=True, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                            intermediate_size=3072, image_size=384, patch_size=16,
                                            backbone_out_indices=(2, 5, 8, 11), neck_hidden_sizes=(256, 512, 768, 768),
                                            reassemble_factors=(1, 1, 1, 0.5), readout_type='project',
                                            fusion_hidden_size=256, backbone_featmap_shape=(1, 1024, 24, 24),
                                            neck_ignore_stages=(0, 1)))
    proc = DPTImageProcessor(size={'height': 384, 'width': 384}, keep_aspect_ratio=False, resample=3,
                             image_mean=[0.5]*3, image_std=[0.5]*3)
    tok = tiny_clip_tokenizer(tmp/'tok')  # the real vocabulary is not needed for speed: every prompt is padded to 77
    return StableDiffusionDepth2ImgPipeline(vae=vae, text_encoder=text, tokenizer=tok, unet=unet, depth_estimator=depth,
                                            scheduler=DDIMScheduler(**SD2_SCHEDULER), feature_extractor=proc)

def backend(pipe_fn, manifest, s, batch_size, device, optimize, compile=False):
    "A backend on the benchmark's pipeline, warmed up (allocations, kernels, compilation) on one batch."
    b = DiffusersBackend(s, device, optimize=optimize, compile=compile, pipe=pipe_fn())
    probe = pad_input(Image.open(json.loads(manifest.read_text().splitlines()[0])['source']), s.scale)[0]
    b([probe]*batch_size, ['warm-up']*batch_size, list(range(batch_size)))
    return b

def model_only(b, manifest, s, batch_size):
    "images/s of the backend alone on the manifest's padded sources, already loaded (no reading, no PNG writing)."
    rows = [json.loads(l) for l in manifest.read_text().splitlines()]
    ims = [pad_input(Image.open(r['source']).convert('RGB'), s.scale)[0] for r in rows]
    if torch.cuda.is_available(): torch.cuda.synchronize()
    t = time.perf_counter()
    for k in range(0, len(rows), batch_size):
        b(ims[k:k + batch_size], [r['prompt'] for r in rows[k:k + batch_size]], [r['seed'] for r in rows[k:k + batch_size]])
    if torch.cuda.is_available(): torch.cuda.synchronize()
    return len(rows)/(time.perf_counter() - t)

def png_costs(files, levels=(0, 1, 3, 6, 9)):
    "Seconds and megabytes per image to write `files` again as PNG at each zlib level."
    ims = [Image.open(f).convert('RGB') for f in files]
    for level in levels:
        t, size = time.perf_counter(), 0
        for im in ims:
            buf = io.BytesIO(); im.save(buf, format='PNG', compress_level=level); size += buf.tell()
        print(f"  PNG level {level}{' (didex default)' if level == PNG_LEVEL else ' (PIL default)' if level == 6 else ''}: "
              f"{(time.perf_counter() - t)/len(ims):.3f} s and {size/len(ims)/1e6:.2f} MB per {ims[0].width}x{ims[0].height} image")

def timed(b, manifest, out, s, batch_size):
    "images/s of one `generate` run of the whole manifest (PNG writing included)."
    if torch.cuda.is_available(): torch.cuda.synchronize()
    res = generate(manifest, out, s, batch_size=batch_size, progress=False, backend=b, force=True)
    assert res.generated == len(manifest.read_text().splitlines()) and not res.failed
    return res.rate

def main(n, batch_size, full, compile, size, repeats, dtype='auto'):
    from diffusers.utils import logging as dl
    from transformers.utils import logging as tl
    dl.set_verbosity_error(); tl.set_verbosity_error()  # truncation warnings of long prompts, dtype casts
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    tmp = Path(tempfile.mkdtemp())
    size = size or ((1052, 1914) if full else (128, 256))
    print(f"device: {torch.cuda.get_device_name() if device == 'cuda' else f'cpu, {torch.get_num_threads()} threads'}; "
          f"pipeline: {'full-size SD2 depth-to-image (random weights)' if full else 'tiny random depth-to-image'}; "
          f"{n} GTA5-like sources of {size[1]}x{size[0]} (generated at {size[1]//2}x{size[0]//2}, padded to 64)")
    root = make_fixture('gta5', tmp/'gta5', n=n, size=size)
    m = tmp/'prompts.jsonl'
    write_manifest(prompt_rows('gta5', root, 'full', seed=0), m)
    pipe_fn = (lambda: full_depth2img_pipeline(tmp)) if full else (lambda: tiny_depth2img_pipeline())
    published = dict(model='sd2-depth-random' if full else 'tiny-random', steps=25, guidance=9.0, strength=0.9, scale=0.5)
    paths = {'naive': (Settings(**published, dtype='fp32'), 1, False), 'optimised': (Settings(**published, dtype=dtype), batch_size, True)}
    backends = {k: backend(pipe_fn, m, s, bs, device, opt, compile and opt) for k, (s, bs, opt) in paths.items()}
    rates = {k: [] for k in paths}
    for r in range(repeats):  # interleaved, so a busy machine slows both alike; the best run of each counts
        for k, (s, bs, _) in paths.items(): rates[k].append(timed(backends[k], m, tmp/k, s, bs))
    for k, (s, bs, _) in paths.items():
        print(f"{k:10s} dtype {backends[k].dtype}, batch {bs}: {max(rates[k]):7.3f} images/s "
              f"(best of {repeats}: {', '.join(f'{x:.3f}' for x in rates[k])})")
    naive, fast = max(rates['naive']), max(rates['optimised'])
    print(f"speed-up: {fast/naive:.2f}x")
    s, bs, _ = paths['optimised']
    alone = max(model_only(backends['optimised'], m, s, bs) for _ in range(repeats))
    print(f"optimised, model only (inputs loaded, nothing written): {alone:.3f} images/s; end to end: {fast:.3f} images/s "
          f"({100*fast/alone:.0f} % of the model's rate)")
    print("writing the generated images again as PNG:")
    png_costs(sorted((tmp/'optimised'/'images').glob('*.png')))
    print("writing the (noisy, synthetic) source images again as PNG:")
    png_costs(sorted((tmp/'gta5'/'images').glob('*.png')))
    for k, rate in (('naive', naive), ('optimised', fast)):
        print(f"estimated time for all of GTA5 ({GTA5_IMAGES} images), {k}: {GTA5_IMAGES/rate/3600:.1f} h")
    shutil.rmtree(tmp)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=8, help='images per path')
    p.add_argument('--batch-size', type=int, default=4, help='batch size of the optimised path')
    p.add_argument('--full', action='store_true', help='full-size SD2 depth-to-image (random weights; for a GPU)')
    p.add_argument('--compile', action='store_true', help='torch.compile the UNet in the optimised path')
    p.add_argument('--dtype', default='auto', choices=['auto', 'fp16', 'bf16', 'fp32'], help='the optimised path\'s dtype (auto: fp16 on a GPU)')
    p.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'), help='source size (default 128 256, --full 1052 1914)')
    p.add_argument('--threads', type=int, help='CPU threads of torch (default: its own choice; 1 on a shared machine)')
    p.add_argument('--repeats', type=int, default=3, help='timed runs per path, interleaved; the best counts')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    main(a.n, a.batch_size, a.full, a.compile, a.size, a.repeats, a.dtype)
