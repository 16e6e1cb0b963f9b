"""The GPU measurements of didex in one run, each benchmark in its own process, its figures printed as they come:

1. generation at the published recipe (GTA5 sources halved and padded to 960x576, DDIM 25 steps at strength 0.9 =
   22 denoising steps, guidance 9) with full-size SD2 depth-to-image of random weights: the naive path (fp32,
   batch 1) against the optimised one (batch 8, fp16 and bf16), model only and end to end (`bench/generate.py`);
2. a MIC iteration of MiT-B5 DAFormer at 512, batch 2 + 2, in fp32, tf32, bf16 and bf16 compiled: seconds per
   iteration, peak memory and the host's waits for the GPU (`bench/uda_step.py`);
3. MIC at 512 against MIC(HRDA) at 1024 (detail 512), MiT-B5, batch 2 + 2, bf16: seconds per iteration, peak memory,
   encoder passes per iteration and per test image (`bench/uda_step.py --hrda`);
4. MIC with DINOv2-L and EVA02-L, each encoder mode (frozen, lora, full), with and without gradient checkpointing, at
   512, batch 2 + 2, bf16: seconds per iteration, peak memory, the EMA teacher shared against copied
   (`bench/uda_step.py --foundation`);
5. evaluation of MiT-B5 DAFormer, images/s, whole image and sliding windows (`bench/evaluate.py`).

    python bench/gpu.py            # on a GPU machine
    python bench/gpu.py --tiny     # the same script at tiny sizes, on the CPU: a check that it runs
"""
import argparse, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).parent

def steps(tiny):
    "(title, benchmark, arguments) of each measurement; `tiny`: small models and sizes for a CPU check."
    if tiny: return [
        ('generation (tiny pipeline)', 'generate.py', ['--n', '2', '--batch-size', '2', '--repeats', '1']),
        ('MIC iteration (MiT-B0, 64 px)', 'uda_step.py', ['--model', 'daformer_b0', '--crop', '64', '--warmup', '1',
                                                          '--iters', '2', '--rounds', '1']),
        ('MIC against MIC(HRDA) (MiT-B0, 32 px)', 'uda_step.py', ['--hrda', '--model', 'daformer_b0', '--crop', '32', '--warmup', '1',
                                                                   '--iters', '2', '--rounds', '1']),
        ('MIC per encoder mode (dinov2_tiny, 56 px)', 'uda_step.py', ['--foundation', '--model', 'dinov2_tiny', '--crop', '56',
                                                                      '--warmup', '1', '--iters', '2', '--rounds', '1']),
        ('evaluation (MiT-B0)', 'evaluate.py', ['--arch', 'daformer_b0', '--images', '1'])]
    return [
        ('generation, fp16', 'generate.py', ['--full', '--n', '8', '--batch-size', '8', '--repeats', '1', '--dtype', 'fp16']),
        ('generation, bf16', 'generate.py', ['--full', '--n', '8', '--batch-size', '8', '--repeats', '1', '--dtype', 'bf16']),
        ('MIC iteration, MiT-B5 at 512', 'uda_step.py', ['--model', 'daformer', '--crop', '512', '--warmup', '3', '--iters', '5',
                                                         '--rounds', '1', '--precision', 'fp32', 'tf32', 'bf16', 'bf16+compile']),
        ('MIC against MIC(HRDA), MiT-B5, bf16', 'uda_step.py', ['--hrda', '--model', 'daformer', '--crop', '512', '--warmup', '3',
                                                                 '--iters', '5', '--rounds', '1', '--precision', 'bf16']),
        ('MIC per encoder mode, DINOv2-L and EVA02-L at 512, bf16', 'uda_step.py', ['--foundation', '--model', 'dinov2_l', 'eva02_l',
                                     '--crop', '512', '--warmup', '3', '--iters', '5', '--rounds', '1', '--precision', 'bf16',
                                     '--grad-checkpointing']),
        ('evaluation, MiT-B5', 'evaluate.py', ['--arch', 'daformer', '--images', '5'])]

def main(tiny):
    failed = []
    for title, script, args in steps(tiny):
        print(f"\n## {title}: python bench/{script} {' '.join(args)}", flush=True)
        t = time.perf_counter()
        r = subprocess.run([sys.executable, str(HERE/script), *args])
        print(f"({time.perf_counter() - t:.0f} s{'' if r.returncode == 0 else f', exit status {r.returncode}'})", flush=True)
        if r.returncode: failed.append(title)
    if failed: sys.exit(f"failed: {', '.join(failed)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--tiny', action='store_true', help='tiny sizes on the CPU: checks that the script runs')
    main(p.parse_args().tiny)
