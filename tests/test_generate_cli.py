"""`didex prompts` and `didex generate` from the command line: published prompt strings, images at the source size,
a SIGKILLed run resumed to the same bytes, sharding with torchrun, bad input."""
import contextlib, io, json, os, signal, socket, subprocess, time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from didex.cli import main
from didex.datasets import items
from didex.testing import make_fixture
from conftest import BIN, cli, didex, kill_tree, torchrun, worker_pids

# GTA5 raw label id -> (trainId, published class name in the uniform-class recipes), written out from the published scripts (JNiemeijer/DIDEX dataset_creation/).
GTA5_IDS = {7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14,
            28: 15, 31: 16, 32: 17, 33: 18}
NAMES = ['road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation',
         'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle']
UNI_NAMES = NAMES[:16] + ['tram/ train/ trolley'] + NAMES[17:]
CONDITIONS = ['rain', 'Fog/Mist', 'Snowy', 'Sunny', 'Overcast', 'Stormy', 'overexposure', 'underexposure', 'evening',
              'morning', 'Night/Darkness', 'Backlighting', 'Artificial Lighting', 'Harsh Light', 'Dappled Light',
              'Sun Flare', 'Hazy/Haze', 'Spring', 'Autumn', 'Winter', 'Summer']
P6 = ['A high quality photo; europe', 'A high quality photo; europe;Highway', 'A high quality photo; europe;City',
      'A high quality photo; germany', 'A high quality photo; germany;Highway', 'A high quality photo; germany;City']

ONE_THREAD = {**os.environ, 'OMP_NUM_THREADS': '1'}

@pytest.fixture(autouse=True, scope='module')
def one_thread():
    """One torch thread here and in the subprocesses: on a shared 2-core machine two spinning threads per process
    measured up to 40x slower, and equal thread counts keep float sums, hence bytes, comparable between runs."""
    import torch
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    from didex.testing import tiny_depth2img_pipeline
    path = tmp_path_factory.mktemp('model')/'tiny'
    tiny_depth2img_pipeline(path)
    return path

def prompts(root, out, *args):
    r = cli('prompts', f'gta5={root}', '--out', out, '--quiet', *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(l) for l in Path(out).read_text().splitlines()]

def classes_of(label):
    raw = np.asarray(Image.open(label))
    return sorted({GTA5_IDS[int(i)] for i in np.unique(raw) if int(i) in GTA5_IDS})

def expected(recipe, t, present):
    "The published prompt of `recipe` from the terms recorded, written out per recipe (JNiemeijer/DIDEX dataset_creation/*_to_PTD_*.py)."
    c = ', '.join((UNI_NAMES if recipe == 'uni_cls' else NAMES)[k] for k in present)  # only uni_cls says 'tram/ train/ trolley'
    base = 'A high quality photo; '
    return {'uni_cls': lambda: f"{t['p6']}, {t['uniform_class']}, {c}",
            'rand_cond': lambda: f"{t['p6']}, {t['conditions']}, {c}",
            'rand_location': lambda: f"{base}{t['locations']}{t['roads']}, {c}",
            'uni_cls_rand_location': lambda: f"{base}{t['locations']}{t['roads']}, {t['uniform_class']}, {c}",
            'uni_cls_rand_cond': lambda: f"{base}{t['locations']}{t['roads']}, {t['uniform_class']}, {c}, {t['conditions']}",
            'full': lambda: f"{base}{t['locations']}{t['roads']}, {t['uniform_class']}, {c}, {t['conditions']}"}[recipe]()

@pytest.mark.parametrize('recipe', ['uni_cls', 'rand_cond', 'rand_location', 'uni_cls_rand_location',
                                    'uni_cls_rand_cond', 'full'])
