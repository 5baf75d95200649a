"""When each task's record last changed, from git: stable for a given commit."""

from __future__ import annotations

import hashlib
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


def _folder_log(project) -> dict[str, list[tuple[Change, str]]] | None:
    """What _log gives, from one `git log` of content/documents, for the files where the two must agree.

    That is, in a history without merges (a merge may simplify differently for a file than for the
    folder), each file added in the first commit and only modified since: where a file was added later,
    --follow looks for a file it was renamed or copied from, so those files are left to _log.
    One process instead of one per document: at 10,000 tasks those were most of the stage.
    None where the history has a merge (or there is no commit, or no git).
    """
    if _git(project, "rev-list", "--min-parents=2", "--max-count=1", "HEAD") != b"":
        return None
    out = _git(project, "-c", "log.follow=false", "log", "--no-renames", "--name-status", "--no-color",
               "--format=%x00%h%x09%cs%x09%p%x09%s", "--", "content/documents")
    touched: dict[str, list[tuple[Change, str]]] = {}  # path -> (commit, how it changed the file), newest first
    for block in (out or b"").decode("utf-8", "replace").split("\0")[1:]:
        header, _, names = block.partition("\n")
        commit, date, parents, subject = (header.split("\t", 3) + ["", "", ""])[:4]
        for line in names.splitlines():
            status, _, path = line.partition("\t")
            if path:
                touched.setdefault(path, []).append((Change(commit, date, subject), status if parents else "first"))
    return {path: [(change, path) for change, _ in log] for path, log in touched.items()
            if log[-1][1] == "first" and all(status == "M" for _, status in log[:-1])}


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
        try:  # where libyaml refuses what PyYAML reads, as the content loader does
            data = yaml.load(text, Loader=yaml.BaseLoader)
        except yaml.YAMLError:
            return {}
    tasks = data.get("tasks") if isinstance(data, dict) else None
    return {t.get("id"): t for t in tasks if isinstance(t, dict)} if isinstance(tasks, list) else {}


def task_histories(project, site: Site) -> dict[str, list[Change]]:
    """For each task key, the commits (newest first) in which its record changed."""
    rels = {doc.id: f"content/documents/{doc.id}.yaml" for doc in site.documents}
    linear = _folder_log(project)
    logs = dict(linear or {})
    follow = [rel for rel in rels.values() if rel not in logs]
    if follow:
        with ThreadPoolExecutor(max_workers=4) as pool:
            logs.update(zip(follow, pool.map(lambda rel: _log(project, rel), follow)))
    # One version, and the file as it is now (in a history without merges, the last commit's version is
    # that one): it holds every task, and nothing came before it. Parsing it would say the same; at
    # 10,000 tasks, fetching and parsing those versions was most of the stage.
    heads = _head_blobs(project) if linear is not None else {}
    as_committed = {rel for rel in rels.values() if [path for _, path in logs[rel]] == [rel]
                    and _is_blob(project, rel, heads.get(rel))}
    texts = _blobs(project, [f"{c.commit}:{path}" for rel in rels.values() if rel not in as_committed
                             for c, path in logs[rel]])
    out: dict[str, list[Change]] = {}
    for doc in site.documents:
        log = logs[rels[doc.id]]
        if rels[doc.id] in as_committed:
            for task in doc.tasks:
                out[task.key] = [log[0][0]]
            continue
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


def _head_blobs(project) -> dict[str, str]:
    """The blob of each document file in the last commit."""
    out = _git(project, "ls-tree", "-r", "HEAD", "--", "content/documents")
    blobs = {}
    for line in (out or b"").decode("utf-8", "replace").splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob":
            blobs[path] = fields[2]
    return blobs


def _is_blob(project, rel: str, blob: str | None) -> bool:
    """Whether the file's bytes now are that blob (its id by SHA-1, or SHA-256 in a repository that uses it)."""
    if not blob:
        return False
    try:
        data = (project.root / rel).read_bytes()
    except OSError:
        return False
    digest = hashlib.sha1 if len(blob) == 40 else hashlib.sha256
    return digest(b"blob %d\0" % len(data) + data).hexdigest() == blob
