"""Parsed content files kept between builds (build/parsed/): a file whose text is unchanged is not parsed again.

Parsing is most of loading (about 7 ms a document file); reading a file and taking its digest is a small part
of that. Each entry is named by a digest of the reader's code, the schemas, the file's kind, its path and its
text, and holds the parsed data as JSON (never code). Only files read without a problem are kept, and only
data that JSON gives back unchanged. When git tracks anything under build/ (a pull request could bring entries
that do not match their files), the entries are not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

VERSION = 1


class Parsed:
    """The entries of one load: get() and put() by key(); prune() removes the ones this load did not use."""

    def __init__(self, folder: Path | None, registry: dict[str, dict]):
        self.folder = folder
        self.used: set[str] = set()
        self.new: dict[str, Any] = {}
        self.complete = True  # every file of the content was looked up (save() then removes the others)
        h = hashlib.sha256(f"{VERSION}".encode())
        for path in sorted(Path(__file__).parent.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        h.update(json.dumps(registry, sort_keys=True).encode())
        self.salt = h.digest()

    def key(self, kind: str, display: str, text: str) -> str:
        h = hashlib.sha256(self.salt)
        for part in (kind, display, text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little") + data)
        self.used.add(h.hexdigest())
        return h.hexdigest()

    def get(self, key: str) -> Any | None:
        if self.folder is None:
            return None
        try:
            return json.loads((self.folder / f"{key}.json").read_bytes())
        except (OSError, ValueError):
            return None

    def put(self, key: str, data: Any) -> None:
        """Keep this entry when save() is called (after the checks pass: a failed build writes nothing)."""
        self.new[key] = data

    def save(self) -> None:
        """Write the new entries, and remove the ones this load did not use."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, data in self.new.items():
                text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                if json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) != text:
                    continue  # a value JSON would not give back as it is
                tmp = self.folder / f".{key}.{os.getpid()}.tmp"
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, self.folder / f"{key}.json")
            if self.complete:
                for path in self.folder.iterdir():
                    if path.name[:-len(".json")] not in self.used:
                        path.unlink()
        self.new = {}


def folder_for(root: Path) -> Path | None:
    """build/parsed, unless git tracks something under build/."""
    try:
        tracked = subprocess.run(["git", "ls-files", "-z", "--", "build"], cwd=root, capture_output=True,
                                 timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        tracked = b""
    return None if tracked else root / "build" / "parsed"
