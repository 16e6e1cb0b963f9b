"`didex convert` from the command line: the right trainIds, bad input, interruption."
import os, signal, subprocess, time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from cityscapesscripts.helpers.labels import id2label

from didex.datasets import items, read_label, splits, train_ids_path
from didex.testing import make_fixture
from conftest import BIN, didex

# Reference tables written out by hand (SYNTHIA: lhoyer/MIC@2f932a9 tools/convert_datasets/synthia.py; Mapillary:
# the DG converter's table that 02_datasets documents), independent of the package's own.
SYNTHIA_SPEC = {3: 0, 4: 1, 2: 2, 21: 3, 5: 4, 7: 5, 15: 6, 9: 7, 6: 8, 16: 9, 1: 10, 10: 11, 17: 12, 8: 13, 18: 14,
                19: 15, 20: 16, 12: 17, 11: 18}
MAPILLARY_SPEC = {13: 0, 24: 0, 41: 0, 2: 1, 15: 1, 17: 2, 6: 3, 3: 4, 45: 5, 47: 5, 48: 6, 50: 7, 30: 8, 29: 9, 27: 10,
                  19: 11, 20: 12, 21: 12, 22: 12, 55: 13, 61: 14, 54: 15, 58: 16, 57: 17, 52: 18}

def reference(name, raw_id):
    "trainId of `raw_id` by the official Cityscapes table or the tables above."
    if name in ('gta5', 'cityscapes'):
        t = id2label[raw_id].trainId if raw_id in id2label else 255
        return t if 0 <= t < 255 else 255
    return {'synthia': SYNTHIA_SPEC, 'mapillary': MAPILLARY_SPEC}[name].get(raw_id, 255)

@pytest.mark.parametrize('name', ['gta5', 'synthia', 'cityscapes', 'mapillary'])
def test_convert_matches_reference_tables(tmp_path, name):
    root = make_fixture(name, tmp_path/name, n=3)
    r = didex('convert', name, root, '--quiet')
    assert r.returncode == 0, r.stderr
    assert 'failed 0' in r.stdout and (root/'samples_with_class.json').is_file()
    seen = set()
    for split in splits(name, root):
        for it in items(name, root, split):
            raw = read_label(name, it.label)
            got = np.asarray(Image.open(train_ids_path(name, it.label)))
            for i in np.unique(raw):
                assert (got[raw == i] == reference(name, int(i))).all(), (it.label, i)
                seen.add(reference(name, int(i)))
    assert 255 in seen and len(seen) >= 8  # the fixture exercises ignored ids and many classes

@pytest.mark.parametrize('name', ['bdd100k', 'acdc'])
def test_convert_train_id_datasets_writes_stats_only(tmp_path, name):
    root = make_fixture(name, tmp_path/name, n=2)
    before = sorted(p.relative_to(root) for p in root.rglob('*.png'))
    r = didex('convert', name, root, '--quiet')
    assert r.returncode == 0, r.stderr
    assert sorted(p.relative_to(root) for p in root.rglob('*.png')) == before
    assert (root/'sample_class_stats.json').is_file()
    assert f'{name}: its labels are trainIds already, nothing to convert' in r.stdout and 'converted' not in r.stdout

def test_wrong_root_is_one_line(tmp_path):
    make_fixture('cityscapes', tmp_path/'cs', n=1)
    r = didex('convert', 'gta5', tmp_path/'cs')
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert r.stderr.strip() == (f"didex convert: error: {tmp_path/'cs'} is not a GTA5 root: {tmp_path/'cs/images'} "
                                "is missing (expected images/NNNNN.png, labels/NNNNN.png)")

def test_incomplete_root_names_first_missing_label(tmp_path):
    root = make_fixture('synthia', tmp_path/'s', n=3)
    (root/'GT/LABELS/0000001.png').unlink()
    r = didex('convert', 'synthia', root)
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert f"{root/'GT/LABELS/0000001.png'} is missing" in r.stderr

def test_unknown_dataset(tmp_path):
    r = didex('convert', 'kitti', tmp_path)
    assert r.returncode == 2 and "invalid choice: 'kitti'" in r.stderr

def test_unreadable_label_is_listed_and_the_rest_converts(tmp_path):
    root = make_fixture('gta5', tmp_path/'g', n=4)
    (root/'labels/00002.png').write_bytes(b'\x89PNG broken')
    r = didex('convert', 'gta5', root, '--quiet', '--workers', '2')
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert f"failed: {root/'labels/00002.png'}" in r.stderr
    assert len(list(root.glob('labels/*_labelTrainIds.png'))) == 3
    assert not (root/'sample_class_stats.json').exists()

def test_size_mismatch_names_both_files(tmp_path):
    root = make_fixture('gta5', tmp_path/'g', n=3, mismatch=1)
    r = didex('convert', 'gta5', root, '--quiet')
    assert r.returncode == 0
    assert f"resized {root/'labels/00001.png'} (130x63) to the size of {root/'images/00001.png'} (128x64)" in r.stdout
    assert Image.open(root/'labels/00001_labelTrainIds.png').size == (128, 64)

def _outputs(root):
    return {p.name: np.asarray(Image.open(p)) for p in sorted(root.glob('labels/*_labelTrainIds.png'))}

@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_resumes_to_the_same_result(tmp_path, sig):
    root = make_fixture('gta5', tmp_path/'g', n=40, size=(1052, 1914))  # GTA5's size: the run lasts long enough to stop
    p = subprocess.Popen([str(BIN/'didex'), 'convert', 'gta5', str(root), '--workers', '2', '--quiet'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while not list(root.glob('labels/*_labelTrainIds.png')) and time.time() < deadline: time.sleep(0.01)
    os.killpg(p.pid, sig)
    out, err = p.communicate(timeout=60)
    done = _outputs(root)  # every file under its final name decodes completely
    assert 0 < len(done) < 40, 'the run should have been stopped midway'
    if sig == signal.SIGINT: assert p.returncode == 130 and 'run the same command again' in err
    assert not (root/'sample_class_stats.json').exists()
    r = didex('convert', 'gta5', root, '--quiet')
    assert r.returncode == 0 and f'already done {len(done)}' in r.stdout
    fresh = make_fixture('gta5', tmp_path/'fresh', n=40, size=(1052, 1914))
    assert didex('convert', 'gta5', fresh, '--quiet', '--workers', '1').returncode == 0
    a, b = _outputs(root), _outputs(fresh)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert (root/'sample_class_stats.json').read_text() == (fresh/'sample_class_stats.json').read_text()

def test_help_explains_every_option():
    r = didex('convert', '--help')
    assert r.returncode == 0
    for opt in ['DATASET', 'ROOT', '--workers', '--quiet', 'gta5', 'mapillary']: assert opt in r.stdout
    assert 'convert' in didex('--help').stdout and 'doctor' in didex('--help').stdout

def test_doctor():
    r = didex('doctor')
    assert r.returncode == 0
    for word in ['python 3.', 'torch ', 'torchvision ', 'fastai ', 'diffusers ', 'transformers ', 'timm ', 'device: ',
                 'stabilityai/stable-diffusion-2-depth']:
        assert word in r.stdout, word
