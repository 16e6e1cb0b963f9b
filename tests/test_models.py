"`didex.models`: offline weights requests, and weight files that must be refused without running anything."
import os, subprocess, sys, textwrap
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from didex.core import UserError
from didex.models import load_model, save_model, segmentation_model

@pytest.mark.parametrize('arch,hub_id', [('daformer_b0', 'nvidia/mit-b0'), ('deeplabv2_r18', 'timm/resnet18d.ra2_in1k')])
def test_pretrained_offline_says_how_to_get_weights(tmp_path, arch, hub_id):
    code = textwrap.dedent(f"""
        from didex.core import UserError
        from didex.models import segmentation_model
        try: segmentation_model({arch!r}, pretrained=True)
        except UserError as e: print('USERERROR', e)
        """)
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path/'hf')}
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=120)
    line = [l for l in r.stdout.splitlines() if l.startswith('USERERROR')]
    assert len(line) == 1, r.stdout + r.stderr
    assert f'run `hf download {hub_id}`' in line[0] and 'pretrained=False' in line[0]

class Boom:
    "Unpickling this would create a file: a checkpoint must never get that far."
    def __init__(self, path): self.path = path
    def __reduce__(self): return (Path.touch, (Path(self.path),))

def test_checkpoint_with_code_is_refused(tmp_path):
    flag = tmp_path/'code-ran'
    torch.save(dict(arch='daformer_b0', num_classes=3, student=Boom(flag)), tmp_path/'evil.pt')
    with pytest.raises(UserError, match='evil.pt is neither'): load_model(tmp_path/'evil.pt')
    assert not flag.exists()

def test_bad_files_name_the_file(tmp_path):
    m = segmentation_model('deeplabv2_r18', 3)
    save_file({'student.x': torch.zeros(1)}, tmp_path/'bare.safetensors')
    with pytest.raises(UserError, match='bare.safetensors: safetensors file without didex metadata'):
        load_model(tmp_path/'bare.safetensors')
    save_model(tmp_path/'r18.safetensors', m)
    with pytest.raises(UserError, match="weights must be 'student' or 'teacher'"): load_model(tmp_path/'r18.safetensors', 'ema')
    torch.save([1, 2], tmp_path/'list.pt')
    with pytest.raises(UserError, match='list.pt is not a didex training checkpoint'): load_model(tmp_path/'list.pt')
    # the same architecture with another number of classes does not fit
    torch.save(dict(arch='deeplabv2_r18', num_classes=4, student=m.state_dict(), teacher=None), tmp_path/'c4.pt')
    with pytest.raises(UserError, match='c4.pt: its student weights do not fit a deeplabv2_r18 model with 4 classes'):
        load_model(tmp_path/'c4.pt')

def test_loaded_model_predicts_like_the_saved_one(tmp_path):
    torch.manual_seed(0)
    m = segmentation_model('deeplabv2_r18', 3)
    m(torch.randn(2, 3, 32, 32))  # one train-mode pass moves the BatchNorm statistics away from their init
    m.eval()
    save_model(tmp_path/'m.safetensors', m, seed=0)
    x = torch.randn(1, 3, 32, 48)
    with torch.no_grad(): assert torch.equal(load_model(tmp_path/'m.safetensors')(x)['logits'], m(x)['logits'])

def test_pretrained_encoder_weights_are_loaded(tmp_path, monkeypatch):
    "The `pretrained=True` path, offline: a MiT classification checkpoint on disk stands in for `nvidia/mit-b0`."
    from transformers import SegformerForImageClassification
    from dataclasses import replace
    from didex.models import ARCHS, mit_config
    cfg = ARCHS['daformer_b0']
    ref = SegformerForImageClassification(mit_config(cfg.channels, cfg.depths))
    ref.save_pretrained(tmp_path/'mit-b0')
    monkeypatch.setitem(ARCHS, 'daformer_b0', replace(cfg, encoder=str(tmp_path/'mit-b0')))
    got = segmentation_model('daformer_b0', pretrained=True).backbone.encoder.state_dict()
    want = ref.segformer.state_dict()
    assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want)
