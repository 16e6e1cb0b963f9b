"ToyCity from the command line: write a world, convert it, prompt it, generate its pseudo-target with `--model toycity`."
import json

import numpy as np
from PIL import Image

from didex.datasets import items, read_image, train_ids_path
from didex.core import load_json
from didex.toycity import HELD_OUT, held_out_sample, read_source, rerender, source_sample, write_held_out
from conftest import didex

def test_world_convert_prompts_generate(tmp_path):
    out = tmp_path/'world'
    # 64 rows: already a multiple of the generator's padding (64), so its output is the renderer's picture itself
    r = didex('toycity', out, '--source', 5, '--held-out', 2, '--size', '64x64', '--quiet')
    assert r.returncode == 0, r.stderr
    assert f"wrote 5 source images (GTA5 layout) to {out/'source'}" in r.stdout
    assert load_json(out/'world.json')['held_out'].keys() == HELD_OUT.keys()

    r = didex('convert', 'gta5', out/'source', '--quiet', '--workers', 1)
    assert r.returncode == 0 and 'converted 5' in r.stdout, r.stderr
    for i, it in enumerate(items('gta5', out/'source')):
        assert np.array_equal(np.asarray(Image.open(train_ids_path('gta5', it.label))), source_sample(i, (64, 64))[0].label)
    assert len(items('cityscapes', out/'snow', 'val')) == 2

    r = didex('prompts', f"gta5={out/'source'}", '--out', tmp_path/'prompts.jsonl', '--quiet')
    assert r.returncode == 0, r.stderr
    gen = tmp_path/'generated'
    r = didex('generate', tmp_path/'prompts.jsonl', '--model', 'toycity', '--scale', 1, '--out', gen, '--quiet')
    assert r.returncode == 0 and 'generated 5' in r.stdout, r.stderr
    rows = [json.loads(l) for l in (gen/'manifest.jsonl').read_text().splitlines()]
    assert {row['status'] for row in rows} == {'done'} and rows[0]['params']['model'] == 'toycity'
    row = rows[3]
    want = rerender(read_source(read_image(row['source'])), row['prompt'], row['seed'])[0]
    assert np.array_equal(read_image(gen/row['image']), want)
    r = didex('generate', tmp_path/'prompts.jsonl', '--model', 'toycity', '--scale', 1, '--out', gen, '--quiet')
    assert r.returncode == 0 and 'generated 0' in r.stdout and 'already done 5' in r.stdout, r.stdout

def test_bad_input_is_one_line(tmp_path):
    (tmp_path/'full').mkdir(); (tmp_path/'full/x.txt').write_text('x')
    r = didex('toycity', tmp_path/'full', '--source', 1, '--held-out', 1)
    assert r.returncode == 2 and r.stderr.count('\n') == 1
    assert 'is not empty and holds no ToyCity world.json' in r.stderr
    r = didex('toycity', tmp_path/'w', '--domains', 'fog,mars')
    assert r.returncode == 2 and "unknown held-out domain 'mars'" in r.stderr

def test_evaluation_reads_a_held_out_domain(tmp_path):
    "`didex.evaluate` runs on a held-out domain unchanged and counts exactly the scenes' label pixels."
    import torch
    from didex.evaluate import evaluate
    root = write_held_out(tmp_path/'fog', 'fog', n=3, progress=False)
    ev = evaluate(torch.nn.Conv2d(3, 19, 1), 'cityscapes', root, 'val', workers=0, progress=False)
    want = sum(np.bincount(held_out_sample('fog', i)[0].label.ravel(), minlength=19) for i in range(3))
    assert np.array_equal(ev.cm.sum(1).cpu().numpy(), want)
