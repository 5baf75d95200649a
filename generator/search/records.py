"""What site search indexes: one small HTML record per task, body, jurisdiction, document and theme page.

Pagefind (generator/search/index.py) reads these instead of the built pages: a page carries navigation,
lists that repeat other pages, and fact lists whose <dt>/<dd> text it would glue into one word. A
record holds the words a reader searches by, as sentences, with the result's labels
(data-pagefind-meta) and filter values (data-pagefind-filter) on empty elements, so neither is
searched as text. Chinese is indexed as overlapping pairs of characters (theme/assets/search.js splits
a query the same way), so part of a name finds the whole: 卫生健康委员会 and 江西 match.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.model.site import Body, Document, Jurisdiction, Site, Task, Theme

LEVEL_LABEL = {"national": "National", "province": "Province", "prefecture": "City (prefecture)",
               "city": "City", "county": "County"}
KINDS = ("task", "body", "jurisdiction", "document", "theme")
TERMS = "⁂"  # starts the record's search-only part; search.js shows nothing from there on
# The index is made in parts, merged in the reader's browser: an edit indexes one part again, and a full build
# indexes two at a time. Each part costs the first search a few requests (about 7 KB at 10,000 tasks).
SHARD_TASKS = 1000  # tasks a part: Pagefind indexes one in about a second
MAX_SHARDS = 8  # parts at most, whatever the size (the first search: 456 KB at 100,000 tasks, 258-269 KB at 10,000)
MAIN = "main"  # the part with bodies, places and themes (and everything, on a site of one part)
SITE = "site.json"  # the filters' labels and the names of the other parts
PART = "part"  # the filter naming the part of its lexicon, where there are several parts (see lexicon)
LEXICON = "lexicon"  # the kind of a part's lexicon record
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def cjk_pairs(text: str) -> str:
    """Each run of Chinese characters as its overlapping pairs (one character stays as it is)."""
    out = []
    for run in _CJK.findall(text):
        out += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    return " ".join(out)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?。;:" else text + "."


def _record(title: str, sentences: Iterable[str], names: Iterable[str], meta: dict[str, str],
            filters: dict[str, Iterable[str]]) -> str:
    """The HTML Pagefind reads: title, sentences, then names and their Chinese pairs after TERMS."""
    names = [n for n in dict.fromkeys(names) if n]
    terms = " ".join(names + [cjk_pairs(" ".join(names + [title]))])
    parts = [f'<html lang="en"><body><main data-pagefind-body><h1 data-pagefind-weight="8">{_e(title)}</h1>']
    parts += [f"<p>{_e(_sentence(s))}</p>" for s in sentences if s]
    parts.append(f'<p data-pagefind-weight="6">{TERMS} {_e(terms)}</p>')
    parts += [f'<i data-pagefind-meta="{k}[data-v]" data-v="{_e(v)}"></i>' for k, v in meta.items() if v]
    for key, values in filters.items():
        parts += [f'<i data-pagefind-filter="{key}[data-v]" data-v="{_e(v)}"></i>' for v in dict.fromkeys(values) if v]
    parts.append("</main></body></html>")
    return "".join(parts)


class _Places:
    """A jurisdiction's province (itself, for a province) and level, looked up once."""

    def __init__(self, site: Site):
        self.site = site
        self._province: dict[str, str] = {}

    def province(self, jid: str) -> str:
        if jid not in self._province:
            j, seen = self.site.jurisdiction.get(jid), set()
            while j is not None and j.level != "province" and j.parent and j.id not in seen:
                seen.add(j.id)
                j = self.site.jurisdiction.get(j.parent)
            self._province[jid] = j.id if j is not None and j.level == "province" else ""
        return self._province[jid]


def document_year(doc: Document) -> str:
    """The year the document was issued, else the year its period starts; '' when the source does not say."""
    for value in (doc.issued, doc.period[0] if doc.period else ""):
        if value and value != "unknown":
            return value[:4]
    return ""


