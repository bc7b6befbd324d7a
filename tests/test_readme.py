"""The README's Python examples run as written, on the bundled synthetic sample."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_readme_shows_the_two_commands_first():
    first = README.split("\n## ", 1)[0]
    assert "make demo" in first and "make test" in first


def test_the_readme_has_a_python_example():
    assert BLOCKS


def test_the_python_examples_run_in_order(capsys):
    namespace: dict = {}
    for block in BLOCKS:  # as a reader would paste them, one after the other
        exec(compile(block, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert re.search(r"rejected +[1-9]", out)  # the messy sample's load report
    assert "SRS total" in out  # a progress-note line


def test_the_documents_the_readme_links_exist():
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
