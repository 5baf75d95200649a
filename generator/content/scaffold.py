"""`new`: a commented document record and a source file for an editor to fill in."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import yaml

from generator.content.errors import did_you_mean
from generator.content.project import Project
from generator.content.vocabulary import LEVEL_RANK, real_date

DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


class ScaffoldError(Exception):
    """The editor's request cannot be scaffolded; the message says why and what to do."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def known_jurisdictions(project: Project) -> dict[str, dict]:
    data = yaml.safe_load((project.content / "jurisdictions.yaml").read_text(encoding="utf-8")) or {}
    return {j["id"]: j for j in data.get("jurisdictions", [])}


def scaffold(project: Project, jurisdiction: str, title: str, date: str, doc_id: str | None = None,
             source: Path | None = None, jurisdiction_name: str | None = None, level: str | None = None,
             parent: str | None = None) -> list[Path]:
    """Write content/documents/<id>.yaml and content/sources/<id>.txt; return the paths written."""
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
    doc_id = doc_id or slugify(f"{jurisdiction} {date if date != 'unknown' else ''} {title}")
    if slugify(doc_id) != doc_id or not doc_id:
        raise ScaffoldError(f"--id '{doc_id}' is not a valid id: try '{slugify(doc_id)}'")
    doc_path = project.content / "documents" / f"{doc_id}.yaml"
    source_path = project.content / "sources" / f"{doc_id}.txt"
    for path in (doc_path, source_path):
        if path.exists():
            raise ScaffoldError(f"{project.display(path)} exists already: choose another --id (ids are never reused)")
    if source is not None and not source.is_file():
        raise ScaffoldError(f"--source {source} is not a file")
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
    doc_path.write_text(TEMPLATE.format(id=doc_id, title=_quoted(title), jurisdiction=jurisdiction,
                                        issued=_quoted(date), source=f"{doc_id}.txt"), encoding="utf-8")
    written.append(doc_path)
    return written


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


TEMPLATE = """\
# yaml-language-server: $schema=../../schema/document.schema.json
# A policy document and its tasks. CONTRIBUTING.md explains every field; `make validate` checks it.
id: {id}                       # = the file name; permanent, never reused
title: {title}
# title_zh: 中文标题             # only where certain
summary: >-
  Two or three plain sentences for readers: what the document is and what it covers.
jurisdiction: {jurisdiction}
issuer: unknown                # or a list of body ids from content/bodies.yaml
kind: key-tasks                # key-tasks, work-plan, plan, opinions, news-report, reprint
issued: {issued}               # 2020, 2020-07, 2020-07-21 or unknown: never guess
period: unknown                # or {{start: "2020-07", end: "2020-12"}}
# date_note: Where the dates come from, in plain words.
source:
  file: {source}               # the verbatim text, in content/sources/
  language: en
  translation: Machine translation from Chinese
  excerpt: false               # true when the stored text is only part of the document
  description: What the stored text is (full text, news report, reprint).
notes: []                      # passages left out on purpose: - {{quote: "...", reason: headline}}
tasks:
  - id: first-task             # a short English slug, unique in this document
    title: Short title in plain words
    section: "(1)"             # where the task sits in the document
    quote: >-
      Copy the task's words from the source file here, exactly.
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
