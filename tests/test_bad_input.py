"Every command, each kind of bad input: exit 2, one line naming the option or file, no traceback, nothing written."
import pytest

from conftest import cli

TRAIN = ['train', '--source', 'gta5={gta}', '--target', 'generated={gen}', '--model', 'daformer_b0', '--no-pretrained',
         '--crop', '32', '--source-scale', '128', '72', '--rcs-min-pixels', '10', '--workers', '0', '--quiet']
EVAL = ['evaluate', '--checkpoint', '{ckpt}', '--data', 'cityscapes={cs}', '--workers', '0']
PREDICT = ['predict', '{city}', '--checkpoint', '{ckpt}']
GENERATE = ['generate', '{manifest}', '--model', 'toycity', '--quiet']
CASES = [
    (TRAIN + ['--device', 'cuda:99'], '--device cuda:99: this machine has'),
    (EVAL + ['--device', 'cuda:99'], '--device cuda:99: this machine has'),
    (PREDICT + ['--device', 'cuda:99'], '--device cuda:99: this machine has'),
    (GENERATE + ['--device', 'cuda:99'], '--device cuda:99: this machine has'),
    (TRAIN + ['--device', 'gpu'], "--device 'gpu': not a torch device"),
    (TRAIN + ['--iterations', '0'], '--iterations 0: must be > 0'),
    (TRAIN + ['--batch-size', '-2'], '--batch-size -2: must be > 0'),
    (TRAIN + ['--crop', '0'], '--crop 0: must be > 0'),
    (TRAIN + ['--valid', 'cityscapes={gta}'], 'is not a Cityscapes root'),
    (TRAIN + ['--quirk', 'train_bn=maybe'], "--quirk 'train_bn=maybe': expected NAME=on or NAME=off"),
    (TRAIN + ['--quirk', 'trian_bn=off'], "--quirk trian_bn: didex train has no quirk 'trian_bn'; its quirks: train_bn"),
    (TRAIN + ['--set', 'DACS.batch_wide=False'], 'DACS.batch_wide is the quirk batch_wide: set it with --quirk batch_wide=on|off'),
    (TRAIN + ['--valid', 'cityscapes={gta}/nowhere'], '/nowhere'),
    (GENERATE + ['--steps', '0'], '--steps 0: at least 1'),
    (GENERATE + ['--strength', '0'], '--strength 0.0: must lie in (0, 1]'),
    (GENERATE + ['--quirk', 'watermark=on'], 'a deliberate difference of didex, not a switch'),
    (EVAL + ['--data', 'a:cityscapes={cs}', 'a:cityscapes={cs}'], "the name 'a' is given twice"),
    (['prompts', 'gta5={gta}', '--quirk', 'ldm_noise_offset=off'], "didex prompts has no quirk 'ldm_noise_offset'"),
]

@pytest.mark.parametrize('args, message', CASES, ids=[f"{a[0]}-{m.split(':')[0]}" for a, m in CASES])
def test_one_line_and_nothing_written(world, tmp_path, args, message):
    out = tmp_path/'out'
    r = cli(*[a.format(**world) for a in args], '--out', out)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr
    assert not out.exists()
