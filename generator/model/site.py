"""Stage 3: the policy data as immutable objects, with the indexes the pages need."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType

from generator.content.vocabulary import LEVEL_RANK
from generator.content.project import Loaded
from generator.content.series import record_label, time_key


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    name: str
    level: str
    name_zh: str = ""
    parent: str = ""
    note: str = ""
    unnamed: bool = False  # the source does not name the place

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    level: str
    name_zh: str = ""
    aliases: tuple[str, ...] = ()
    jurisdiction: str = ""
    short_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    parent: str = ""


@dataclass(frozen=True)
class Indicator:
    id: str
    measure: str
    value: float
    unit: str
    comparator: str
    deadline: str
    quote: str
    value_max: float | None = None
    timeframe: str = ""
    baseline: float | None = None


@dataclass(frozen=True)
class BodyRole:
    body: str
    role: str


@dataclass(frozen=True)
class Task:
    doc: str
    id: str
    title: str
    section: str
    quotes: tuple[str, ...]
    themes: tuple[str, ...]
    bodies: tuple[BodyRole, ...]
    bodies_quote: str = ""
    indicators: tuple[Indicator, ...] = ()
    implements: tuple[str, ...] = ()
    former_ids: tuple[str, ...] = ()
    continues: tuple[str, ...] = ()  # tasks of earlier documents of the same jurisdiction

    @property
    def key(self) -> str:
        """The task's site-wide id, <document>/<task>."""
        return f"{self.doc}/{self.id}"

    @property
    def url(self) -> str:
        return f"tasks/{self.doc}/{self.id}/"


@dataclass(frozen=True)
class Note:
    quote: str
    reason: str


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    jurisdiction: str
    issuer: tuple[str, ...] | None  # None: the source does not say
    kind: str
    issued: str
    period: tuple[str, str] | None
    source_file: str
    source_language: str
    excerpt: bool
    tasks: tuple[Task, ...]
    title_zh: str = ""
    summary: str = ""
    date_note: str = ""
    source_url: str = ""
    translation: str = ""
    source_description: str = ""
    source_form: str = ""  # news-report, reprint or text; "" where the record does not say
    notes: tuple[Note, ...] = ()
    label: str = ""  # unique on the site: 'China · key tasks 2020 H2'
    follows: str = ""  # the earlier document of the series

    @property
    def url(self) -> str:
        return f"documents/{self.id}/"

    @property
    def when(self) -> str:
        """When its commitments start, as a partial date; '' when the source does not say."""
        return time_key({"period": {"start": self.period[0]} if self.period else "unknown", "issued": self.issued})

    @property
    def sections(self) -> list[tuple[str, list[Task]]]:
        """Tasks grouped by section, in source order."""
        groups: dict[str, list[Task]] = {}
        for task in self.tasks:
            groups.setdefault(task.section, []).append(task)
        return list(groups.items())


@dataclass(frozen=True)
class Site:
    """Everything the pages show, and the indexes to look it up."""

    jurisdictions: tuple[Jurisdiction, ...]
    bodies: tuple[Body, ...]
    themes: tuple[Theme, ...]
    documents: tuple[Document, ...]
    sources: MappingProxyType  # file name -> text
    jurisdiction: MappingProxyType = field(default=None)
    body: MappingProxyType = field(default=None)
    theme: MappingProxyType = field(default=None)
    document: MappingProxyType = field(default=None)
    task: MappingProxyType = field(default=None)  # "<doc>/<task>" -> Task
    tasks_by_theme: MappingProxyType = field(default=None)  # theme id (leaf or parent) -> tasks
    tasks_by_body: MappingProxyType = field(default=None)  # body id -> [(task, role)]
    implemented_by: MappingProxyType = field(default=None)  # "<doc>/<task>" -> local tasks
    continued_by: MappingProxyType = field(default=None)  # "<doc>/<task>" -> later tasks
    followed_by: MappingProxyType = field(default=None)  # document id -> later documents of its series

    def __post_init__(self):
        put = lambda name, value: object.__setattr__(self, name, MappingProxyType(value))  # noqa: E731
        put("jurisdiction", {j.id: j for j in self.jurisdictions})
        put("body", {b.id: b for b in self.bodies})
        put("theme", {t.id: t for t in self.themes})
        put("document", {d.id: d for d in self.documents})
        put("task", {t.key: t for d in self.documents for t in d.tasks})
        # a jurisdiction's page asks for its documents and for the jurisdictions directly under it (4,000 pages
        # at 100,000 tasks): no search of them all
        object.__setattr__(self, "_documents_of", _grouped((d.jurisdiction, d) for d in self.documents))
        object.__setattr__(self, "_below", _grouped((j.parent, j) for j in self.jurisdictions))
        # Each task's place (document, then source order), so sorting does not search the tuples;
        # reversed so that a repeated task id keeps its first place, as tuple.index did.
        object.__setattr__(self, "_order", {(d.id, t.id): (d_n, t_n) for d_n, d in enumerate(self.documents)
                                            for t_n, t in reversed(list(enumerate(d.tasks)))})
        by_theme, by_body, implemented, continued = (defaultdict(list) for _ in range(4))
        for task in self.all_tasks:  # one pass over the tasks for the four indexes of them
            seen = set()
            for theme_id in task.themes:
                for tid in (theme_id, self.theme[theme_id].parent):
                    if tid and tid not in seen:
                        seen.add(tid)
                        by_theme[tid].append(task)
            for ref in task.bodies:
                by_body[ref.body].append((task, ref.role))
            for target in task.implements:
                implemented[target].append(task)
            for target in task.continues:
                continued[target].append(task)
        for doc in self.documents:  # a body that only issues documents has a page too
            for body_id in doc.issuer or ():
                by_body.setdefault(body_id, [])
        put("tasks_by_theme", _tuples(by_theme))
        put("tasks_by_body", _tuples(by_body))
        put("implemented_by", _tuples(implemented, self.task_order))
        put("continued_by", _tuples(continued, self.task_order))
        put("followed_by", _grouped((d.follows, d) for d in self.documents if d.follows))

    @property
    def all_tasks(self) -> list[Task]:
        return [t for d in self.documents for t in d.tasks]

    def task_order(self, task: Task) -> tuple:
        """Documents in site order (national first), then source order."""
        return self._order[(task.doc, task.id)]

    def top_themes(self) -> list[Theme]:
        return [t for t in self.themes if not t.parent]

    def children(self, theme_id: str) -> list[Theme]:
        return [t for t in self.themes if t.parent == theme_id]

    def documents_of(self, jurisdiction_id: str) -> list[Document]:
        return list(self._documents_of.get(jurisdiction_id, ()))

    def jurisdictions_under(self, jurisdiction_id: str) -> list[Jurisdiction]:
        """Those whose parent it is, in site order."""
        return list(self._below.get(jurisdiction_id, ()))


