"""Make README.md from nbs/index.ipynb without Quarto: run the notebook, keep what the docs page shows.
The notebook runs in nbs/, as nbdev runs it; its relative links (X, beside it in nbs/) become nbs/X from the root.

`python tools/readme.py` writes README.md; `python tools/readme.py --check` exits 1 if README.md is out of date."""
import os, re, sys
from pathlib import Path

from fastcore.nbio import read_nb
from execnb.shell import CaptureShell

ROOT = Path(__file__).resolve().parents[1]

def directives(src):
    "The `#| key: value` directives at the top of a cell, as a dict."
    res = {}
    for line in src.splitlines():
        if not line.startswith('#|'): break
        k, _, v = line[2:].strip().partition(':')
        res[k.strip()] = v.strip() or True
    return res

def body(src): return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()

def output_md(out):
    "Markdown of one cell output."
    if out.get('output_type') == 'stream': return f"```\n{''.join(out['text']).rstrip()}\n```"
    data = out.get('data', {})
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip()
    if 'text/plain' in data: return f"```\n{''.join(data['text/plain']).rstrip()}\n```"
    return ''

def render(nb_path):
    nb, cwd = read_nb(nb_path), os.getcwd()
    os.chdir(Path(nb_path).parent)
    try: CaptureShell().run_all(nb, exc_stop=True)
    finally: os.chdir(cwd)
    parts = []
    for c in nb.cells:
        d = directives(c.source)
        if c.cell_type == 'markdown': parts.append(re.sub(r'\]\((?!https?:|/|#)', '](nbs/', c.source.strip())); continue
        if d.get('hide') or d.get('include') == 'false': continue
        if d.get('echo') != 'false' and body(c.source): parts.append(f"```python\n{body(c.source)}\n```")
        parts += [m for m in map(output_md, c.get('outputs', [])) if m]
    return '<!-- Made from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n' + \
        '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(ROOT/'nbs/index.ipynb'), ROOT/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date: run `python tools/readme.py` and commit it')
        print('README.md is up to date')
    else: readme.write_text(text)
