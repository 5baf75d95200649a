"""`new`: a commented document record and a source file for an editor to fill in."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path


from generator.content.errors import did_you_mean
from generator.content.project import Project
from generator.content.reader import load_yaml
from generator.content.vocabulary import LEVEL_RANK, PLACEHOLDERS, real_date

DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
ID_LENGTH = 50  # a default id is cut at a word before this many characters
_LITTLE_WORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"}
_HALF = re.compile(r"\b(first|second) half of (?:the year )?((?:19|20)[0-9]{2})\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)[0-9]{2})\b")


class ScaffoldError(Exception):
    """The editor's request cannot be scaffolded; the message says why and what to do."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def default_id(jurisdiction: str, title: str, date: str, jurisdiction_name: str = "") -> str:
    """Jurisdiction, then the period or year when known, then the title's words that say most, cut at a word.

    ("china", "Key tasks ... in the second half of 2020", "unknown") gives china-2020-h2-key-tasks-...; the
    period and the jurisdiction's own name are not repeated in the title part.
    """
    half = _HALF.search(title)
    year = date[:4] if date != "unknown" else (half.group(2) if half else (_YEAR.findall(title) or [""])[0])
    period = f"{year}-h{1 if half.group(1).lower() == 'first' else 2}" if half and half.group(2) == year else year
    rest = _HALF.sub(" ", title)
    rest = re.sub(rf"\b{re.escape(year)}\b", " ", rest) if year else rest
    named = set(slugify(f"{jurisdiction} {jurisdiction_name}").split("-")) | {"province", "city", "county"}
    words = [w for w in slugify(rest).split("-") if w and w not in _LITTLE_WORDS and w not in named]
    ident = slugify(f"{jurisdiction} {period}")
    for word in words:
        if len(ident) + 1 + len(word) > ID_LENGTH:
            break
        ident += "-" + word
    return ident


def known_jurisdictions(project: Project) -> dict[str, dict]:
    data = load_yaml(project.content / "jurisdictions.yaml", "content/jurisdictions.yaml", inside=project.content).data
    items = data.get("jurisdictions") if isinstance(data, dict) else None
    return {j["id"]: j for j in items if isinstance(j, dict) and "id" in j} if isinstance(items, list) else {}


def scaffold(project: Project, jurisdiction: str, title: str, date: str, doc_id: str | None = None,
             source: Path | None = None, jurisdiction_name: str | None = None, level: str | None = None,
             parent: str | None = None, say=lambda message: None) -> list[Path]:
    """Write content/documents/<id>.yaml and content/sources/<id>.txt; return the paths written.

    An earlier scaffold for the same title and jurisdiction under another id is removed if it is as it was
    written, and named otherwise; `say` is told either way.
    """
    if date != "unknown" and not (DATE.match(date) and real_date(date)):
        raise ScaffoldError(f"--date {date!r} is not a date: write 2020, 2020-07, 2020-07-21 or unknown")
    jurisdictions = known_jurisdictions(project)
    written: list[Path] = []
    new_jurisdiction = None
    if jurisdiction not in jurisdictions:
        if not (jurisdiction_name and level):
            close = did_you_mean(jurisdiction, {j["name"]: i for i, j in jurisdictions.items()} | {i: i for i in jurisdictions})
            raise ScaffoldError(
                f"unknown jurisdiction '{jurisdiction}'. {close + ' ' if close else ''}"
                "To add a new one, also give --jurisdiction-name, --level (province, prefecture, city, county) "
                "and --parent (e.g. china)")
        if level not in LEVEL_RANK:
            raise ScaffoldError(f"--level must be one of {', '.join(LEVEL_RANK)}")
        if parent and parent not in jurisdictions:
            raise ScaffoldError(f"unknown --parent '{parent}'. {did_you_mean(parent, list(jurisdictions))}".strip())
        if slugify(jurisdiction) != jurisdiction:
            raise ScaffoldError(f"'{jurisdiction}' is not a valid id: try '{slugify(jurisdiction)}'")
        new_jurisdiction = (jurisdiction, jurisdiction_name, level, parent)
    doc_id = doc_id or default_id(jurisdiction, title, date, jurisdictions.get(jurisdiction, {}).get("name", ""))
    if slugify(doc_id) != doc_id or not doc_id:
        raise ScaffoldError(f"--id '{doc_id}' is not a valid id: try '{slugify(doc_id)}'")
    doc_path = project.content / "documents" / f"{doc_id}.yaml"
    source_path = project.content / "sources" / f"{doc_id}.txt"
    for path in (doc_path, source_path):
        if path.exists():
            raise ScaffoldError(f"{project.display(path)} exists already: choose another --id (ids are never reused)")
    if source is not None and not source.is_file():
        raise ScaffoldError(f"--source {source} is not a file")
    _earlier_scaffolds(project, doc_id, title, jurisdiction, source, say)
    alike = sorted(p.stem for p in (project.content / "documents").glob("*.yaml")
                   if doc_id.startswith(p.stem + "-") or p.stem.startswith(doc_id + "-"))
    if alike:  # a reader could take one for the other in an address
        say(f"note: the id '{doc_id}' reads like that of {', '.join(alike)}; if this is another document, "
            "run `make new` again with ID=<a clearer id> (these two files go while untouched)")
    if new_jurisdiction:
        jid, name, lvl, par = new_jurisdiction
        entry = f"  - id: {jid}\n    name: {_quoted(name)}\n    level: {lvl}\n" + (f"    parent: {par}\n" if par else "")
        path = project.content / "jurisdictions.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + entry, encoding="utf-8")
        written.append(path)
    source_path.parent.mkdir(parents=True, exist_ok=True)
    source_path.write_bytes(source.read_bytes() if source else b"")
    written.append(source_path)
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(_render(doc_id, title, jurisdiction, date), encoding="utf-8")
    written.append(doc_path)
    return written


