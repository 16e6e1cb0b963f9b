"""Faults met before or during the work: an output folder that cannot be written, a broken file met in training or
evaluation, a full disk, weights that cannot be downloaded. Each is one line with exit status 2, and nothing half-written."""
import errno, os, subprocess, sys, textwrap

import numpy as np
import pytest
import torch
from PIL import Image

from didex.convert import convert
from didex.testing import make_fixture
from conftest import cli

TRAIN = ['train', '--source', 'gta5={gta}', '--target', 'generated={gen}', '--model', 'daformer_b0', '--no-pretrained',
         '--crop', '32', '--source-scale', '128', '72', '--rcs-min-pixels', '10', '--workers', '0', '--quiet',
         '--iterations', '2']
COMMANDS = {'train': TRAIN, 'generate': ['generate', '{manifest}', '--model', 'toycity', '--quiet'],
            'evaluate': ['evaluate', '--checkpoint', '{ckpt}', '--data', 'cityscapes={cs}', '--workers', '0'],
            'predict': ['predict', '{city}', '--checkpoint', '{ckpt}'], 'toycity': ['toycity', '--source', '2', '--held-out', '1'],
            'demo': ['demo', '--quick']}

def one_line(r, message):
    "Exit status 2 and one line holding `message` on stderr (a progress bar drawn before it aside)."
    lines = [l for l in r.stderr.replace('\r', '\n').splitlines() if l.strip() and '%|' not in l]
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert len(lines) == 1 and message in lines[0], r.stderr

@pytest.mark.parametrize('command', COMMANDS)
def test_an_output_that_cannot_be_written_is_refused_before_the_work(world, tmp_path, command, monkeypatch):
    args, opt = [a.format(**world) for a in COMMANDS[command]], 'OUT' if command == 'toycity' else '--out'
    run = lambda out: cli(*args, out) if opt == 'OUT' else cli(*args, '--out', out)
    (tmp_path/'file').write_text('mine')
    one_line(run(tmp_path/'file'), f"{opt} {tmp_path/'file'}: is a file, not a folder")
    one_line(run(tmp_path/'file'/'run'), f"cannot be created, {tmp_path/'file'} is a file")
    assert (tmp_path/'file').read_text() == 'mine'
    real = os.access  # root writes anywhere: a read-only folder is emulated
    monkeypatch.setattr(os, 'access', lambda p, mode: False if str(p) == str(tmp_path/'ro') else real(p, mode))
    (tmp_path/'ro').mkdir()
    one_line(run(tmp_path/'ro'), f"{opt} {tmp_path/'ro'}: not writable")
    one_line(run(tmp_path/'ro'/'run'), f"cannot be created, {tmp_path/'ro'} is not writable")
    assert not any((tmp_path/'ro').iterdir())

def test_prompts_and_convert_check_what_they_write(world, tmp_path):
    one_line(cli('prompts', f"gta5={world['gta']}", '--out', tmp_path), f"--out {tmp_path}: is a folder, not a file")
    (tmp_path/'file').write_text('mine')
    one_line(cli('prompts', f"gta5={world['gta']}", '--out', tmp_path/'file'/'p.jsonl'), 'cannot be created')
    one_line(cli('convert', 'gta5', world['gta'], '--workers', '-1'), '--workers -1: must be ≥ 0')

NUMBERS = [
    (TRAIN + ['--workers', '-1'], '--workers -1: must be ≥ 0'),
    (TRAIN + ['--valid-every', '0'], '--valid-every 0: must be > 0'),
    (TRAIN + ['--checkpoint-every', '-5'], '--checkpoint-every -5: must be > 0'),
    (TRAIN + ['--figure-every', '0'], '--figure-every 0: must be > 0'),
    (TRAIN + ['--source-scale', '0', '72'], '--source-scale 0 72: must be > 0'),
    (TRAIN + ['--rcs-min-pixels', '-1'], '--rcs-min-pixels -1: must be ≥ 0'),
    (TRAIN + ['--log-every', '0'], '--log-every 0: must be > 0'),
    (TRAIN + ['--precision', 'tf32', '--device', 'cpu'], '--precision tf32 needs a GPU; this run is on cpu'),
    (COMMANDS['evaluate'] + ['--examples', '-1'], '--examples -1: must be ≥ 0'),
    (COMMANDS['evaluate'] + ['--workers', '-2'], '--workers -2: must be ≥ 0'),
    (COMMANDS['evaluate'] + ['--scale', '0', '512'], '--scale 0 512: must be > 0'),
    (COMMANDS['predict'] + ['--scale', '1024', '-1'], '--scale 1024 -1: must be > 0'),
    (COMMANDS['evaluate'] + ['--precision', 'bf16', '--device', 'cpu'], '--precision bf16 needs a GPU; this runs on cpu'),
    (COMMANDS['predict'] + ['--precision', 'fp16', '--device', 'cpu'], '--precision fp16 needs a GPU; this runs on cpu'),
    (COMMANDS['generate'] + ['--png-level', '10'], '--png-level 10: choose 0 (none) to 9 (smallest)'),
    (COMMANDS['generate'] + ['--writers', '0'], '--writers 0: at least 1'),
]

