"""When each task's record last changed, from git: stable for a given commit."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import yaml

from .model import Site


@dataclass(frozen=True)
class Change:
    commit: str
    date: str
    subject: str


def _git(project, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def task_histories(project, site: Site) -> dict[str, list[Change]]:
    """For each task key, the commits (newest first) in which its record changed."""
    out: dict[str, list[Change]] = {}
    for doc in site.documents:
        rel = f"content/documents/{doc.id}.yaml"
        log = _git(project, "log", "--follow", "--format=%h%x09%cs%x09%s", "--", rel)
        if not log:
            continue
        commits = [line.split("\t", 2) for line in log.splitlines() if line.count("\t") >= 2]
        versions = []
        for commit, date, subject in commits:
            text = _git(project, "show", f"{commit}:{rel}")
            try:
                data = yaml.safe_load(text) if text else None
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
