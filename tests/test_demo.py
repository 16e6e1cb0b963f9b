"`didex demo --quick` from the command line: the whole loop runs and writes the table, results.json and the figures."
import json

from didex.toycity import HELD_OUT
from conftest import didex

ROWS = ['source_only', 'source_only_aug', 'didex', 'didex_labels', 'generated_labels']

def test_quick_demo(tmp_path):
    out = tmp_path/'demo'
    r = didex('demo', '--quick', '--out', out, '--seeds', 0, 1, '--quiet')
    assert r.returncode == 0, r.stderr
    saved = json.loads((out/'results.json').read_text())
    res = saved['miou']
    assert list(res) == ROWS and saved['settings']['seeds'] == [0, 1] and saved['settings']['torch_threads'] == 1
    for row in ROWS:
        assert list(res[row]) == list(HELD_OUT) + ['mean']
        assert all(0 <= v <= 100 for v in res[row].values())
        assert abs(res[row]['mean'] - sum(res[row][d] for d in HELD_OUT)/len(HELD_OUT)) < 1e-6
    seeds = json.loads((out/'results_seeds.json').read_text())
    assert seeds['seeds'] == [0, 1] and all(len(seeds['per_seed'][row]) == 2 for row in ROWS)
    for row in ROWS: assert f"{res[row]['mean']:8.1f}" in r.stdout  # the printed table holds every row's mean
    for f in ['domains.png', 'predictions.png', 'miou.png', 'timings.json']: assert (out/f).stat().st_size > 0, f
    timings = json.loads((out/'timings.json').read_text())
    assert set(timings['wall_s']) == {'world', 'convert', 'prompts', 'generate', 'pretrain', 'models', 'figures', 'total'}
    assert (out/'pretrained.pt').stat().st_size > 0  # the encoder's stand-in ImageNet weights, kept for a rerun
    assert timings['processes'] >= 1 and set(timings['summed_over_processes_s']) == {'train', 'evaluate'}
    manifest = [json.loads(l) for l in (out/'generated/manifest.jsonl').read_text().splitlines()]
    assert {m['status'] for m in manifest} == {'done'} and {m['params']['model'] for m in manifest} == {'toycity'}

def test_demo_errors_are_one_line(tmp_path):
    (tmp_path/'f').write_text('x')
    r = didex('demo', '--quick', '--out', tmp_path/'f')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'is a file, not a folder' in r.stderr
    r = didex('demo', '--quick', '--out', tmp_path/'d', '--pseudo-warmup', -1)
    assert r.returncode == 2 and '--pseudo-warmup must be at least 0' in r.stderr
    r = didex('demo', '--quick', '--out', tmp_path/'d', '--width', 0)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and '--width must be at least 1' in r.stderr
    r = didex('demo', '--quick', '--out', tmp_path/'d', '--workers', 0)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and '--workers must be at least 1' in r.stderr
    assert not (tmp_path/'d').exists()  # refused before anything was written