def test_recipes_give_the_published_strings(tmp_path, recipe):
    root = make_fixture('gta5', tmp_path/'g', n=12)
    rows = prompts(root, tmp_path/'p.jsonl', '--recipe', recipe, '--seed', '3')
    hist = np.zeros(19)
    for r, it in zip(rows, items('gta5', root)):
        present = classes_of(it.label)
        assert r['id'] == it.image.stem and r['source'] == str(it.image.resolve()) and r['recipe'] == recipe
        t = r['terms']
        assert r['prompt'] == expected(recipe, t, present)
        if 'p6' in t: assert t['p6'] in P6
        if 'conditions' in t: assert t['conditions'] in CONDITIONS
        if 'roads' in t: assert t['roads'] in ('', 'Highway', 'City')
        if 'locations' in t:
            assert t['locations'] in (['europe;', 'germany;'] if recipe == 'uni_cls_rand_cond' else
                                      ['europe;', 'germany;', 'China;', 'USA;', 'India;'])
        if 'uniform_class' in t:  # the running histogram, replayed
            hist[present] += 1; u = int(np.argmin(hist)); hist[u] += 1
            assert t['uniform_class'] == (UNI_NAMES if recipe == 'uni_cls' else NAMES)[u]
    assert prompts(root, tmp_path/'again.jsonl', '--recipe', recipe, '--seed', '3') == rows

def test_seeds_and_same_noise(tmp_path):
    root = make_fixture('gta5', tmp_path/'g', n=5)
    seeds = [r['seed'] for r in prompts(root, tmp_path/'a.jsonl', '--seed', '7')]
    assert len(set(seeds)) == 5
    assert [r['seed'] for r in prompts(root, tmp_path/'b.jsonl', '--seed', '7')] == seeds
    assert [r['seed'] for r in prompts(root, tmp_path/'c.jsonl', '--same-noise')] == [0]*5  # published: seed 0 for all
    assert [r['seed'] for r in prompts(root, tmp_path/'d.jsonl', '--quirk', 'same_noise=on')] == [0]*5  # the same quirk
    r = cli('prompts', f'gta5={root}', '--out', tmp_path/'e.jsonl', '--quiet', '--quirk', 'same_noise=off', '--same-noise')
    assert r.returncode == 2 and r.stderr.strip() == 'didex prompts: error: --quirk same_noise=off contradicts --same-noise'
    assert not (tmp_path/'e.jsonl').exists()

def test_truncation_count_and_user_terms(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=3)
    r = cli('prompts', f'gta5={root}', '--out', tmp_path/'p.jsonl', '--quiet', '--tokenizer', tiny)
    assert r.returncode == 0 and '3 of 3 prompts exceed' in r.stdout  # the tiny tokenizer has one token per character
    r = cli('prompts', f'gta5={root}', '--out', tmp_path/'p.jsonl', '--quiet', '--tokenizer', 'nobody/none')  # a hub id not cached
    assert r.returncode == 0 and 'truncation not counted' in r.stdout
    r = cli('prompts', f'gta5={root}', '--out', tmp_path/'p2.jsonl', '--quiet', '--tokenizer', tmp_path/'none')  # a missing folder
    assert r.returncode == 2 and r.stderr.strip() == f"didex prompts: error: --tokenizer {tmp_path/'none'}: no such folder (give a tokenizer or pipeline folder, or a hub id owner/name)"
    assert not (tmp_path/'p2.jsonl').exists()
    (tmp_path/'t.json').write_text(json.dumps({'terms': {'cams': ['dashcam']},
                                               'recipes': {'cam': {'template': '{base}{cams}, {classes}'}}}))
    rows = prompts(root, tmp_path/'q.jsonl', '--terms', tmp_path/'t.json', '--recipe', 'cam')
    assert rows[0]['prompt'].startswith('A high quality photo; dashcam, road, ')

