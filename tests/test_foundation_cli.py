"`didex train --model dinov2_tiny --encoder-mode ...`: every encoder mode trains MIC, resumes bit-identically, is evaluated and predicts; checkpoints hold what trains and the backbone's identity; bad options."
import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from conftest import cli, kill_at_checkpoint

FD = ['--method', 'mic', '--crop', '64', '--no-pretrained', '--source-scale', '128', '72',
      '--rcs-min-pixels', '10', '--workers', '0', '--quiet']

@pytest.mark.parametrize('mode', ['frozen', 'lora', 'full'])
def test_killed_foundation_run_resumes_and_predicts(tmp_path, uda_data, mode):
    args = ['train', '--source', uda_data['source'], '--target', uda_data['generated'], *FD, '--model', 'dinov2_tiny', '--encoder-mode', mode,
            '--iterations', '4', '--checkpoint-every', '2']
    killed, whole = tmp_path/'killed', tmp_path/'whole'
    assert kill_at_checkpoint([*args, '--out', killed], killed/'checkpoint.pt') == 2, 'the run should have been killed midway'
    r = cli(*args, '--out', killed, '--resume')
    assert r.returncode == 0, r.stderr
    r = cli(*args, '--out', whole)
    assert r.returncode == 0, r.stderr
    assert ('FeatureDistance off: the encoder is frozen' in r.stderr) == (mode == 'frozen'), r.stderr
    a, b = load_file(killed/'final.safetensors'), load_file(whole/'final.safetensors')
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), 'a resumed run ends with the weights of an uninterrupted one'
    vit = [k for k in a if k.startswith('student.backbone.vit.')]
    assert (not vit) == (mode == 'frozen') and bool(vit and all('lora_' in k for k in vit)) == (mode == 'lora'), vit[:3]
    with safe_open(whole/'final.safetensors', 'pt') as f: meta = f.metadata()
    assert json.loads(meta['encoder'])['mode'] == mode and ('backbone' in meta) == (mode != 'full')
    ckpt = torch.load(whole/'checkpoint.pt', weights_only=True)
    assert ckpt['encoder']['mode'] == mode and ckpt['config']['encoder_mode'] == mode
    off = json.loads((whole/'config.json').read_text())['off']
    assert list(off) == (['FeatureDistance'] if mode == 'frozen' else [])
    r = cli('evaluate', '--checkpoint', whole/'checkpoint.pt', '--data', uda_data['cityscapes'], '--examples', '0',
            '--scale', '128', '64', '--workers', '0', '--device', 'cpu', '--out', tmp_path/'eval')
    assert r.returncode == 0, r.stderr
    assert 0 <= json.loads((tmp_path/'eval/results.json').read_text())['datasets']['cityscapes']['miou'] <= 100
    image = next((uda_data['cs_root']/'leftImg8bit/val').rglob('*.png'))
    r = cli('predict', image, '--checkpoint', whole/'final.safetensors', '--weights', 'teacher', '--out', tmp_path/'pred',
            '--scale', '128', '64', '--device', 'cpu')
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'pred'/f'{image.stem}_trainIds.png').is_file()

def test_foundation_checkpoint_sizes_and_refusals(tmp_path, uda_data):
    any_model = ['train', '--source', uda_data['source'], '--target', uda_data['generated'], *FD, '--iterations', '1']
    base = [*any_model, '--model', 'dinov2_tiny']
    sizes = {}
    for mode in ('frozen', 'full'):
        r = cli(*base, '--encoder-mode', mode, '--out', tmp_path/mode)
        assert r.returncode == 0, r.stderr
        sizes[mode] = (tmp_path/mode/'checkpoint.pt').stat().st_size
    assert sizes['frozen'] < sizes['full'], sizes  # the frozen ViT and its optimizer state are left out
    # frozen weights that differ from the recorded ones: the resumed run and the loading command refuse in one line
    ckpt = torch.load(tmp_path/'frozen/checkpoint.pt', weights_only=True)
    ckpt['backbone']['sha256'] = '0'*64
    torch.save(ckpt, tmp_path/'frozen/checkpoint.pt')
    r = cli(*base, '--encoder-mode', 'frozen', '--out', tmp_path/'frozen', '--resume')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'was trained on the frozen encoder weights' in r.stderr, r.stderr
    r = cli('evaluate', '--checkpoint', tmp_path/'frozen/checkpoint.pt', '--data', uda_data['cityscapes'], '--out', tmp_path/'e')
    assert r.returncode == 2 and 'load it with the same encoder weights' in r.stderr, r.stderr
    tiny = ['--model', 'dinov2_tiny']
    for bad, says in [(['--model', 'daformer_b0', '--encoder-mode', 'lora'], '--encoder-mode: for the ViT encoders'),
                      ([*tiny, '--encoder-mode', 'frozen', '--lora-rank', '8'], '--lora-rank, --lora-alpha: for --encoder-mode lora, not frozen'),
                      ([*tiny, '--vit-blocks', '0', '2', '1', '3'], "--vit-blocks 0 2 1 3: four increasing blocks of dinov2_tiny's 0 … 3"),
                      (['--model', 'daformer_b0', '--grad-checkpointing'], '--grad-checkpointing: for the ViT encoders'),
                      ([*tiny, '--encoder-mode', 'lora', '--lora-rank', '0'], '--lora-rank 0 --lora-alpha 16.0: the rank must be ≥ 1')]:
        r = cli(*any_model, *bad, '--out', tmp_path/'bad')
        assert r.returncode == 2 and r.stderr.count('\n') == 1 and says in r.stderr, (bad, r.stderr)
        assert not (tmp_path/'bad').exists()
    r = cli(*[a for a in base if a != '--no-pretrained'], '--out', tmp_path/'bad')
    assert r.returncode == 2 and 'dinov2_tiny is a small random variant without pretrained weights: add --no-pretrained' in r.stderr, r.stderr