def _tuples(groups: dict, order=None) -> dict:
    """The lists of an index as tuples (sorted by `order` if given): a Site's indexes cannot change."""
    return {k: tuple(sorted(v, key=order) if order else v) for k, v in groups.items()}


def _grouped(pairs, order=None) -> dict:
    """{key: tuple of its values} from (key, value) pairs, keys and values in the order met."""
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return _tuples(groups, order)


def _opt(record: dict, key: str, default=""):
    return record.get(key, default)


def build_model(loaded: Loaded) -> Site:
    """Turn checked raw content into the immutable Site."""
    jurisdictions = tuple(
        Jurisdiction(j["id"], j["name"], j["level"], _opt(j, "name_zh"), _opt(j, "parent"), _opt(j, "note"),
                     _opt(j, "unnamed", False))
        for j in loaded.jurisdictions.data["jurisdictions"])
    bodies = tuple(
        Body(b["id"], b["name"], b["level"], _opt(b, "name_zh"), tuple(_opt(b, "aliases", [])), _opt(b, "jurisdiction"),
             tuple(_opt(b, "short_names", [])))
        for b in loaded.bodies.data["bodies"])
    themes = tuple(Theme(t["id"], t["title"], t["description"], _opt(t, "parent"))
                   for t in loaded.themes.data["themes"])
    documents = []
    jur_raw = {j["id"]: j for j in loaded.jurisdictions.data["jurisdictions"]}
    for raw in loaded.documents:
        d = raw.data
        tasks = tuple(_task(d["id"], t) for t in d["tasks"])
        period = d["period"]
        source = d["source"]
        documents.append(Document(
            id=d["id"], title=d["title"], jurisdiction=d["jurisdiction"],
            issuer=None if d["issuer"] == "unknown" else tuple(d["issuer"]),
            kind=d["kind"], issued=d["issued"],
            period=None if period == "unknown" else (period["start"], period["end"]),
            source_file=source["file"], source_language=source["language"], excerpt=source["excerpt"],
            tasks=tasks, title_zh=_opt(d, "title_zh"), summary=_opt(d, "summary"), date_note=_opt(d, "date_note"),
            source_url=_opt(source, "url"), translation=_opt(source, "translation"),
            source_description=_opt(source, "description"), source_form=_opt(source, "form"),
            notes=tuple(Note(n["quote"], n["reason"]) for n in d.get("notes", [])),
            label=record_label(d, jur_raw), follows=_opt(d, "follows")))
    jur = {j.id: j for j in jurisdictions}
    ordered = sorted(documents, key=lambda doc: (
        jur[doc.jurisdiction].rank, jur[doc.jurisdiction].name, doc.issued, doc.id))
    return Site(jurisdictions, bodies, themes, tuple(ordered), MappingProxyType(dict(loaded.sources)))

def _task(doc_id: str, t: dict) -> Task:
    quotes = t["quote"] if isinstance(t["quote"], list) else [t["quote"]]
    return Task(
        doc=doc_id, id=t["id"], title=t["title"], section=t["section"], quotes=tuple(quotes),
        themes=tuple(t["themes"]), bodies=tuple(BodyRole(b["body"], b["role"]) for b in t["bodies"]),
        bodies_quote=_opt(t, "bodies_quote"),
        indicators=tuple(Indicator(
            id=i["id"], measure=i["measure"], value=i["value"], unit=i["unit"], comparator=i["comparator"],
            deadline=i["deadline"], quote=i["quote"], value_max=i.get("value_max"),
            timeframe=_opt(i, "timeframe"), baseline=i.get("baseline")) for i in t.get("indicators", [])),
        implements=tuple(t.get("implements", [])), former_ids=tuple(t.get("former_ids", [])),
        continues=tuple(t.get("continues", [])))
