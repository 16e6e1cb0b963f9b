"`didex train --method sepico_*`: a killed run resumes to the same weights and class statistics (or, with the published quirk, restarts them); the SePiCo wrapper in checkpoints and exports; bad options."
import contextlib, io, json

import pytest
import torch
from safetensors.torch import load_file

from didex.cli import main
from didex.sepico import ClassStatistics
from conftest import cli, didex, kill_at_checkpoint

SP = ['--model', 'daformer_b0', '--crop', '64', '--no-pretrained', '--source-scale', '128', '72', '--rcs-min-pixels', '10',
      '--workers', '0', '--quiet', '--set', 'SePiCoTraining.start=1']


def stats(run): return torch.load(run/'checkpoint.pt', weights_only=True)['callbacks']['SePiCoTraining']

@pytest.mark.parametrize('variant', ['dist', 'bank', 'proto'])
def test_killed_sepico_run_resumes_with_its_statistics(tmp_path, uda_data, variant):
    args = ['--source', uda_data['source'], '--target', uda_data['generated'], '--method', f'sepico_{variant}', *SP, '--iterations', '4',
            '--checkpoint-every', '2']
    runs = {}
    for quirk in ('off', 'on') if variant == 'bank' else ('off',):
        q = ['--quirk', f'sepico_stats_reset={quirk}']
        killed, whole = tmp_path/f'killed-{quirk}', tmp_path/'whole'
        done = kill_at_checkpoint(['train', *args, *q, '--out', killed], killed/'checkpoint.pt')
        assert done == 2, 'the run should have been killed midway'
        r = didex('train', *args, *q, '--out', killed, '--resume')
        assert r.returncode == 0, r.stderr
        if quirk == 'off':
            r = didex('train', *args, *q, '--out', whole)
            assert r.returncode == 0, r.stderr
        runs[quirk] = killed, whole, done
    killed, whole, _ = runs['off']
    a, b = load_file(killed/'final.safetensors'), load_file(whole/'final.safetensors')
    assert a.keys() == b.keys() and any(k.startswith('student.proj_head.') for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a), 'a resumed SePiCo run ends with the weights of an uninterrupted one'
    sa, sb = stats(killed), stats(whole)
    assert sa.keys() == {'mean', 'var', 'count', 'bank', 'bank_len', 'bank_next'} and sb['count'].sum() > 0
    assert all(torch.equal(sa[k], sb[k]) for k in sa), 'and with the same class statistics'
    if variant == 'bank':  # published: the statistics restart at the resumption (the counts follow the source labels alone)
        assert 0 < stats(runs['on'][0])['count'].sum() < sb['count'].sum() and sb['bank_len'].max() > 1
        return
    r = cli('evaluate', '--checkpoint', whole/'final.safetensors', '--data', uda_data['cityscapes'], '--examples', '0', '--out', tmp_path/'eval')
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path/'eval/results.json').read_text())['scale'] == [1280, 640]  # the recipe's test scale, as recorded

def test_sepico_on_cityscapes_deeplabv2_mic_and_bad_options(tmp_path, uda_data):
    dl = [a if a != 'daformer_b0' else 'deeplabv2_r18' for a in SP]
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['cityscapes'], '--method', 'mic_sepico', *dl,
            '--iterations', '2', '--figure-every', '1', '--out', tmp_path/'cs')
    assert r.returncode == 0, r.stderr
    w = load_file(tmp_path/'cs/final.safetensors')
    assert w['student.proj_head.convs.0.conv.weight'].shape == (512, 512, 1, 1)  # ResNet-18's last stage, 512 wide
    assert len(list((tmp_path/'cs/debug').glob('*.png'))) == 2
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['generated'], '--method', 'sepico_dist', *SP,
            '--iterations', '1', '--set', 'SePiCoTraining.variant=gauss', '--out', tmp_path/'bad')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and "SePiCoTraining.variant 'gauss'" in r.stderr, r.stderr
    assert not (tmp_path/'bad').exists()
    r = cli('train', '--source', uda_data['source'], '--target', uda_data['generated'], '--method', 'sepico_dist', *SP,
            '--iterations', '1', '--set', 'SePiCoTraining.stats_reset=True', '--out', tmp_path/'bad')
    assert r.returncode == 2 and '--quirk sepico_stats_reset=on|off' in r.stderr, r.stderr
    with pytest.raises(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out: main(['train', '--help'])
    shown = ' '.join(out.getvalue().split())
    assert 'sepico_dist' in shown and 'sepico_stats_reset (off)' in shown and 'SePiCoTraining.start=3000' in shown

def _update(rank, world, path, f, y):
    torch.distributed.init_process_group('gloo', init_method=f'file://{path}', rank=rank, world_size=world)
    st = ClassStatistics(4, 8, bank=3, dtype=torch.float64)
    half = f.shape[1]//world
    for i in range(3): st.update(f[i][rank*half:(rank + 1)*half], y[i][rank*half:(rank + 1)*half])
    torch.save(st.state_dict(), f'{path}.{rank}')
    torch.distributed.destroy_process_group()

def test_statistics_are_all_reduced_under_ddp(tmp_path):
    "Two processes, each with half of every batch, hold the statistics of one process updated with the whole batches."
    g = torch.Generator().manual_seed(0)
    f = torch.rand(3, 40, 8, generator=g, dtype=torch.float64)
    y = torch.randint(0, 5, (3, 40), generator=g); y[y == 4] = 255
    torch.multiprocessing.start_processes(_update, args=(2, tmp_path/'pg', f, y), nprocs=2, start_method='fork')
    one = ClassStatistics(4, 8, bank=3, dtype=torch.float64)
    for i in range(3): one.update(f[i], y[i])
    for rank in (0, 1):
        st = torch.load(f"{tmp_path/'pg'}.{rank}", weights_only=True)
        for k, v in one.state_dict().items(): assert torch.allclose(st[k], v, atol=1e-12), k
