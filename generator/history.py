"""When each task's record last changed, from git: stable for a given commit."""

from __future__ import annotations

import locale
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import yaml

from .model import Site


@dataclass(frozen=True)
class Change:
    commit: str
    date: str
    subject: str


def _safe_load(text: str):
    """yaml.safe_load, through libyaml's parser when PyYAML has it: the same data, about ten times
    faster (at 10,000 tasks this stage spent 6 s in PyYAML's Python scanner). A text libyaml refuses
    goes to yaml.safe_load as before, so its error (or its data) is PyYAML's own."""
    if _CSafeLoader is not None:
        try:
            return yaml.load(text, Loader=_CSafeLoader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


def _git(project, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _show_all(project, specs: list[str]) -> dict[str, str | None] | None:
    """`git show <commit>:<path>` for many specs in one `git cat-file --batch` (one process, not one each).

    Returns what _git(project, "show", spec) would for each (the text, or None when it does not
    exist), or None when the batch fails, so the caller asks one by one as before.
    """
    if not specs:
        return {}
    try:
        result = subprocess.run(["git", "cat-file", "--batch"], cwd=project.root, capture_output=True,
                                input="".join(f"{spec}\n" for spec in specs).encode("utf-8"), timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    out: dict[str, str | None] = {}
    data, pos = result.stdout, 0
    encoding = locale.getpreferredencoding(False)
    for spec in specs:
        end = data.find(b"\n", pos)
        if end < 0:
            return None
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            # As subprocess's text mode decodes `git show`: the locale's encoding, universal newlines.
            out[spec] = data[pos:pos + size].decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
            pos += size + 1
        elif len(header) == 3:  # a tree or commit: not a document version; ask git show itself
            return None
        else:  # "<spec> missing" or "ambiguous": git show fails, so _git gives None
            out[spec] = None
    return out


def task_histories(project, site: Site) -> dict[str, list[Change]]:
    """For each task key, the commits (newest first) in which its record changed."""
    out: dict[str, list[Change]] = {}
    rels = [f"content/documents/{doc.id}.yaml" for doc in site.documents]
    with ThreadPoolExecutor(max_workers=4) as pool:  # one `git log --follow` per file, a few at a time
        found = list(pool.map(lambda rel: _git(project, "log", "--follow", "--format=%h%x09%cs%x09%s", "--", rel),
                              rels))
    logs = []
    for doc, rel, log in zip(site.documents, rels, found):
        if log:
            logs.append((doc, rel, [line.split("\t", 2) for line in log.splitlines() if line.count("\t") >= 2]))
    shown = _show_all(project, [f"{commit}:{rel}" for _, rel, commits in logs for commit, _, _ in commits])
    for doc, rel, commits in logs:
        versions = []
        for commit, date, subject in commits:
            spec = f"{commit}:{rel}"
            text = shown[spec] if shown is not None else _git(project, "show", spec)
            try:
                data = _safe_load(text) if text else None
            except yaml.YAMLError:
                data = None
            tasks = {t.get("id"): t for t in (data or {}).get("tasks", []) if isinstance(t, dict)}
            versions.append((Change(commit, date, subject), tasks))
        for task in doc.tasks:
            changes = []
            for n, (change, tasks) in enumerate(versions):
                older = versions[n + 1][1] if n + 1 < len(versions) else {}
                mine = tasks.get(task.id)
                before = older.get(task.id) or next((older.get(f) for f in task.former_ids if f in older), None)
                if mine is not None and mine != before:
                    changes.append(change)
            out[task.key] = changes
    return out