def _themes_with_parents(site: Site, theme_ids: Iterable[str]) -> list[str]:
    out = []
    for tid in theme_ids:
        theme = site.theme.get(tid)
        out += [tid, theme.parent] if theme is not None and theme.parent else [tid]
    return out


def _body_names(body: Body) -> list[str]:
    return [body.name, body.name_zh, *body.aliases, *body.short_names]


def _with_names(name: str, others: Iterable[str]) -> str:
    """'National Health Commission (国家卫生健康委员会, NHC)': the snippet shows which name matched."""
    others = [n for n in others if n]
    return f"{name} ({', '.join(others)})" if others else name


def task_record(site: Site, places: _Places, task: Task) -> str:
    doc = site.document[task.doc]
    jur = site.jurisdiction[doc.jurisdiction]
    bodies = [(site.body[ref.body], ref.role) for ref in task.bodies if ref.body in site.body]
    sentences = list(task.quotes)
    sentences += [f"{i.measure}: {i.quote}" for i in task.indicators]
    for role, label in (("lead", "Led by"), ("participate", "With")):
        named = [_with_names(b.name, [b.name_zh, *b.short_names]) for b, r in bodies if r == role]
        if named:
            sentences.append(f"{label} {', '.join(named)}")
    # The document and place are in the result's labels: searched by, not shown again.
    names = [doc.title, jur.name, jur.name_zh] + [n for b, _ in bodies for n in _body_names(b)[1:]]
    meta = {"kind": "task", "doc": getattr(doc, "label", "") or doc.title, "place": jur.name,
            "level": LEVEL_LABEL.get(jur.level, jur.level)}
    return _record(task.title, sentences, names, meta, _filters(site, places, jur, task.themes, doc, "task"))


def _filters(site: Site, places: _Places, jur: Jurisdiction | None, themes: Iterable[str], doc: Document | None,
             kind: str, level: str = "") -> dict[str, list[str]]:
    return {"kind": [kind], "level": [level or (jur.level if jur else "")],
            "province": [places.province(jur.id) if jur else ""],
            "theme": _themes_with_parents(site, themes), "year": [document_year(doc) if doc else ""]}


def body_record(site: Site, places: _Places, body: Body) -> str:
    jur = site.jurisdiction.get(body.jurisdiction)
    tasks = site.tasks_by_body.get(body.id, ())
    sentences = [f"Chinese name {body.name_zh}" if body.name_zh else "",
                 f"Also written as {'; '.join(body.aliases)}" if body.aliases else "",
                 f"Short names {'; '.join(body.short_names)}" if body.short_names else "",
                 f"{LEVEL_LABEL.get(body.level, body.level)} body" + (f" of {jur.name}" if jur else ""),
                 f"Responsible for {len(tasks)} task{'s' if len(tasks) != 1 else ''}" if tasks else ""]
    meta = {"kind": "body", "place": jur.name if jur else "", "level": LEVEL_LABEL.get(body.level, body.level)}
    return _record(body.name, sentences, _body_names(body)[1:] + ([jur.name_zh] if jur else []), meta,
                   _filters(site, places, jur, (), None, "body", body.level))


def jurisdiction_record(site: Site, places: _Places, jur: Jurisdiction) -> str:
    parent = site.jurisdiction.get(jur.parent)
    docs = site.documents_of(jur.id)
    sentences = [f"Chinese name {jur.name_zh}" if jur.name_zh else "",
                 LEVEL_LABEL.get(jur.level, jur.level) + (f" in {parent.name}" if parent else ""), jur.note,
                 f"{len(docs)} document{'s' if len(docs) != 1 else ''}: " + "; ".join(d.title for d in docs[:5])
                 if docs else ""]
    meta = {"kind": "jurisdiction", "place": parent.name if parent else "",
            "level": LEVEL_LABEL.get(jur.level, jur.level)}
    return _record(jur.name, sentences, [jur.name_zh], meta, _filters(site, places, jur, (), None, "jurisdiction"))