def _render(doc_id: str, title: str, jurisdiction: str, date: str) -> str:
    return TEMPLATE.format(id=doc_id, title=_quoted(title), jurisdiction=jurisdiction, issued=_quoted(date),
                           source=f"{doc_id}.txt", **{k.replace(".", "_"): v for k, v in PLACEHOLDERS.items()})


def _earlier_scaffolds(project: Project, doc_id: str, title: str, jurisdiction: str, source: Path | None, say) -> None:
    """Remove the pair of files an earlier `new` wrote for this title under another id, if still untouched."""
    first = f"title: {_quoted(title)}\n"
    for path in sorted((project.content / "documents").glob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.stem == doc_id or first not in text or f"\njurisdiction: {jurisdiction}\n" not in text:
            continue
        issued = re.search(r"^issued: (\"[^\"]*\")", text, re.M)
        txt = project.content / "sources" / f"{path.stem}.txt"
        untouched = issued is not None and text == _render(path.stem, title, jurisdiction, json.loads(issued.group(1)))
        source_kept = not txt.exists() or not txt.read_bytes() or (
            source is not None and txt.read_bytes() == source.read_bytes())
        if untouched and source_kept:
            path.unlink()
            txt.unlink(missing_ok=True)
            say(f"removed {project.display(path)} and {project.display(txt)}: an earlier `make new` wrote them for "
                "this title, and they were not edited since")
        else:
            say(f"note: {project.display(path)} (an earlier `make new` for this title) is still there and was "
                f"edited; delete it and {project.display(txt)} if this document replaces it")


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


TEMPLATE = """\
# yaml-language-server: $schema=../../schema/document.schema.json
# A policy document and its tasks. CONTRIBUTING.md shows how; docs/fields.md explains every field;
# `make validate` checks it.
id: {id}                       # = the file name; permanent, never reused
title: {title}
# title_zh: 中文标题             # only where certain
summary: >-
  {summary}
jurisdiction: {jurisdiction}
issuer: unknown                # or a list of body ids from content/bodies.yaml
kind: key-tasks                # key-tasks, work-plan, plan, opinions, news-report, reprint
issued: {issued}               # 2020, 2020-07, 2020-07-21 or unknown: never guess
period: unknown                # or {{start: "2020-07", end: "2020-12"}}
# date_note: Where the dates come from, in plain words.
source:
  file: {source}               # the verbatim text, in content/sources/
  language: en                 # check: the language of the stored text
  translation: Machine translation from Chinese   # check: or a human translation; drop it for an original
  excerpt: false               # check: true when the stored text is only part of the document
  description: {source_description}
notes: []                      # passages left out on purpose: - {{quote: "...", reason: headline}}
tasks:
  - id: {task_id}             # a short English slug, unique in this document
    title: {task_title}
    section: "(1)"             # where the task sits in the document
    quote: >-
      {task_quote}
    themes: [primary-care]     # ids from content/themes.yaml; the first is the main theme
    bodies: []                 # - {{body: nhc, role: lead}}; add bodies_quote when you name any
    # indicators:
    #   - id: county-hospitals
    #     measure: County-level hospitals supported
    #     value: 63
    #     unit: hospitals
    #     comparator: "="      # =, >=, >, <=, <, about, range (then value_max)
    #     deadline: "2020"     # or unknown
    #     quote: "63 county-level hospitals"
    # implements: [china-2020-h2-key-tasks/reform-disease-prevention-system]
"""
