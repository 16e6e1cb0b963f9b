"The project's own promises: CI runs what the README shows, and the README is made from the index notebook."
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_ci_runs_the_readme_commands():
    readme, ci = (ROOT/'README.md').read_text(), (ROOT/'.ci/run').read_text()
    blocks = re.findall(r'```sh\n(.*?)```', readme.split('## Datasets')[0], re.S)
    commands = [l.strip() for b in blocks for l in b.splitlines() if l.strip()]
    assert len(commands) == 2, commands  # the quick start: install + demo, install + tests
    for c in commands: assert c in ci, f'.ci/run does not run the README command: {c}'

def test_readme_is_made_from_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools/readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