@pytest.mark.parametrize('args, message', NUMBERS, ids=[f"{a[0]}{m.split(':')[0]}" for a, m in NUMBERS])
def test_numbers_that_make_no_sense(world, tmp_path, args, message):
    one_line(cli(*[a.format(**world) for a in args], '--out', tmp_path/'out'), message)
    assert not (tmp_path/'out').exists()

def _cut(path, keep=-300): path.write_bytes(path.read_bytes()[:keep])

def test_a_broken_source_image_in_training_names_the_file(tmp_path):
    "The image is cut after `convert` checked it: the loader, in a worker process, names it."
    gta = make_fixture('gta5', tmp_path/'gta5', n=2)
    convert('gta5', gta, workers=1, progress=False)
    for f in (gta/'images').glob('*.png'): _cut(f)
    gen = make_fixture('generated', tmp_path/'gen', n=2, seed=1)
    args = [a.format(gta=gta, gen=gen) for a in TRAIN]
    args[args.index('--workers') + 1] = '1'
    r = cli(*args, '--out', tmp_path/'run')
    one_line(r, f"{gta/'images'}/")
    assert 'cannot decode this image' in r.stderr

def test_a_broken_image_in_evaluation_names_the_file_and_writes_no_results(world, tmp_path):
    cs = make_fixture('cityscapes', tmp_path/'cs', n=1)
    image = next((cs/'leftImg8bit/val').rglob('*.png'))
    _cut(image)
    r = cli('evaluate', '--checkpoint', world['ckpt'], '--data', f'cityscapes={cs}', '--out', tmp_path/'out')  # 2 worker processes
    one_line(r, f"{image}: cannot decode this image")
    assert not (tmp_path/'out').exists()

def test_convert_names_a_broken_image_and_a_colour_label(tmp_path):
    cs = make_fixture('cityscapes', tmp_path/'cs', n=2)
    image, label = next((cs/'leftImg8bit/train').rglob('*.png')), sorted((cs/'gtFine/val').rglob('*_labelIds.png'))[0]
    _cut(image)
    with Image.open(label) as im: Image.fromarray(np.stack([np.asarray(im)]*3, -1)).save(label)  # stored as RGB
    r = cli('convert', 'cityscapes', cs, '--quiet', '--workers', '1')
    assert r.returncode == 1 and 'converted 2, already done 0, failed 2' in r.stdout, r.stdout + r.stderr
    assert f"failed: {image}: cannot decode this image" in r.stderr
    assert f"failed: {label}: a RGB image with 3 channel(s), not a Cityscapes label" in r.stderr
    assert not (cs/'sample_class_stats.json').exists()
    r = cli('convert', 'cityscapes', cs, '--quiet', '--workers', '1', '--no-image-check')  # the labels only
    assert r.returncode == 1 and 'failed 1' in r.stdout and str(image) not in r.stderr

def test_two_worker_conversion_after_one_in_process(tmp_path):
    "OpenCV's table lookup in this process, then forked workers: they must not hang on its thread pool."
    root = make_fixture('gta5', tmp_path/'gta5', n=4)
    code = textwrap.dedent(f"""
        from pathlib import Path
        from didex.convert import convert
        root = Path({str(root)!r})
        print(convert('gta5', root, workers=1, progress=False).converted)
        for f in root.glob('labels/*_labelTrainIds.png'): f.unlink()
        print(convert('gta5', root, workers=2, progress=False).converted)""")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ['4', '4'], r.stderr

def _no_space(*a, **kw): raise OSError(errno.ENOSPC, 'No space left on device')

def test_a_full_disk_while_writing_a_checkpoint_names_it(world, tmp_path, monkeypatch):
    "torch.save reports a full disk as a RuntimeError of its own: the free space left says what it was."
    def full(*a, **kw): raise RuntimeError('[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534')
    monkeypatch.setattr(torch, 'save', full)
    real = os.statvfs
    monkeypatch.setattr(os, 'statvfs', lambda p: os.statvfs_result((4096, 4096, 10, 0, 0, 10, 0, 0, 0, 255))
                        if str(p).startswith(str(tmp_path)) else real(p))
    r = cli(*[a.format(**world) for a in TRAIN], '--out', tmp_path/'run')
    one_line(r, f"no space left on device while writing {tmp_path/'run'/'checkpoint.pt'}")
    assert not list((tmp_path/'run').glob('.*.tmp*'))

def test_a_full_disk_while_writing_an_image_names_it(world, tmp_path, monkeypatch):
    monkeypatch.setattr(Image.Image, 'save', _no_space)
    r = cli(*[a.format(**world) for a in COMMANDS['generate']], '--out', tmp_path/'gen')
    one_line(r, f"no space left on device while writing {tmp_path/'gen'/'images'}/")
    assert not list((tmp_path/'gen'/'images').glob('*.png'))

def test_offline_train_without_cached_weights_fails_at_once(world, tmp_path, monkeypatch):
    from huggingface_hub import constants
    monkeypatch.setenv('HF_HUB_OFFLINE', '1'); monkeypatch.setattr(constants, 'HF_HUB_CACHE', str(tmp_path/'hub'))
    args = [a.format(**world) for a in TRAIN if a != '--no-pretrained']
    r = cli(*args, '--out', tmp_path/'run')
    one_line(r, 'the pretrained weights of daformer_b0 (nvidia/mit-b0) are not cached here and HF_HUB_OFFLINE is set')
    assert 'start from random weights with --no-pretrained' in r.stderr and not (tmp_path/'run').exists()