def test_prompts_bad_input(tmp_path):
    root = make_fixture('gta5', tmp_path/'g', n=1)
    for args, msg in [([str(root)], 'expected SOURCE=ROOT'), ([f'kitti={root}'], "unknown source 'kitti'"),
                      ([f'gta5={root}', '--recipe', 'nope'], "unknown recipe 'nope'"),
                      ([f'gta5={tmp_path}'], 'is not a GTA5 root'),
                      ([f'gta5={root}', '--terms', tmp_path/'missing.yaml'], 'missing.yaml does not exist')]:
        r = cli('prompts', *args, '--out', tmp_path/'p.jsonl')
        assert r.returncode == 2 and 'Traceback' not in r.stderr and msg in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1

def gen(manifest, out, model, *args, run=cli, **kw):
    return run('generate', manifest, '--out', out, '--model', model, '--steps', '3', '--quiet', *args, **kw)

def pngs(out): return {p.name: p.read_bytes() for p in sorted((Path(out)/'images').glob('*.png'))}

def test_prompts_then_generate(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=3)
    prompts(root, tmp_path/'p.jsonl')
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--batch-size', '2', run=didex, env=ONE_THREAD)  # installed command
    assert r.returncode == 0, r.stderr
    assert 'generated 3' in r.stdout and 'images/s' in r.stdout and 'done 3, failed 0, pending 0' in r.stdout
    gen_items = items('generated', tmp_path/'out')
    assert [i.image.name for i in gen_items] == [i.image.name for i in items('gta5', root)]
    for g, s in zip(gen_items, items('gta5', root)):
        im = Image.open(g.image)
        assert im.format == 'PNG' and im.size == Image.open(s.image).size
    rows = [json.loads(l) for l in (tmp_path/'out/manifest.jsonl').read_text().splitlines()]
    p = rows[0]['params']
    assert {k: p[k] for k in ('scheduler', 'steps', 'guidance', 'strength', 'dtype', 'scale', 'restore')} == dict(
        scheduler='DDIMScheduler', steps=3, guidance=9.0, strength=0.9, dtype='fp32', scale=0.5, restore='stretch_padding')
    assert p['model'] == str(tiny) and 'revision' in p and all(r['status'] == 'done' and 'seed' in r for r in rows)

def test_sigkill_then_restart_gives_the_same_images(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=10)
    prompts(root, tmp_path/'p.jsonl')
    cmd = [str(BIN/'didex'), 'generate', str(tmp_path/'p.jsonl'), '--out', str(tmp_path/'out'), '--model', str(tiny),
           '--steps', '8', '--quiet']
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=ONE_THREAD)
    deadline = time.time() + 90
    while len(list((tmp_path/'out/images').glob('[0-9]*.png'))) < 2 and time.time() < deadline: time.sleep(0.005)
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    done = pngs(tmp_path/'out')
    assert 0 < len(done) < 10, 'the run should have been killed midway'
    for name in done: Image.open(tmp_path/'out/images'/name).load()  # nothing truncated under a final name
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--steps', '8')
    assert r.returncode == 0, r.stderr
    assert f'already done {len(done)}' in r.stdout or f'already done {len(done) - 1}' in r.stdout
    assert gen(tmp_path/'p.jsonl', tmp_path/'ref', tiny, '--steps', '8').returncode == 0
    a, b = pngs(tmp_path/'out'), pngs(tmp_path/'ref')
    assert len(a) == 10 and a == b  # byte-identical to an uninterrupted run
    assert not [f for f in (tmp_path/'out/images').iterdir() if f.name.startswith('.')]

