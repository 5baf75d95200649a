"""Pre-commit: refuse files over 500 KB, trailing white space and a missing final newline.

Usage: python .ci/tidy.py FILE...; prints path:line: what is wrong, and exits 1 if anything is.
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_BYTES = 500_000


def problems(path: Path) -> list[str]:
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        return [f"{path}:1: {len(data):,} bytes is over {MAX_BYTES:,}: keep large files out of git"]
    if not data:
        return []
    found = [f"{path}:{n}: trailing white space" for n, line in enumerate(data.split(b"\n"), 1)
             if line.rstrip(b"\r") != line.rstrip(b"\r").rstrip()]
    if not data.endswith(b"\n"):
        last = data.count(b"\n") + 1
        found.append(f"{path}:{last}: no newline at the end of the file")
    return found


def main(paths: list[str]) -> int:
    found = [p for name in paths if Path(name).is_file() for p in problems(Path(name))]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
