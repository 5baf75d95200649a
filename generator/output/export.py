"""Open data: JSON and CSV exports of every record, and the data dictionary."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.model.site import Site, Task

_NUMBER = re.compile(r"-?[0-9][0-9.,]*")


@dataclass(frozen=True)
class DataFile:
    name: str
    description: str
    rows: int
    make: Callable[[], bytes]


def task_record(site: Site, task: Task, site_url: str) -> dict:
    """A task with every field of its YAML record, plus where it belongs."""
    doc = site.document[task.doc]
    record = {
        "document": task.doc, "id": task.id, "url": site_url + task.url,
        "jurisdiction": doc.jurisdiction, "level": site.jurisdiction[doc.jurisdiction].level,
        "title": task.title, "section": task.section, "quote": list(task.quotes), "themes": list(task.themes),
        "bodies": [{"body": b.body, "role": b.role} for b in task.bodies],
        "bodies_quote": task.bodies_quote or None,
        "indicators": [indicator_record(i) for i in task.indicators],
        "implements": list(task.implements), "implemented_by": [t.key for t in site.implemented_by.get(task.key, ())],
        "continues": list(task.continues), "continued_by": [t.key for t in site.continued_by.get(task.key, ())],
        "former_ids": list(task.former_ids),
    }
    return record


def indicator_record(ind) -> dict:
    return {"id": ind.id, "measure": ind.measure, "value": ind.value, "value_max": ind.value_max, "unit": ind.unit,
            "comparator": ind.comparator, "deadline": ind.deadline, "timeframe": ind.timeframe or None,
            "baseline": ind.baseline, "quote": ind.quote}


def document_record(site: Site, doc, site_url: str) -> dict:
    return {
        "id": doc.id, "url": site_url + doc.url, "label": doc.label, "title": doc.title, "title_zh": doc.title_zh or None,
        "summary": doc.summary or None, "jurisdiction": doc.jurisdiction,
        "issuer": list(doc.issuer) if doc.issuer else "unknown", "kind": doc.kind, "issued": doc.issued,
        "period": {"start": doc.period[0], "end": doc.period[1]} if doc.period else "unknown",
        "date_note": doc.date_note or None,
        "source": {"file": doc.source_file, "url": doc.source_url or None, "language": doc.source_language,
                   "translation": doc.translation or None, "excerpt": doc.excerpt,
                   "description": doc.source_description or None},
        "notes": [{"quote": n.quote, "reason": n.reason} for n in doc.notes],
        "follows": doc.follows or None, "followed_by": [d.id for d in site.followed_by.get(doc.id, ())],
        "tasks": [t.id for t in doc.tasks],
    }


def _json(data) -> bytes:
    """json.dumps(data, ensure_ascii=False, indent=1) and a newline, in UTF-8."""
    return (indented_json(data) + "\n").encode("utf-8")


_STRING = json.encoder.encode_basestring  # json's own string encoder (in C) where ensure_ascii is off


def indented_json(value, newline: str = "\n") -> str:
    """What json.dumps(value, ensure_ascii=False, indent=1) writes, in half the time: with an indent json
    never uses its C encoder, and its Python one runs a generator per list and dict. Keys must be text."""
    if isinstance(value, str):
        return _STRING(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else json.dumps(value)
    inner = newline + " "
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([indented_json(v, inner) for v in value]) + newline + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [_STRING(key) + ": " + indented_json(v, inner) for key, v in value.items()]  # TypeError unless text
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# What spreadsheets run as a formula: a cell whose first character, once leading white space (tabs, line feeds,
# carriage returns, NUL and other spaces) is passed over, is one of these; or a cell that begins with a control.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and their full-width forms
_LEADING = re.compile(r"[\s\x00-\x1f\x7f]*")
GUARD_NOTE = ("A CSV cell that a spreadsheet would run as a formula (one that starts with =, +, - or @, also after "
              "leading spaces, tabs, line feeds or NUL, or that starts with a tab, carriage return, line feed or NUL) "
              "is written with an apostrophe in front: '=. A plain number such as -5 is written as it is. "
              "Remove the apostrophe to get the value as in the JSON files.")


def _cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with an apostrophe (GUARD_NOTE)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text or (text[0] not in "=+-@\t\r\n\x00 " and text[0].isalnum()):
        return text  # nearly every cell: nothing a spreadsheet could run
    if _NUMBER.fullmatch(text):
        return text
    first = text[_LEADING.match(text).end():][:1]
    if first in FORMULA_STARTS or text[0] in "\t\r\n\x00":
        return "'" + text
    return text


def _csv(header: list[str], rows: list[list]) -> bytes:
    return _csv_of(header, [_csv_rows(rows)])


def _csv_rows(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _csv_of(header: list[str], parts: list[str]) -> bytes:
    """A CSV file: the header, then the rows, already written, of each part."""
    # BOM: spreadsheets then read UTF-8 correctly
    return ("\ufeff" + _csv_rows([header]) + "".join(parts)).encode("utf-8")


TASK_COLUMNS = [
    ("document", "Document id; the document page is /documents/<document>/."),
    ("task", "Task id, unique in its document; the task page is /tasks/<document>/<task>/."),
    ("url", "Permanent address of the task page."),
    ("jurisdiction", "Jurisdiction id."), ("jurisdiction_name", "Jurisdiction name in English."),
    ("level", "national, province, prefecture, city or county."),
    ("section", "Where the task sits in its document."), ("title", "Short title in plain words."),
    ("quote", "The task's words, verbatim from the source; several passages are separated by a blank line."),
    ("themes", "Theme ids, separated by '; '; the first is the main theme."),
    ("lead_bodies", "Ids of bodies that lead, separated by '; '; empty when the source names none."),
    ("participating_bodies", "Ids of bodies that take part."),
    ("bodies_quote", "The source's words naming the bodies."),
    ("implements", "Tasks of higher-level documents this task carries out, as <document>/<task>."),
    ("continues", "Tasks of earlier documents of the same jurisdiction this task carries on, as <document>/<task>."),
    ("former_ids", "Earlier ids of this task, whose addresses redirect here."),
    ("indicators", "Number of quantitative indicators (see indicators.csv)."),
]
INDICATOR_COLUMNS = [
    ("document", "Document id."), ("task", "Task id."), ("indicator", "Indicator id; the anchor on the task page."),
    ("url", "Address of the indicator on its task page."), ("jurisdiction", "Jurisdiction id."),
    ("level", "Level of the jurisdiction."), ("theme", "The task's main theme id."),
    ("measure", "What is measured."), ("value", "The figure (lower end of a range)."),
    ("value_max", "Upper end of a range."), ("unit", "Unit of the value."),
    ("comparator", "= exactly, >= at least, > more than, <= at most, < less than, about, range "
                   "(a leading apostrophe, as in '=, stops spreadsheets reading it as a formula)."),
    ("deadline", "Year, month or day; unknown when the source gives none."),
    ("timeframe", "The source's own words for a relative time."), ("baseline", "Starting figure, if given."),
    ("quote", "The indicator's words, verbatim from the source."),
]
BODY_COLUMNS = [
    ("id", "Body id; the body page is /bodies/<id>/."), ("name", "English name."), ("name_zh", "Chinese name, where certain."),
    ("aliases", "Other English names in the sources, separated by '; '."), ("level", "Level of government."),
    ("jurisdiction", "Jurisdiction id."), ("lead_tasks", "Number of tasks it leads."),
    ("participating_tasks", "Number of tasks it takes part in."),
]


class Parts:
    """Each document's part of the exports made of one part a document (documents.json, tasks.json, tasks.csv,
    indicators.csv), kept between builds in one file an export, by the document's key: after an edit only its
    neighbourhood's parts are made again (0.5 s of a rebuild at 10,000 tasks was making them all). `keys`
    (document id -> key of what its part shows: generate() takes the key of the document's page) are set before
    the exports are made; with none, every part is made. The same bytes either way (tests/test_incremental.py).

    The file is a line of JSON naming each part's document, key and length in bytes, then the parts one after
    another: reading and writing it is a slice and a join, not the JSON of every part (at 10,000 tasks 0.07 s a
    rebuild for the four exports, against 0.2 s as one JSON document each)."""

    VERSION = 2

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.keys: dict[str, str] = {}

    def of(self, name: str, site: Site, make: Callable) -> list[str]:
        """make(document) for each document in site order, or what it gave last time for the same key."""
        path = self.folder / f"{name}.parts" if self.folder is not None and self.keys else None
        old = self.read(path) if path is not None else {}
        parts, kept = [], {}
        for doc in site.documents:
            key = self.keys.get(doc.id)
            last = old.get(doc.id)
            part = last[1] if key is not None and last is not None and last[0] == key else make(doc)
            parts.append(part)
            if key is not None:
                kept[doc.id] = (key, part)
        if path is not None:
            self.write(path, kept)
        return parts

    @classmethod
    def write(cls, path: Path, kept: dict[str, tuple[str, str]]) -> None:
        """Document id -> (key, part), in this order, into `path` (through a temporary file)."""
        body = [part.encode("utf-8") for _, part in kept.values()]
        head = json.dumps({"version": cls.VERSION, "parts": [[doc_id, key, len(data)] for (doc_id, (key, _)), data
                                                            in zip(kept.items(), body)]},
                          ensure_ascii=False, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(head.encode("utf-8") + b"\n" + b"".join(body))
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> dict[str, tuple[str, str]]:
        """What write() wrote; nothing if the file is missing, of another version, or not whole."""
        try:
            line, _, body = path.read_bytes().partition(b"\n")
            head = json.loads(line)
            entries = head["parts"] if isinstance(head, dict) and head.get("version") == cls.VERSION else []
            parts, at = {}, 0
            for doc_id, key, size in entries:
                parts[str(doc_id)] = (str(key), body[at:at + size].decode("utf-8"))
                at += size
        except (OSError, ValueError, KeyError, TypeError):  # ValueError: JSON, or a part cut inside a character
            return {}
        return parts if at == len(body) else {}


def _json_list(parts: list[str]) -> bytes:
    """_json of a list whose items, by document, are `parts` (each its items, indented, joined by ",\n ")."""
    items = [part for part in parts if part]
    return (("[\n " + ",\n ".join(items) + "\n]") if items else "[]").encode("utf-8") + b"\n"


def _json_items(records) -> str:
    return ",\n ".join([indented_json(record, "\n ") for record in records])


def data_files(site: Site, site_url: str, schemas: dict[str, dict], parts: Parts | None = None) -> list[DataFile]:
    """Every download of the /data/ page, each made only when asked for (by the process that writes it)."""
    tasks = site.all_tasks
    parts = parts or Parts()
    files = [
        DataFile("documents.json", "Every document with its metadata and task ids.", len(site.documents),
                 lambda: _json_list(parts.of("documents.json", site,
                                             lambda d: _json_items([document_record(site, d, site_url)])))),
        DataFile("tasks.json", "Every task with all its fields: quotes, themes, bodies, indicators, links.",
                 len(tasks), lambda: _json_list(parts.of("tasks.json", site, lambda d: _json_items(
                     [task_record(site, t, site_url) for t in d.tasks])))),
        DataFile("themes.json", "The theme taxonomy.", len(site.themes),
                 lambda: _json([{"id": t.id, "title": t.title, "description": t.description, "parent": t.parent or None}
                                for t in site.themes])),
        DataFile("jurisdictions.json", "Jurisdictions with level and parent.", len(site.jurisdictions),
                 lambda: _json([{"id": j.id, "name": j.name, "name_zh": j.name_zh or None, "level": j.level,
                                 "parent": j.parent or None, "note": j.note or None, "unnamed": j.unnamed}
                                for j in site.jurisdictions])),
        DataFile("tasks.csv", "One row per task.", len(tasks),
                 lambda: _csv_of([c for c, _ in TASK_COLUMNS], parts.of("tasks.csv", site, lambda d: _csv_rows(
                     _task_rows(site, site_url, d.tasks))))),
        DataFile("indicators.csv", "One row per quantitative indicator.", sum(len(t.indicators) for t in tasks),
                 lambda: _csv_of([c for c, _ in INDICATOR_COLUMNS], parts.of("indicators.csv", site, lambda d: _csv_rows(
                     _indicator_rows(site, site_url, d.tasks))))),
        DataFile("bodies.csv", "One row per body, with its Chinese name and aliases.", len(site.bodies),
                 lambda: _csv([c for c, _ in BODY_COLUMNS], _body_rows(site))),
    ]
    for name, schema in schemas.items():
        files.append(DataFile(name, f"JSON Schema ({schema.get('title', name)}) of the YAML records.", 1,
                              lambda schema=schema: _json(schema)))
    return files


def _task_rows(site: Site, site_url: str, tasks: list[Task]) -> list[list]:
    rows = []
    for t in tasks:
        jur = site.jurisdiction[site.document[t.doc].jurisdiction]
        rows.append([t.doc, t.id, site_url + t.url, jur.id, jur.name, jur.level, t.section, t.title,
                     "\n\n".join(t.quotes), "; ".join(t.themes),
                     "; ".join(b.body for b in t.bodies if b.role == "lead"),
                     "; ".join(b.body for b in t.bodies if b.role == "participate"),
                     t.bodies_quote, "; ".join(t.implements), "; ".join(t.continues), "; ".join(t.former_ids),
                     len(t.indicators)])
    return rows


def _indicator_rows(site: Site, site_url: str, tasks: list[Task]) -> list[list]:
    rows = []
    for t in tasks:
        jur = site.jurisdiction[site.document[t.doc].jurisdiction]
        for i in t.indicators:
            rows.append([t.doc, t.id, i.id, f"{site_url}{t.url}#{i.id}", jur.id, jur.level, t.themes[0],
                         i.measure, i.value, i.value_max, i.unit, i.comparator, i.deadline, i.timeframe,
                         i.baseline, i.quote])
    return rows


def _body_rows(site: Site) -> list[list]:
    rows = []
    for b in site.bodies:
        roles = site.tasks_by_body.get(b.id, ())
        rows.append([b.id, b.name, b.name_zh, "; ".join(b.aliases), b.level, b.jurisdiction,
                     sum(1 for _, r in roles if r == "lead"), sum(1 for _, r in roles if r == "participate")])
    return rows


DICTIONARY = [
    {"name": "tasks.csv", "anchor": "tasks-csv", "columns": TASK_COLUMNS},
    {"name": "indicators.csv", "anchor": "indicators-csv", "columns": INDICATOR_COLUMNS},
    {"name": "bodies.csv", "anchor": "bodies-csv", "columns": BODY_COLUMNS},
]
