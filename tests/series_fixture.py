"""A copy of the project with an earlier national document (tests/series/), as an editor would add it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

SERIES = Path(__file__).parent / "series"
EARLIER = "china-2018-h2-key-tasks"
LATER = "china-2020-h2-key-tasks"
# 2020 task -> the 2018 task it carries on
CONTINUES = {"reform-disease-prevention-system": "reform-disease-prevention-system",
             "dynamic-service-price-adjustment": "pay-and-service-prices"}


def add_series(root: Path) -> None:
    """Add the 2018 document to the project at root; the 2020 one follows it and continues two of its tasks."""
    shutil.copy(SERIES / f"{EARLIER}.yaml", root / "content" / "documents" / f"{EARLIER}.yaml")
    shutil.copy(SERIES / f"{EARLIER}.txt", root / "content" / "sources" / f"{EARLIER}.txt")
    path = root / "content" / "documents" / f"{LATER}.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nkind: key-tasks\n", f"\nkind: key-tasks\nfollows: {EARLIER}\n", 1)
    for later, earlier in CONTINUES.items():
        block = re.search(rf"\n  - id: {later}\n(?:    .*\n)*?    themes: .*\n", text)
        assert block, later
        text = text[:block.end()] + f"    continues: [{EARLIER}/{earlier}]\n" + text[block.end():]
    path.write_text(text, encoding="utf-8")