def test_torchrun_shards_equal_a_single_process(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=5)
    prompts(root, tmp_path/'p.jsonl')
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    r = subprocess.run([str(BIN/'torchrun'), '--nproc-per-node', '2', '--master-addr', '127.0.0.1', '--master-port',
                        str(port), str(BIN/'didex'), 'generate', str(tmp_path/'p.jsonl'), '--out', str(tmp_path/'sharded'),
                        '--model', str(tiny), '--steps', '3', '--quiet'], capture_output=True, text=True,
                       env=ONE_THREAD)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'rank 0/2: generated 3' in r.stdout and 'rank 1/2: generated 2' in r.stdout
    assert gen(tmp_path/'p.jsonl', tmp_path/'single', tiny, run=didex, env=ONE_THREAD).returncode == 0
    assert pngs(tmp_path/'sharded') == pngs(tmp_path/'single')  # same thread count per process: the same bytes
    assert (tmp_path/'sharded/manifest.jsonl').read_text() == (tmp_path/'single/manifest.jsonl').read_text()

def test_generate_bad_input(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=3)
    prompts(root, tmp_path/'p.jsonl')
    (root/'images/00002.png').write_bytes(b'\x89PNG broken')
    (root/'images/00003.png').unlink()
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert f"failed: 00003: source image missing: {root/'images/00003.png'}" in r.stderr
    assert f"failed: 00002: cannot read source image {root/'images/00002.png'}" in r.stderr
    assert list(pngs(tmp_path/'out')) == ['00001.png'] and 'done 1, failed 2, pending 0' in r.stdout
    one_line = lambda r, msg: r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert one_line(gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--guidance', '7.5'), '(guidance differ)')
    (tmp_path/'q.jsonl').write_text((tmp_path/'p.jsonl').read_text().replace('A high quality', 'A low quality'))
    assert one_line(gen(tmp_path/'q.jsonl', tmp_path/'out', tiny), 'holds images of a different manifest')
    r = gen(tmp_path/'q.jsonl', tmp_path/'out', tiny, '--force')
    assert r.returncode == 1 and 'done 1, failed 2' in r.stdout
    assert one_line(gen(tmp_path/'p.jsonl', tmp_path/'new', 'stabilityai/stable-diffusion-2-depth'),
                    'not in the local Hugging Face cache; download it first: hf download stabilityai/stable-diffusion-2-depth')
    assert one_line(gen(tmp_path/'none.jsonl', tmp_path/'new', tiny), 'none.jsonl does not exist')
    (tmp_path/'bad.jsonl').write_text('{"id": "a", "source": "x.png", "prompt": "p", "seed": 0}\nnot json\n')
    assert one_line(gen(tmp_path/'bad.jsonl', tmp_path/'new', tiny), 'bad.jsonl:2 is not a JSON line')
    (tmp_path/'stray').mkdir(); (tmp_path/'stray/notes.txt').write_text('mine')
    assert one_line(gen(tmp_path/'p.jsonl', tmp_path/'stray', tiny), 'holds files didex generate did not write (notes.txt)')
    assert one_line(gen(tmp_path/'p.jsonl', tmp_path/'stray', tiny, '--force'), 'holds files didex generate did not write (notes.txt)')
    assert (tmp_path/'stray/notes.txt').read_text() == 'mine'

def test_force_never_deletes_what_didex_did_not_write(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=2)
    prompts(root, tmp_path/'p.jsonl')
    before = pngs(root)
    for flags in ([], ['--force']):  # the source dataset's own root: refused whatever the flags
        r = gen(tmp_path/'p.jsonl', root, tiny, *flags)
        assert r.returncode == 2 and r.stderr.strip() == (f"didex generate: error: --out {root} holds source images of the "
                                                          f"manifest ({root/'images/00001.png'}): choose a folder outside the source dataset")
    assert pngs(root) == before and not (root/'manifest.jsonl').exists()
    assert gen(tmp_path/'p.jsonl', tmp_path/'out', tiny).returncode == 0
    (tmp_path/'out/images/mine.png').write_bytes(b'not from didex')
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--force', '--guidance', '5')
    assert r.returncode == 2 and 'holds files didex generate did not write (images/mine.png)' in r.stderr
    assert sorted(pngs(tmp_path/'out')) == ['00001.png', '00002.png', 'mine.png']  # nothing removed
    (tmp_path/'out/images/mine.png').unlink()
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--force', '--guidance', '5')
    assert r.returncode == 0 and 'generated 2' in r.stdout

def test_a_failed_generate_does_not_block_its_fix(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=2)
    prompts(root, tmp_path/'p.jsonl')
    for args, msg in [(['--steps', '0'], '--steps 0: at least 1'), (['--strength', '1.5'], '--strength 1.5: must lie in (0, 1]'),
                      (['--batch-size', '0'], '--batch-size 0: at least 1')]:
        r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, *args)
        assert r.returncode == 2 and r.stderr.strip() == f'didex generate: error: {msg}' and not (tmp_path/'out').exists()
    rows = (tmp_path/'p.jsonl').read_text().splitlines()
    (tmp_path/'dup.jsonl').write_text('\n'.join([rows[0], rows[0].replace('g/images/00001', 'g/images/00002')]) + '\n')
    r = gen(tmp_path/'dup.jsonl', tmp_path/'out', tiny)
    assert r.returncode == 2 and "two rows have the id '00001'" in r.stderr and not (tmp_path/'out').exists()
    (root/'images/00001.png').write_bytes(b'broken'); (root/'images/00002.png').write_bytes(b'broken')
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny)  # every row fails: the folder holds no image
    assert r.returncode == 1 and 'done 0, failed 2' in r.stdout
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', tiny, '--guidance', '5')  # so other settings may claim it
    assert r.returncode == 1 and 'done 0, failed 2' in r.stdout and 'other settings' not in r.stderr

