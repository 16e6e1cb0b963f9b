"`didex evaluate` and `didex predict` from the command line, on fixture datasets with a small random model."
import json

import numpy as np
import pytest
import torch
from PIL import Image

from didex.datasets import items
from didex.testing import make_fixture
from didex.models import save_model, segmentation_model
from conftest import cli, didex

@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('eval')
    torch.manual_seed(0)
    ckpt = tmp/'model.safetensors'
    save_model(ckpt, segmentation_model('daformer_b0'))
    roots = {n: make_fixture(n, tmp/n, n=2) for n in ('cityscapes', 'bdd100k', 'acdc')}
    return tmp, ckpt, roots

FAST = ['--scale', '128', '64', '--workers', '0', '--device', 'cpu']

def test_evaluate_writes_the_table_and_figures(setup):
    tmp, ckpt, roots = setup
    out = tmp/'report'
    r = didex('evaluate', '--checkpoint', ckpt, '--data', *(f'{n}={p}' for n, p in roots.items()), '--out', out, *FAST)
    assert r.returncode == 0, r.stderr
    res = json.loads((out/'results.json').read_text())
    assert res['weights'] == 'student' and res['protocol'] == 19
    assert {'cityscapes', 'bdd100k', 'acdc', 'acdc/fog'} <= set(res['datasets'])
    assert res['mean_miou'] == pytest.approx(np.mean([res['datasets'][n]['miou'] for n in roots]))
    assert 'Weights: student' in (out/'results.md').read_text() and 'Mean mIoU' in r.stdout
    for f in ['results.csv', 'class_iou.png', 'confusion_cityscapes.png', 'examples_bdd100k.png']: assert (out/f).is_file()

def test_two_roots_of_one_layout_are_two_columns(setup):
    tmp, ckpt, roots = setup
    other = make_fixture('cityscapes', tmp/'cityscapes_b', n=2, seed=5)
    out = tmp/'twice'
    r = cli('evaluate', '--checkpoint', ckpt, '--data', f"cityscapes={roots['cityscapes']}", f'cityscapes={other}',
              f"fog:cityscapes={other}", '--out', out, *FAST)
    assert r.returncode == 0, r.stderr
    res = json.loads((out/'results.json').read_text())
    assert list(res['datasets']) == ['cityscapes', 'cityscapes-2', 'fog']  # none dropped
    assert res['datasets']['cityscapes-2'] == res['datasets']['fog']  # the same root twice, the same scores
    assert res['mean_miou'] == pytest.approx(np.mean([d['miou'] for d in res['datasets'].values()]))
    for f in ['confusion_cityscapes.png', 'confusion_cityscapes-2.png', 'confusion_fog.png']: assert (out/f).is_file()
    assert '| cityscapes | cityscapes-2 | fog |' in (out/'results.md').read_text()

def test_protocol_16_scores_16_classes(setup):
    tmp, ckpt, roots = setup
    r = didex('evaluate', '--checkpoint', ckpt, '--data', f"cityscapes={roots['cityscapes']}", '--protocol', '16',
              '--out', tmp/'p16', *FAST)
    assert r.returncode == 0, r.stderr
    assert len(json.loads((tmp/'p16/results.json').read_text())['datasets']['cityscapes']['iou']) == 16

@pytest.mark.parametrize('args, message', [
    (['--data', 'cityscapes'], "--data 'cityscapes': expected DATASET=ROOT"),
    (['--data', 'kitti=/x'], "unknown dataset 'kitti'"),
    (['--data', 'cityscapes=/no/such/root'], '/no/such/root is missing'),
    (['--weights', 'teacher'], 'teacher'),
])
def test_bad_input_is_one_line(setup, args, message):
    tmp, ckpt, roots = setup
    base = ['--data', f"cityscapes={roots['cityscapes']}"] if '--data' not in args else []
    r = didex('evaluate', '--checkpoint', ckpt, *base, *args, '--out', tmp/'bad', *FAST)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr

def test_broken_checkpoint_names_the_file(setup, tmp_path):
    _, _, roots = setup
    bad = tmp_path/'broken.safetensors'; bad.write_bytes(b'not a checkpoint')
    r = didex('evaluate', '--checkpoint', bad, '--data', f"cityscapes={roots['cityscapes']}", '--out', tmp_path, *FAST)
    assert r.returncode == 2 and str(bad) in r.stderr and 'Traceback' not in r.stderr

def test_predict_writes_train_ids_and_overlays(setup):
    tmp, ckpt, roots = setup
    folder = roots['cityscapes']/'leftImg8bit/val/frankfurt'
    r = didex('predict', folder, '--checkpoint', ckpt, '--out', tmp/'pred', '--scale', '128', '64', '--device', 'cpu')
    assert r.returncode == 0, r.stderr
    for it in items('cityscapes', roots['cityscapes'], 'val'):
        if it.image.parent != folder: continue
        pred = np.asarray(Image.open(tmp/'pred'/f'{it.image.stem}_trainIds.png'))
        assert pred.shape == np.asarray(Image.open(it.image)).shape[:2] and pred.max() < 19
        assert (tmp/'pred'/f'{it.image.stem}_overlay.png').is_file()
    twin = tmp/'twin'; twin.mkdir(exist_ok=True)
    first = next(it.image for it in items('cityscapes', roots['cityscapes'], 'val') if it.image.parent == folder)
    (twin/first.name).write_bytes(first.read_bytes())
    r = cli('predict', first, twin/first.name, '--checkpoint', ckpt, '--out', tmp/'pair', '--scale', '128', '64', '--device', 'cpu')
    assert r.returncode == 0, r.stderr  # the same stem twice: two outputs, named by their folders
    assert sorted(p.name for p in (tmp/'pair').iterdir()) == sorted(f'{d}_{first.stem}_{k}.png' for d in ('frankfurt', 'twin')
                                                                     for k in ('trainIds', 'overlay'))
    r = didex('predict', tmp/'nothing.png', '--checkpoint', ckpt, '--out', tmp/'pred')
    assert r.returncode == 2 and 'nothing.png does not exist' in r.stderr
