"`didex train --method mic_hrda`: a killed run resumes to the same weights; the checkpoint records the HRDA wrapper and its inference, which `didex evaluate` and `didex predict` use; the margins of the target frame."
import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from conftest import cli, didex, kill_at_checkpoint

HR = ['--method', 'mic_hrda', '--model', 'daformer_b0', '--crop', '64', '--no-pretrained', '--source-scale', '128', '72',
      '--rcs-min-pixels', '10', '--workers', '0', '--quiet']


def test_killed_hrda_run_resumes_and_evaluates_with_its_recorded_inference(tmp_path, uda_data):
    args = ['--source', uda_data['source'], '--target', uda_data['generated'], *HR, '--iterations', '6', '--checkpoint-every', '2']
    done = kill_at_checkpoint(['train', *args, '--out', tmp_path/'killed'], tmp_path/'killed/checkpoint.pt')
    assert 2 <= done < 6, 'the run should have been killed midway'
    r = didex('train', *args, '--out', tmp_path/'killed', '--resume')
    assert r.returncode == 0, r.stderr
    r = didex('train', *args, '--out', tmp_path/'whole')
    assert r.returncode == 0, r.stderr
    a, b = load_file(tmp_path/'killed/final.safetensors'), load_file(tmp_path/'whole/final.safetensors')
    assert a.keys() == b.keys() and any(k.startswith('student.attention_head.') for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a), 'a resumed HRDA run ends with the weights of an uninterrupted one'
    with safe_open(tmp_path/'whole/final.safetensors', 'pt') as f: meta = f.metadata()
    assert json.loads(meta['wrapper']) == ['hrda', dict(detail=32, divisible=8)] and meta['inference'] == 'slide'
    config = json.loads((tmp_path/'whole/config.json').read_text())
    assert config['inference'] == 'slide' and config['target_margins'] is None  # a generated target: no margins
    assert config['options']['EMATeacher'] == dict(ignore_top=0, ignore_bottom=0) and config['quirks']['hrda_box_divisible']
    for model in ('final.safetensors', 'checkpoint.pt'):
        r = cli('evaluate', '--checkpoint', tmp_path/'whole'/model, '--data', uda_data['cityscapes'], '--scale', '256', '128',
                '--examples', '0', '--out', tmp_path/f'eval-{model}')
        assert r.returncode == 0, r.stderr
        assert json.loads((tmp_path/f'eval-{model}/results.json').read_text())['mode'] == 'slide'  # from the checkpoint
    r = cli('evaluate', '--checkpoint', tmp_path/'whole/final.safetensors', '--data', uda_data['cityscapes'], '--mode', 'whole',
            '--scale', '256', '128', '--examples', '0', '--out', tmp_path/'eval-whole')
    assert r.returncode == 0 and json.loads((tmp_path/'eval-whole/results.json').read_text())['mode'] == 'whole', r.stderr
    images = sorted((uda_data['cs_root']/'leftImg8bit/val').rglob('*.png'))
    r = cli('predict', *images, '--checkpoint', tmp_path/'whole/final.safetensors', '--scale', '256', '128', '--out', tmp_path/'pred')
    assert r.returncode == 0 and len(list((tmp_path/'pred').glob('*_trainIds.png'))) == len(images), r.stderr

def test_cityscapes_margins_deeplabv2_and_bad_margins(tmp_path, uda_data):
    dl = [a if a != 'daformer_b0' else 'deeplabv2_r18' for a in HR]
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['cityscapes'], *dl, '--iterations', '2',
            '--quirk', 'hrda_box_divisible=off', '--out', tmp_path/'cs')
    assert r.returncode == 0, r.stderr
    config = json.loads((tmp_path/'cs/config.json').read_text())
    assert config['target_margins'] == [30, 240, 30, 30]  # published for Cityscapes, instead of DAFormer's ignored rows
    assert config['options']['EMATeacher'] == dict(ignore_top=0, ignore_bottom=0) and not config['quirks']['hrda_box_divisible']
    assert any(k.startswith('student.attention_head.convs.') for k in load_file(tmp_path/'cs/final.safetensors'))
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['cityscapes'], *HR, '--iterations', '1',
            '--target-margins', '0', '0', '0', '0', '--out', tmp_path/'none')
    assert r.returncode == 0 and json.loads((tmp_path/'none/config.json').read_text())['target_margins'] is None, r.stderr
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['generated'], *HR, '--iterations', '1',
            '--target-margins', '-1', '0', '0', '0', '--out', tmp_path/'bad')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and '--target-margins -1 0 0 0' in r.stderr, r.stderr
    assert not (tmp_path/'bad').exists()
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['generated'], *HR, '--iterations', '1',
            '--set', 'HRDATraining.detail_wieght=0.2', '--out', tmp_path/'bad')
    assert r.returncode == 2 and "HRDATraining has no option 'detail_wieght'; its options: detail_weight, context_weight, fused_weight" in r.stderr
