"""Documents over time: labels, `follows` between documents and `continues` between tasks, and their rules.

Each rule takes the loaded content and returns its problems; check() runs every rule in RULES.
"""

from __future__ import annotations

from collections import defaultdict

from generator.content.dates import short_period
from generator.content.errors import Problem, did_you_mean
from generator.content.project import Loaded

KIND_WORDS = {"key-tasks": "key tasks", "work-plan": "work plan", "plan": "plan", "opinions": "opinions",
              "news-report": "news report", "reprint": "reprint"}
def derived_label(jurisdiction_name: str, kind: str, period, issued: str) -> str:
    """A document's label made from its data: 'China · key tasks 2020 H2'."""
    when = short_period(period, issued)
    sep = ", " if when in ("undated",) or when.startswith("issued") else " "
    return f"{jurisdiction_name} · {KIND_WORDS.get(kind, kind)}{sep}{when}"


def record_label(doc: dict, jurisdictions: dict[str, dict]) -> str:
    if doc.get("label"):
        return doc["label"]
    jur = jurisdictions.get(doc["jurisdiction"])
    return derived_label(jur["name"] if jur else doc["jurisdiction"], doc["kind"], doc["period"], doc["issued"])


def time_key(doc: dict) -> str:
    """When a document's commitments start, as a partial date ('' when the source says nothing)."""
    period = doc["period"]
    if isinstance(period, dict):
        return period["start"]
    return "" if doc["issued"] == "unknown" else doc["issued"]


def earlier(a: str, b: str) -> bool | None:
    """Whether partial date a comes before b: None when either is unknown or the two cannot be told apart
    at the precision both have (2020 and 2020-07)."""
    if not a or not b:
        return None
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return None if len(a) != len(b) else False
    return a[:n] < b[:n]


def _when(doc: dict) -> str:
    return time_key(doc) or "unknown"