def test_registered_backend_by_name(tmp_path):
    "`--model toycity` runs the procedural renderer, found by its entry point, through the same loop."
    root = make_fixture('gta5', tmp_path/'g', n=2)
    prompts(root, tmp_path/'p.jsonl')
    r = gen(tmp_path/'p.jsonl', tmp_path/'out', 'toycity')
    assert r.returncode == 0 and 'generated 2' in r.stdout, r.stderr
    assert [Image.open(p).size for p in sorted((tmp_path/'out/images').glob('*.png'))] == [(128, 64)]*2
    r = gen(tmp_path/'p.jsonl', tmp_path/'out2', 'toycty')  # no backend, folder or hub id: the backends are listed
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and 'Traceback' not in r.stderr
    assert 'toycty is neither a pipeline folder, a hub id (owner/name) nor a generator backend' in r.stderr
    assert 'toycity' in r.stderr.split('backends:')[1], r.stderr
    r = gen(tmp_path/'p.jsonl', tmp_path/'tiny', 'tiny', '--steps', '2')  # the tiny pipeline, offline, by its name
    assert r.returncode == 0 and 'generated 2' in r.stdout, r.stderr
    params = [json.loads(l)['params'] for l in (tmp_path/'tiny/manifest.jsonl').read_text().splitlines()]
    assert [(p['model'], p['pipeline'], p['steps']) for p in params] == [('tiny', 'StableDiffusionDepth2ImgPipeline', 2)]*2

def test_generation_quirks_are_recorded(tmp_path, tiny):
    root = make_fixture('gta5', tmp_path/'g', n=1)
    prompts(root, tmp_path/'p.jsonl')
    r = gen(tmp_path/'p.jsonl', tmp_path/'pub', tiny)
    assert r.returncode == 0, r.stderr
    params = [json.loads(l)['params'] for l in (tmp_path/'pub/manifest.jsonl').read_text().splitlines()]
    assert [(p['restore'], p['ldm_noise_offset'], p['depth_input']) for p in params] == [('stretch_padding', True, 'published')]
    r = gen(tmp_path/'p.jsonl', tmp_path/'fixed', tiny, '--quirk', 'stretch_padding=off', '--quirk', 'ldm_noise_offset=off',
            '--quirk', 'depth_keep_aspect=off')
    assert r.returncode == 0, r.stderr
    params = [json.loads(l)['params'] for l in (tmp_path/'fixed/manifest.jsonl').read_text().splitlines()]
    assert [(p['restore'], p['ldm_noise_offset'], p['depth_input']) for p in params] == [('crop_padding', False, 'processor')]
    assert pngs(tmp_path/'fixed') != pngs(tmp_path/'pub')
    r = gen(tmp_path/'p.jsonl', tmp_path/'no', tiny, '--crop-padding', '--quirk', 'stretch_padding=on')
    assert r.returncode == 2 and r.stderr.strip() == 'didex generate: error: --quirk stretch_padding=on contradicts --crop-padding'
    r = gen(tmp_path/'p.jsonl', tmp_path/'no', tiny, '--quirk', 'watermark=on')
    assert r.returncode == 2 and 'a deliberate difference of didex, not a switch' in r.stderr
    assert not (tmp_path/'no').exists()

