"""What a pull request adds to the content, and what it removes or changes, as Markdown for a comment.

Usage: python .ci/pr_summary.py [BASE] [--root DIR]   (BASE: a git ref, default main, compared with the
working tree of the project at DIR, default this checkout)

Documents, tasks, indicators, bodies, aliases, jurisdictions and themes added; tasks and indicators
removed or changed are listed apart, so a reviewer sees at once what the change takes away.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the generator's one YAML reader is in this checkout

from generator.content.errors import ContentError  # noqa: E402
from generator.content.reader import read_data  # noqa: E402


@dataclass
class Content:
    """The records of one version of content/, by key."""

    documents: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)  # <doc>/<task>
    indicators: dict[str, str] = field(default_factory=dict)  # <doc>/<task>#<id> -> what it says
    bodies: dict[str, dict] = field(default_factory=dict)
    aliases: set[tuple[str, str]] = field(default_factory=set)  # (body, alias)
    jurisdictions: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    former: dict[str, str] = field(default_factory=dict)  # <doc>/<former id> -> <doc>/<task>
    unreadable: list[str] = field(default_factory=list)


def _indicator(ind: dict) -> str:
    top = f"-{ind['value_max']:g}" if isinstance(ind.get("value_max"), (int, float)) else ""
    value = f"{ind['value']:g}" if isinstance(ind.get("value"), (int, float)) else str(ind.get("value"))
    return f"{ind.get('comparator')} {value}{top} {ind.get('unit')} by {ind.get('deadline')}"


def read(files: dict[str, str]) -> Content:
    """Content from {path under the root: text}; a file that does not parse is listed, not fatal."""
    content = Content()
    for path, text in sorted(files.items()):
        try:
            data = read_data(text, path) or {}
        except ContentError:
            content.unreadable.append(path)
            continue
        if not isinstance(data, dict):
            content.unreadable.append(path)
        elif path.startswith("content/documents/"):
            _document(content, data)
        else:
            for item in data.get("bodies", []):
                content.bodies[item["id"]] = item
                content.aliases |= {(item["id"], a) for a in item.get("aliases", [])}
            content.jurisdictions |= {j["id"] for j in data.get("jurisdictions", [])}
            content.themes |= {t["id"] for t in data.get("themes", [])}
    return content


def _document(content: Content, doc: dict) -> None:
    content.documents[doc["id"]] = doc
    for task in doc.get("tasks", []):
        key = f"{doc['id']}/{task['id']}"
        content.tasks[key] = task
        content.former.update((f"{doc['id']}/{old}", key) for old in task.get("former_ids", []))
        for ind in task.get("indicators", []):
            content.indicators[f"{key}#{ind['id']}"] = _indicator(ind)


def working_tree(root: Path) -> dict[str, str]:
    paths = sorted((root / "content").glob("*.yaml")) + sorted((root / "content" / "documents").glob("*.yaml"))
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def at_ref(root: Path, ref: str) -> dict[str, str]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout
    names = git("ls-tree", "-r", "--name-only", ref, "--", "content").splitlines()
    wanted = [n for n in names if n.endswith(".yaml") and (n.count("/") == 1 or n.startswith("content/documents/"))]
    return {n: git("show", f"{ref}:{n}") for n in wanted}


def summary(base: Content, head: Content, base_name: str) -> str:
    added_docs = sorted(set(head.documents) - set(base.documents))
    added_tasks = sorted(set(head.tasks) - set(base.tasks))
    added_inds = sorted(set(head.indicators) - set(base.indicators))
    added_bodies = sorted(set(head.bodies) - set(base.bodies))
    added_aliases = sorted(a for a in head.aliases - base.aliases if a[0] not in added_bodies)
    removed_docs = sorted(set(base.documents) - set(head.documents))
    removed_tasks = sorted(set(base.tasks) - set(head.tasks))
    removed_inds = sorted(k for k in set(base.indicators) - set(head.indicators))
    changed_inds = sorted(k for k in set(base.indicators) & set(head.indicators)
                          if base.indicators[k] != head.indicators[k])
    lines = [f"## Content changes compared with `{base_name}`", "",
             "| | added | removed |", "| --- | ---: | ---: |",
             f"| documents | {len(added_docs)} | {len(removed_docs)} |",
             f"| tasks | {len(added_tasks)} | {len(removed_tasks)} |",
             f"| indicators | {len(added_inds)} | {len(removed_inds)} |",
             f"| bodies | {len(added_bodies)} | {len(set(base.bodies) - set(head.bodies))} |",
             f"| aliases | {len(added_aliases)} | {len(base.aliases - head.aliases)} |", ""]
    if added_docs or added_bodies or added_aliases or head.jurisdictions - base.jurisdictions \
            or head.themes - base.themes:
        lines += ["### Added", ""]
        for doc_id in added_docs:
            doc = head.documents[doc_id]
            tasks = [k for k in added_tasks if k.startswith(f"{doc_id}/")]
            inds = [k for k in added_inds if k.startswith(f"{doc_id}/")]
            lines.append(f"- document `{doc_id}`: {doc.get('title', '')} ({len(tasks)} tasks, {len(inds)} indicators)")
        lines += [f"- body `{b}`: {head.bodies[b].get('name', '')}" for b in added_bodies]
        lines += [f"- alias of `{b}`: {a}" for b, a in added_aliases]
        lines += [f"- jurisdiction `{j}`" for j in sorted(head.jurisdictions - base.jurisdictions)]
        lines += [f"- theme `{t}`" for t in sorted(head.themes - base.themes)]
        lines += [f"- task `{k}` in a document already there" for k in added_tasks
                  if k.split("/")[0] not in added_docs]
        lines.append("")
    gone = removed_docs or removed_tasks or removed_inds or changed_inds
    if gone:
        lines += ["### Removed or changed: check each was meant", ""]
        lines += [f"- document `{d}` removed" for d in removed_docs]
        for key in removed_tasks:
            renamed = head.former.get(key)
            lines.append(f"- task `{key}` renamed to `{renamed}` (its address redirects)" if renamed else
                         f"- task `{key}` removed: its address stops working")
        lines += [f"- indicator `{k}` removed (was {base.indicators[k]})" for k in removed_inds
                  if k.split("#")[0] not in head.former]
        lines += [f"- indicator `{k}` changed: {base.indicators[k]} → {head.indicators[k]}" for k in changed_inds]
        lines.append("")
    if not (gone or added_tasks or added_bodies or added_aliases):
        lines += ["No document, task, indicator, body or alias added or removed.", ""]
    lines += [f"- `{p}` could not be read as YAML" for p in head.unreadable]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", nargs="?", default="main", help="the git ref to compare with (default main)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project (default this checkout)")
    args = parser.parse_args(argv)
    try:
        before = read(at_ref(args.root, args.base))
    except subprocess.CalledProcessError as exc:
        print(f"error: cannot read content/ at {args.base}: {exc.stderr.strip()}", file=sys.stderr)
        return 1
    sys.stdout.write(summary(before, read(working_tree(args.root)), args.base))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
