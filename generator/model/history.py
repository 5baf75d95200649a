"""When each task's record last changed, from git: stable for a given commit."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, replace

from generator.content.errors import ContentError
from generator.content.reader import read_data
from generator.model.site import Site


@dataclass(frozen=True)
class Change:
    commit: str
    date: str
    subject: str
    what: str = ""  # what the commit changed in one task's record, in readers' words


# The record's fields as readers know them, in the order a change lists them.
FIELD_WORDS = {"title": "title", "quote": "quoted passage", "section": "section", "themes": "themes",
               "bodies": "responsible bodies", "bodies_quote": "responsible bodies", "indicators": "targets",
               "implements": "links to higher-level tasks"}


def describe(before: dict | None, now: dict) -> str:
    """'Task added', 'Renamed from x; title changed', 'Themes and targets changed'."""
    if before is None:
        return "Task added"
    parts = []
    if before.get("id") != now.get("id"):
        parts.append(f"Address changed (was {before.get('id')}; the old address still works)")
    fields = list(dict.fromkeys(FIELD_WORDS[k] for k in FIELD_WORDS if before.get(k) != now.get(k)))
    if fields:
        listed = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
        parts.append(f"{listed[0].upper()}{listed[1:]} changed" if not parts else f"{listed} changed")
    return "; ".join(parts) or "Record edited (notes or layout)"


def _git(project, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run(["git", *args], cwd=project.root, input=stdin, capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _folder_log(project) -> dict[str, list[tuple[int, Change, str, str]]] | None:
    """Every commit that touched content/documents, from one `git log` with rename detection: by the path
    it left each file at, (the commit's place, newest first; the commit; how it changed the file; the file's
    path before, which differs for a rename). None where there is no commit, or no git.

    Renames, not copies, as git's rename detection finds them: a document started from a copy of another
    does not take on that one's history (`git log --follow` would give it).
    """
    out = _git(project, "-c", "log.follow=false", "log", "-M", "--name-status", "--no-color",
               "--format=%x00%h%x09%cs%x09%s", "--", "content/documents")
    if out is None:
        return None
    touched: dict[str, list[tuple[int, Change, str, str]]] = {}
    for n, block in enumerate(out.decode("utf-8", "replace").split("\0")[1:]):
        header, _, names = block.partition("\n")
        commit, date, subject = (header.split("\t", 2) + ["", ""])[:3]
        change = Change(commit, date, subject)
        for line in names.splitlines():
            status, *paths = line.split("\t")
            if paths:
                touched.setdefault(paths[-1], []).append((n, change, status[:1], paths[0]))
            if status[:1] == "R":  # for the old name, the commit removed it (as `git log -- <old name>` says)
                touched.setdefault(paths[0], []).append((n, change, "D", paths[0]))
    return touched


def _follow(touched: dict[str, list[tuple[int, Change, str, str]]], rel: str) -> list[tuple[Change, str]]:
    """The commits that changed one file, newest first, each with its path then, back through renames."""
    log, name, before = [], rel, None
    while True:
        for n, change, status, old in touched.get(name, ()):
            if before is not None and n <= before:
                continue
            log.append((change, name))
            if status == "R":  # older commits know the file by its old name
                name, before = old, n
                break
        else:
            return log


def _objects(project, specs: list[str]) -> dict[str, tuple[str, bytes, str]]:
    """Many objects (`<commit>:<path>` or ids) at once, through one `git cat-file --batch`: each one's type,
    bytes and id; a missing one is left out."""
    data = _git(project, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode()) if specs else b""
    out: dict[str, tuple[str, bytes, str]] = {}
    pos = 0
    for spec in specs:
        end = data.find(b"\n", pos) if data else -1
        if end < 0:
            break
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[2].isdigit():  # else "<spec> missing"
            size = int(header[2])
            out[spec] = (header[1].decode(), data[pos:pos + size], header[0].decode())
            pos += size + 1
    return out


def _blobs(project, specs: list[str]) -> dict[str, str | None]:
    """The text of many `<commit>:<path>` at once."""
    found = _objects(project, specs)
    out: dict[str, str | None] = dict.fromkeys(specs)
    for spec, (kind, data, _) in found.items():
        if kind == "blob":
            out[spec] = data.decode("utf-8", "replace")
    return out


def _tasks(text: str | None) -> dict:
    """The tasks of an old version of a record by id, compared as plain text trees (no date can fail to
    parse); none from a version that cannot be read."""
    try:
        data = read_data(text, "an old version", scalars="text") if text else None
    except ContentError:
        return {}
    tasks = data.get("tasks") if isinstance(data, dict) else None
    return {t.get("id"): t for t in tasks if isinstance(t, dict)} if isinstance(tasks, list) else {}


def task_histories(project, site: Site) -> dict[str, list[Change]]:
    """For each task key, the commits (newest first) in which its record changed."""
    rels = {doc.id: f"content/documents/{doc.id}.yaml" for doc in site.documents}
    touched = _folder_log(project) or {}
    logs = {rel: _follow(touched, rel) for rel in rels.values()}
    # A file one commit made, and as that commit left it: that version holds every task, and nothing came
    # before it. Parsing it would say the same; at 10,000 tasks, fetching and parsing those versions was most
    # of the stage.
    once = {rel: f"{log[0][0].commit}:{rel}" for rel, log in logs.items() if len(log) == 1}
    blob_ids = _blob_ids(project, list(once.values()))
    as_committed = {rel for rel, spec in once.items() if _is_blob(project, rel, blob_ids.get(spec))}
    texts = _blobs(project, [f"{c.commit}:{path}" for rel in rels.values() if rel not in as_committed
                             for c, path in logs[rel]])
    out: dict[str, list[Change]] = {}
    for doc in site.documents:
        log = logs[rels[doc.id]]
        if rels[doc.id] in as_committed:
            for task in doc.tasks:
                out[task.key] = [replace(log[0][0], what="Task added")]
            continue
        versions = [(change, _tasks(texts.get(f"{change.commit}:{path}"))) for change, path in log]
        for task in doc.tasks:
            ids = (task.id, *task.former_ids)  # through a rename, the record under its old id is the same task's
            changes = []
            for n, (change, tasks) in enumerate(versions):
                older = versions[n + 1][1] if n + 1 < len(versions) else {}
                now = next((tasks[i] for i in ids if i in tasks), None)
                before = next((older[i] for i in ids if i in older), None)
                if now is not None and now != before:
                    changes.append(replace(change, what=describe(before, now)))
            out[task.key] = changes
    return out


def _blob_ids(project, specs: list[str]) -> dict[str, str]:
    """The blob id of many `<commit>:<folder>/<file>` at once: each commit's folder is read once and its entries
    looked up here. Git resolves every `<commit>:<path>` from the commit's root, reading the folder again: at
    3,758 documents added by one commit, 2.3 s of the history stage, growing as the square of their number."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        commit, _, path = spec.partition(":")
        folder, _, name = path.rpartition("/")
        wanted.setdefault(f"{commit}:{folder}", []).append((spec, name))
    out = {}
    for folder, (kind, data, oid) in _objects(project, list(wanted)).items():
        if kind != "tree":
            continue
        entries = _tree_entries(data, len(oid) // 2)  # the id's length: SHA-1 or SHA-256
        for spec, name in wanted[folder]:
            entry = entries.get(name)
            if entry is not None and entry[0].startswith(b"100"):  # a file, not a folder or a link
                out[spec] = entry[1]
    return out


def _tree_entries(data: bytes, id_bytes: int) -> dict[str, tuple[bytes, str]]:
    """A git tree object's entries by name: (mode, object id). Each is `<mode> <name>\\0<id>`."""
    entries, pos = {}, 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        entries[data[space + 1:nul].decode("utf-8", "surrogateescape")] = (
            data[pos:space], data[nul + 1:nul + 1 + id_bytes].hex())
        pos = nul + 1 + id_bytes
    return entries


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