def document_record(site: Site, places: _Places, doc: Document) -> str:
    jur = site.jurisdiction[doc.jurisdiction]
    issuers = [site.body[b].name for b in doc.issuer or () if b in site.body]
    sentences = [doc.title_zh, doc.summary, f"{jur.name}, {doc.kind}" + (f", issued by {', '.join(issuers)}"
                                                                           if issuers else ""),
                 f"{len(doc.tasks)} task{'s' if len(doc.tasks) != 1 else ''}"]
    themes = [tid for task in doc.tasks for tid in task.themes]
    meta = {"kind": "document", "place": jur.name, "level": LEVEL_LABEL.get(jur.level, jur.level)}
    return _record(doc.title, sentences, [doc.title_zh, jur.name_zh], meta,
                   _filters(site, places, jur, themes, doc, "document"))


def theme_record(site: Site, places: _Places, theme: Theme) -> str:
    parent = site.theme.get(theme.parent)
    tasks = site.tasks_by_theme.get(theme.id, ())
    sentences = [theme.description, f"Part of {parent.title}" if parent else "",
                 f"{len(tasks)} task{'s' if len(tasks) != 1 else ''} on this theme" if tasks else ""]
    meta = {"kind": "theme", "level": "Theme"}
    return _record(theme.title, sentences, [], meta, _filters(site, places, None, [theme.id], None, "theme", "theme"))


def records(site: Site) -> list[tuple[str, str]]:
    """(page address, record HTML) for every searchable page, in site order."""
    return _records(site, _Places(site), lambda doc_id: True, True)


def _records(site: Site, places: _Places, wanted: Callable[[str], bool], others: bool) -> list[tuple[str, str]]:
    """The records of the tasks and documents whose document is `wanted`, and, with `others`, of the bodies,
    places and themes; in site order."""
    out = [(t.url, task_record(site, places, t)) for t in site.all_tasks if wanted(t.doc)]
    if others:
        out += [(f"bodies/{b.id}/", body_record(site, places, b)) for b in site.bodies]
        out += [(f"jurisdictions/{j.id}/", jurisdiction_record(site, places, j)) for j in site.jurisdictions]
    out += [(d.url, document_record(site, places, d)) for d in site.documents if wanted(d.id)]
    if others:
        out += [(f"themes/{t.id}/", theme_record(site, places, t)) for t in site.themes]
    return out


def filter_labels(site: Site) -> dict:
    """What the search form's filters offer, with their labels (written beside the index)."""
    places = _Places(site)
    provinces = sorted({places.province(d.jurisdiction) for d in site.documents} - {""},
                       key=lambda p: site.jurisdiction[p].name)
    levels = {site.jurisdiction[d.jurisdiction].level for d in site.documents}
    return {
        "level": [[lv, LEVEL_LABEL[lv]] for lv in LEVEL_LABEL if lv in levels],
        "province": [[p, site.jurisdiction[p].name] for p in provinces],
        "theme": [[t.id, t.title, t.parent] for t in site.themes],
        "year": [[y, y] for y in sorted({document_year(d) for d in site.documents} - {""}, reverse=True)],
    }