def _cycle(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each circle in a graph of ids, once, starting at its smallest id."""
    found, done = set(), set()
    for start in sorted(edges):
        path, on_path, stack = [], set(), [(start, iter(edges.get(start, ())))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                loop = path[path.index(child):]
                i = loop.index(min(loop))
                found.add(tuple(loop[i:] + loop[:i]))
            elif child not in done:
                stack.append((child, iter(edges.get(child, ()))))
                path.append(child)
                on_path.add(child)
    return [list(c) for c in sorted(found)]


def follows_rule(loaded: Loaded) -> list[Problem]:
    """follows: an existing, earlier document of the same jurisdiction, never in a circle."""
    problems = []
    docs = {raw.data["id"]: raw for raw in loaded.documents}
    edges: dict[str, list[str]] = {}
    for raw in loaded.documents:
        doc = raw.data
        target_id = doc.get("follows")
        if not target_id:
            continue
        here = ("follows",)
        if target_id == doc["id"]:
            problems.append(raw.problem(here, "a document cannot follow itself",
                                        "follows names the earlier document of the series"))
            continue
        if target_id not in docs:
            same = [d for d, r in docs.items() if r.data["jurisdiction"] == doc["jurisdiction"] and d != doc["id"]]
            problems.append(raw.problem(here, f"unknown document '{target_id}'",
                                        did_you_mean(target_id, same) or did_you_mean(target_id, list(docs))
                                        or "follows takes the id of an earlier document of the same jurisdiction"))
            continue
        target = docs[target_id].data
        if target["jurisdiction"] != doc["jurisdiction"]:
            problems.append(raw.problem(here,
                f"'{target_id}' is a document of '{target['jurisdiction']}', not of '{doc['jurisdiction']}'",
                "follows links the documents of one jurisdiction over time; a task carrying out a "
                "higher level's task uses implements"))
            continue
        if earlier(time_key(target), time_key(doc)) is False:
            problems.append(raw.problem(here,
                f"'{target_id}' (from {_when(target)}) is not earlier than this document (from {_when(doc)})",
                "follows names the earlier document: set it on the later one"))
            continue
        edges[doc["id"]] = [target_id]
    for loop in _cycle(edges):
        raw = docs[loop[0]]
        problems.append(raw.problem(("follows",), "documents follow each other in a circle: "
                                    + " → ".join(loop + [loop[0]]),
                                    "a series runs one way: remove follows from the earliest document"))
    return problems


def continues_rule(loaded: Loaded) -> list[Problem]:
    """continues: an existing task of an earlier document of the same jurisdiction, never in a circle."""
    problems = []
    docs = {raw.data["id"]: raw for raw in loaded.documents}
    edges: dict[str, list[str]] = defaultdict(list)
    where: dict[str, tuple] = {}
    for raw in loaded.documents:
        doc = raw.data
        for t_n, task in enumerate(doc["tasks"]):
            for r_n, ref in enumerate(task.get("continues", [])):
                path = ("tasks", t_n, "continues", r_n)
                problem = _continues_problem(raw, path, ref, docs)
                if problem:
                    problems.append(problem)
                    continue
                key = f"{doc['id']}/{task['id']}"
                edges[key].append(ref)
                where.setdefault(key, (raw, path))
    for loop in _cycle(edges):
        raw, path = where[loop[0]]
        problems.append(raw.problem(path, "tasks continue each other in a circle: " + " → ".join(loop + [loop[0]]),
                                    "continues points from the later task to the earlier one"))
    return problems


def _continues_problem(raw, path: tuple, ref: str, docs: dict) -> Problem | None:
    doc = raw.data
    target_doc, _, target_task = ref.partition("/")
    if target_doc == doc["id"]:
        return raw.problem(path, f"'{ref}' is a task of this same document",
                           "continues names a task of an earlier document of the series")
    if target_doc not in docs:
        return raw.problem(path, f"unknown document '{target_doc}'",
                           did_you_mean(target_doc, list(docs)) or "continues takes <document-id>/<task-id>")
    target = docs[target_doc].data
    ids = [t["id"] for t in target["tasks"]]
    if target_task not in ids:
        return raw.problem(path, f"document '{target_doc}' has no task '{target_task}'",
                           did_you_mean(target_task, sorted(ids)) or f"see content/documents/{target_doc}.yaml")
    if target["jurisdiction"] != doc["jurisdiction"]:
        return raw.problem(path, f"'{ref}' is a task of '{target['jurisdiction']}', not of '{doc['jurisdiction']}'",
                           "continues links a jurisdiction's tasks over time; for a higher level's task use implements")
    if earlier(time_key(target), time_key(doc)) is False:
        return raw.problem(path, f"'{target_doc}' (from {_when(target)}) is not earlier than this document "
                                 f"(from {_when(doc)})", "continues points from the later task to the earlier one")
    return None


def labels_rule(loaded: Loaded) -> list[Problem]:
    """Two documents never share a label: it is how pages and citations tell them apart."""
    jurisdictions = {j["id"]: j for j in loaded.jurisdictions.data["jurisdictions"]}
    by_label: dict[str, list] = defaultdict(list)
    for raw in loaded.documents:
        by_label[record_label(raw.data, jurisdictions).casefold()].append(raw)
    problems = []
    for raws in by_label.values():
        if len(raws) < 2:
            continue
        # At each of them, naming the others: which record is the new one, only the editor knows.
        where = {raw.path: _label_at(raw) for raw in raws}
        for raw in raws:
            label = record_label(raw.data, jurisdictions)
            given = "label" in raw.data
            others = "; ".join(f"'{o.data['id']}' ({o.path}:{where[o.path][0]}:{where[o.path][1]})"
                               for o in raws if o is not raw)
            problems.append(raw.problem(("label",) if given else ("id",),
                f"document '{raw.data['id']}' has the label '{label}'"
                + ("" if given else " (made from its jurisdiction, kind and period)") + f", as {others} has",
                "give the newer record a label of its own, e.g. label: \"" + label + " (revised)\""))
    return problems


def _label_at(raw) -> tuple[int, int]:
    return raw.where(("label",) if "label" in raw.data else ("id",))


RULES = [follows_rule, continues_rule, labels_rule]
