"""When each task's record last changed, from git: stable for a given commit."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import yaml

from .model import Site

# Old versions are compared as plain text trees: BaseLoader types nothing (no date can fail to parse),
# and libyaml's C parser, where PyYAML has it, is about ten times faster.
_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Change:
    commit: str
    date: str
    subject: str


def _git(project, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run(["git", *args], cwd=project.root, input=stdin, capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _log(project, rel: str) -> list[tuple[Change, str]]:
    """Commits that touched a document file, newest first, each with the file's path then (renames too)."""
    out = _git(project, "log", "--follow", "--name-only", "--format=%x00%h%x09%cs%x09%s", "--", rel)
    entries = []
    for block in (out or b"").decode("utf-8", "replace").split("\0")[1:]:
        header, _, names = block.partition("\n")
        commit, date, subject = (header.split("\t", 2) + ["", ""])[:3]
        path = next((n for n in names.splitlines() if n.strip()), rel)
        entries.append((Change(commit, date, subject), path))
    return entries


def _blobs(project, specs: list[str]) -> dict[str, str | None]:
    """The text of many `<commit>:<path>` at once, through one `git cat-file --batch`."""
    data = _git(project, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode()) if specs else b""
    out: dict[str, str | None] = dict.fromkeys(specs)
    pos = 0
    for spec in specs:
        end = data.find(b"\n", pos) if data else -1
        if end < 0:
            break
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            out[spec] = data[pos:pos + size].decode("utf-8", "replace")
            pos += size + 1
    return out


def _tasks(text: str | None) -> dict:
    try:
        data = yaml.load(text, Loader=_Loader) if text else None  # noqa: S506 (BaseLoader builds no objects)
    except yaml.YAMLError:
        return {}
    tasks = data.get("tasks") if isinstance(data, dict) else None
    return {t.get("id"): t for t in tasks if isinstance(t, dict)} if isinstance(tasks, list) else {}


def task_histories(project, site: Site) -> dict[str, list[Change]]:
    """For each task key, the commits (newest first) in which its record changed."""
    rels = [f"content/documents/{doc.id}.yaml" for doc in site.documents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        logs = list(pool.map(lambda rel: _log(project, rel), rels))
    texts = _blobs(project, [f"{c.commit}:{path}" for log in logs for c, path in log])
    out: dict[str, list[Change]] = {}
    for doc, log in zip(site.documents, logs):
        versions = [(change, _tasks(texts.get(f"{change.commit}:{path}"))) for change, path in log]
        for task in doc.tasks:
            changes = []
            for n, (change, tasks) in enumerate(versions):
                older = versions[n + 1][1] if n + 1 < len(versions) else {}
                before = older.get(task.id) or next((older[f] for f in task.former_ids if f in older), None)
                if task.id in tasks and tasks[task.id] != before:
                    changes.append(change)
            out[task.key] = changes
    return out
