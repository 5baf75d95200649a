"""Golden Markdown: a few representative pages of the fixture corpus (tests/fixtures/project/), compared
byte for byte. Editors' changes under content/ never change them.

Refresh after a deliberate change with `make update-golden`, then read the diff before committing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from generator.pipeline import load_site, render_files
from tests.conftest import ROOT, copy_project

GOLDEN = ROOT / "tests" / "golden"
PAGES = [
    "index.md",
    "documents/jiangxi-2020-h2-key-tasks/index.md",
    "documents/jiangxi-2020-h2-key-tasks/source.md",
    "documents/china-2020-h2-key-tasks/cascade.md",
    "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity.md",
    "tasks/china-2020-h2-key-tasks/improve-infectious-disease-early-warning.md",
    "themes/rural-doctors.md",
    "bodies/gacc.md",
    "jurisdictions/feixi.md",
    "indicators/index.md",
    "data/indicators.csv",
]


def rendered() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        files = render_files(project, load_site(project), with_history=False)
    return {page: files[page] for page in PAGES}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/ from the current output")
    args = parser.parse_args(argv)
    if not args.update:
        parser.print_help()
        return 2
    for page, content in rendered().items():
        path = GOLDEN / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
