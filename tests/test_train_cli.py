"`didex train` from the command line: a killed run resumes to the same weights, bad input, a non-finite loss."
import json, os, signal, subprocess, time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from didex.convert import convert
from didex.testing import make_fixture
from conftest import BIN, cli, didex, kill_at_checkpoint

SMALL = ['--method', 'mic', '--model', 'daformer_b0', '--crop', '32', '--no-pretrained', '--source-scale', '128', '72',
         '--rcs-min-pixels', '10', '--workers', '0', '--quiet']

@pytest.fixture(scope='module')
def data(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('data')
    gta = make_fixture('gta5', tmp/'gta5', n=4)
    convert('gta5', gta, workers=1, progress=False)
    return ['--source', f'gta5={gta}', '--target', f"generated={make_fixture('generated', tmp/'gen', n=3, seed=1)}"]

def _iterations(out): return [json.loads(l)['iteration'] for l in (out/'log.jsonl').read_text().splitlines()]

def test_killed_run_resumes_to_the_same_weights(tmp_path, data, monkeypatch):
    args = [*data, *SMALL, '--iterations', '16', '--checkpoint-every', '4', '--figure-every', '10']
    done = kill_at_checkpoint(['train', *args, '--out', tmp_path/'killed'], tmp_path/'killed/checkpoint.pt')
    assert 4 <= done < 16, 'the run should have been killed midway'
    assert not (tmp_path/'killed/final.safetensors').exists()
    r = didex('train', *args, '--out', tmp_path/'killed', '--resume')
    assert r.returncode == 0, r.stderr
    assert 'final.safetensors' in r.stdout
    r = didex('train', *args, '--out', tmp_path/'whole')
    assert r.returncode == 0, r.stderr
    a, b = load_file(tmp_path/'killed/final.safetensors'), load_file(tmp_path/'whole/final.safetensors')
    assert a.keys() == b.keys() and any(k.startswith('teacher.') for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a), 'a resumed run ends with the weights of an uninterrupted one'
    assert _iterations(tmp_path/'killed') == list(range(16)) == _iterations(tmp_path/'whole')
    assert sorted(p.name for p in (tmp_path/'whole/debug').iterdir()) == ['000000.png', '000010.png']
    r = didex('train', *args, '--out', tmp_path/'whole')
    assert r.returncode == 2 and 'already holds a run' in r.stderr and '--resume' in r.stderr
    rel = [a.replace(str(tmp_path.parent), '..') if a.startswith(('gta5=', 'generated=')) else a for a in args]
    monkeypatch.chdir(tmp_path)
    r = cli('train', *rel, '--out', tmp_path/'whole', '--resume')  # the same roots, spelled relative
    assert r.returncode == 0 and 'final.safetensors' in r.stdout, r.stderr
    r = didex('train', *args, '--out', tmp_path/'whole', '--resume', '--seed', '1')
    assert r.returncode == 2 and r.stderr.strip().endswith('was made with seed=0, not 1: resume with the run\'s settings (see config.json) or choose another --out')

def test_one_run_per_folder_and_ctrl_c_says_how_to_continue(tmp_path, data):
    args = [*data, *SMALL, '--iterations', '400', '--checkpoint-every', '2', '--out', str(tmp_path/'busy')]
    p = subprocess.Popen([str(BIN/'didex'), 'train', *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (tmp_path/'busy/checkpoint.pt').exists() and time.time() < deadline and p.poll() is None: time.sleep(0.01)
    try:
        r = cli('train', *args, '--resume')  # a second run on the folder in use
        assert r.returncode == 2 and r.stderr.count('\n') == 1, r.stderr
        assert f"is in use by didex train (process {p.pid} on " in r.stderr
    finally: p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and err.strip().splitlines()[-1] == ('didex train: interrupted; continue from the last '
                                                                    'checkpoint with the same command plus --resume')

def test_bad_input_is_one_line(tmp_path, data):
    r = didex('train', '--source', f'gta5={tmp_path}/none', *data[2:], '--out', tmp_path/'o', *SMALL)
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert r.stderr.strip() == f"didex train: error: {tmp_path}/none is not a GTA5 root: {tmp_path}/none is missing (expected images/NNNNN.png, labels/NNNNN.png)"
    r = didex('train', *data, '--out', tmp_path/'o', '--method', 'hrda')
    assert r.returncode == 2 and "invalid choice: 'hrda'" in r.stderr
    r = didex('train', *data, '--out', tmp_path/'o', *SMALL, '--set', 'MIC.blok=8')
    assert r.returncode == 2 and r.stderr.strip() == "didex train: error: MIC has no option 'blok'; its options: lam, ratio, block"
    r = didex('train', *data, '--out', tmp_path/'o', *SMALL, '--set', 'block=8')
    assert r.returncode == 2 and r.stderr.strip().endswith("--set 'block=8': expected CALLBACK.OPTION=VALUE, e.g. MIC.block=64")
    r = didex('train', *data, '--out', tmp_path/'o', *SMALL, '--set', 'GeneratedLabels.lam=2')
    assert r.returncode == 2 and "method 'mic' has no callback 'GeneratedLabels'; its callbacks: EMATeacher, DACS, FeatureDistance, MIC" in r.stderr
    r = didex('train', *data, '--out', tmp_path/'o', *SMALL, '--method', 'mic_labels')  # the fixture's generated folder names no sources
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'names no source image' in r.stderr
    assert not (tmp_path/'o').exists()  # refused before anything is written

def test_quirks_and_target_rows_are_recorded(tmp_path, data):
    r = cli('train', *data, *SMALL, '--iterations', '2', '--quirk', 'batch_wide=off', '--quirk', 'mit_norm_eps=off',
              '--photometric', 'on', '--set', 'EMATeacher.ignore_bottom=3', '--out', tmp_path/'q')
    assert r.returncode == 0, r.stderr
    config = json.loads((tmp_path/'q/config.json').read_text())
    assert config['quirks'] == dict(train_bn=True, batch_wide=False, mic_aug_per_batch=True, mean_over_all=True,
                                    decay_by_name=True, mit_norm_eps=False, hrda_box_divisible=True,
                                    sepico_stats_reset=False)
    assert config['photometric'] is True
    assert config['options']['EMATeacher'] == dict(ignore_top=0, ignore_bottom=3)  # a generated target: no rows, unless set

def test_a_broken_checkpoint_is_one_line(tmp_path, data):
    for name, content in [('truncated', b'PK\x03\x04 cut'), ('foreign', None)]:
        out = tmp_path/name; out.mkdir()
        if content is None: torch.save({'weights': torch.zeros(1)}, out/'checkpoint.pt')
        else: (out/'checkpoint.pt').write_bytes(content)
        r = cli('train', *data, *SMALL, '--iterations', '2', '--out', out, '--resume')
        assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr, r.stderr
        assert f"{out/'checkpoint.pt'}" in r.stderr and sorted(p.name for p in out.iterdir()) == ['checkpoint.pt']

def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, data):
    r = didex('train', *data, *SMALL, '--iterations', '6', '--checkpoint-every', '1', '--lr', '1e30', '--out', tmp_path/'nan')
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert 'didex train: error: non-finite loss at iteration' in r.stderr and 'the last good checkpoint is' in r.stderr
    bad = int(r.stderr.split('non-finite loss at iteration ')[1].split(':')[0])
    assert torch.load(tmp_path/'nan/checkpoint.pt', weights_only=True)['iteration'] == bad

def test_help_explains_every_option():
    r = didex('train', '--help')
    assert r.returncode == 0
    for opt in ['--source', '--target', '--method', '--model', '--iterations', '--crop', '--batch-size', '--seed', '--out',
                '--resume', '--valid', '--precision', '--set', 'source_only', 'mic_labels', 'for s in 0 1 2', '--quirk',
                '--photometric', 'mic_aug_per_batch (on)', 'decay_by_name (on)', '--compile', '--log-every', 'tf32']:
        assert opt in ' '.join(r.stdout.split()), opt