def test_generate_help():
    r = didex('generate', '--help', env=ONE_THREAD)  # the installed command, with its full --help
    for opt in ['MANIFEST', '--model', '--out', '--steps', '--guidance', '--strength', '--batch-size', '--dtype',
                '--compile', '--crop-padding', '--force', '--revision', '--depth-input', '--quirk', 'ldm_noise_offset (on)',
                'stretch_padding (on)', 'depth_keep_aspect (on)']:
        assert opt in ' '.join(r.stdout.split()), opt
    assert 'generator backend: tiny, toycity' in ' '.join(r.stdout.split())  # the registered backends, by name
    with pytest.raises(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out: main(['prompts', '--help'])
    assert all(o in ' '.join(out.getvalue().split()) for o in ['SOURCE=ROOT', '--recipe', '--seed', '--same-noise', '--terms', 'class16_per_recipe (on)'])

def test_two_processes_one_killed_then_rerun_match_an_uninterrupted_run(tmp_path):
    "Two processes over gloo; one is killed mid-run: the rerun shares out what is pending and ends like a run never stopped."
    root = make_fixture('gta5', tmp_path/'g', n=12)
    prompts(root, tmp_path/'p.jsonl')
    args = ['generate', tmp_path/'p.jsonl', '--model', 'tiny', '--steps', '6', '--quiet']
    r = subprocess.run(torchrun(*args, '--out', tmp_path/'whole'), capture_output=True, text=True, env=ONE_THREAD, timeout=300)
    assert r.returncode == 0 and 'done 12, failed 0, pending 0' in r.stdout, r.stdout + r.stderr[-2000:]
    p = subprocess.Popen(torchrun(*args, '--out', tmp_path/'cut', port_offset=1), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=ONE_THREAD)
    deadline = time.time() + 240
    while len(list((tmp_path/'cut/images').glob('[0-9]*.png'))) < 2 and time.time() < deadline and p.poll() is None: time.sleep(0.01)
    kill_tree(max(worker_pids(tmp_path/'cut')))  # one worker dies; torchrun stops the other
    p.communicate(timeout=120)
    left = 12 - len(list((tmp_path/'cut/images').glob('[0-9]*.png')))
    assert 0 < left < 12, left
    t = time.time()
    r = subprocess.run(torchrun(*args, '--out', tmp_path/'cut', port_offset=2), capture_output=True, text=True, env=ONE_THREAD, timeout=300)
    assert r.returncode == 0 and 'done 12, failed 0, pending 0' in r.stdout, r.stdout + r.stderr[-2000:]
    assert time.time() - t < 120  # no collective waited for its timeout
    gen = [l for l in r.stdout.splitlines() if l.startswith('rank ')]
    assert sorted(int(l.split('generated ')[1].split()[0]) for l in gen) == sorted([left//2, left - left//2])  # shared evenly
    assert pngs(tmp_path/'cut') == pngs(tmp_path/'whole')  # byte for byte
    assert not list((tmp_path/'cut/.status').glob('*'))