def shard_names(site: Site) -> list[str]:
    """The parts the index is made in: MAIN, then one per SHARD_TASKS tasks (at most MAX_SHARDS) if more than one."""
    count = min(MAX_SHARDS, -(-len(site.all_tasks) // SHARD_TASKS))
    return [MAIN] + ([f"s{n}" for n in range(count)] if count > 1 else [])


def shard_of(doc_id: str, names: list[str]) -> str:
    """The part a document's records are in: the same at every build with as many parts."""
    if len(names) == 1:
        return MAIN
    return names[1 + int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big") % (len(names) - 1)]


def search_files(site: Site, keys: dict[str, str] | None = None,
                 kept: Callable[[str, str], bytes | None] = lambda name, key: None) -> dict[str, bytes]:
    """build/search/: SITE (the filters' labels and the parts) and each part's records, in site order.
    `keys` (each document's render key: output/keys.py) give each part but the main one a key; a part whose
    file kept(name, key) gives is not made again. `keys` then holds each part's key, by its file name."""
    names = shard_names(site)
    part_of = {doc.id: shard_of(doc.id, names) for doc in site.documents}
    names = [name for name in names if name == MAIN or name in part_of.values()]  # a part may have no document
    out = {SITE: _json({"filters": filter_labels(site), "shards": names[1:]})}
    made = {}
    places = _Places(site)  # one for every part: it remembers each place's province
    for name in names:
        key = hashlib.sha256("\0".join(keys[doc.id] for doc in site.documents if part_of[doc.id] == name)
                             .encode()).hexdigest() if keys is not None and name != MAIN else ""
        if key:
            made[f"{name}.json"] = key
        content = kept(f"{name}.json", key) if key else None
        if content is None:
            found = _records(site, places, lambda doc_id: part_of[doc_id] == name, name == MAIN)
            content = _json({"records": found + ([lexicon(found, name)] if len(names) > 1 else [])})
        out[f"{name}.json"] = content
    if keys is not None:
        keys.clear()
        keys.update(made)
    return out


def lexicon(found: list[tuple[str, str]], name: str) -> tuple[str, str]:
    """One more record of a part: every word of its records, once, and the part's name as a filter value.

    Pagefind leaves out of a search the words its index does not have, so a part without one word of a query
    would answer for the others alone. theme/assets/search.js asks, for each word, which parts' lexicons hold
    it (a search filtered to no page, whose counts by part are over the pages holding the word: one lexicon a
    part); a part without a word the site has then gives no results. The lexicon itself is never shown (its
    kind, LEXICON, names it "x…": generator/search/index.py)."""
    words: dict[str, None] = {}
    for _, record in found:
        text = _TAG.sub(" ", record) + " " + " ".join(_META.findall(record))
        words.update(dict.fromkeys(html.unescape(text).split()))
    return (f"-/{name}/", f'<html lang="en"><body><main data-pagefind-body><p>{_e(" ".join(words))}</p>'
                          f'<i data-pagefind-filter="kind[data-v]" data-v="{LEXICON}"></i>'
                          f'<i data-pagefind-filter="{PART}[data-v]" data-v="{name}"></i></main></body></html>')


_TAG = re.compile(r"<[^>]+>")
_META = re.compile(r'data-pagefind-meta="[^"]*" data-v="([^"]*)"')


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def write_search_files(site: Site, folder: Path, keys: dict[str, str] | None = None) -> None:
    """build/search/, each file only if its bytes changed (a rebuild indexes again only the parts that did).
    With `keys` (each document's render key), a part whose documents' keys are those of the last build is not
    made again (its key is in build/search.keys.json)."""
    ledger = folder.parent / "search.keys.json"
    try:
        old = json.loads(ledger.read_text(encoding="utf-8")) if keys is not None else {}
    except (OSError, ValueError):
        old = {}

    unchanged: set[str] = set()  # the parts kept as they are on disk: not compared again

    def kept(name: str, key: str) -> bytes | None:
        path = folder / name
        if old.get(name) != key or not path.is_file():
            return None
        unchanged.add(name)
        return path.read_bytes()
    keys = dict(keys) if keys is not None else None
    files = search_files(site, keys, kept)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if name not in unchanged and (not path.is_file() or path.read_bytes() != content):
            path.write_bytes(content)
    for path in folder.iterdir():
        if path.name not in files:
            path.unlink()
    if keys is not None:
        ledger.write_text(json.dumps(keys, sort_keys=True), encoding="utf-8")
    elif ledger.exists():
        ledger.unlink()
