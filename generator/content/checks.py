"""Stage 2: check loaded content against the JSON Schema, its references and its sources."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import fastjsonschema

from generator.accel import parallel
from generator.content import addresses, passages
from generator.content.project import SCHEMAS, Loaded
from generator.content.errors import ContentError, Problem, did_you_mean
from generator.content.reader import RawFile, make_resolver
from generator.content.series import RULES as SERIES_RULES
from generator.content.text import find_quote, located, normalise, quote_mismatch
from generator.content.vocabulary import LEVEL_RANK, PLACEHOLDERS, real_date

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

# Below this, the rules run in one process: forking a large process, and the memory it then copies, cost more than
# a second core saves. The check took 0.5 s in one process and 0.6-0.8 s in two at 380 documents, 5.6-5.8 s in two and 6.4-8.0 s in one at 3,758.
PARALLEL_MIN_DOCUMENTS = 1000
LOADED_RULES = [*SERIES_RULES, *addresses.RULES, *passages.RULES]  # functions of Loaded, run last (see check)
SLUG_HINT = "use lower-case letters a-z, digits and single hyphens, e.g. reform-disease-prevention-system"


def inline_refs(schema, registry: dict[str, dict], root: dict | None = None):
    """The schema with every $ref replaced by what it points to (the project's schemas do not recurse).

    Validation then never looks a reference up: at 10,000 tasks that lookup was most of the check.
    """
    root = schema if root is None else root
    if isinstance(schema, list):
        return [inline_refs(item, registry, root) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target, target_root = make_resolver(registry)(schema["$ref"], root)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        resolved = inline_refs(target, registry, target_root)
        return {**resolved, **inline_refs(rest, registry, root)} if rest else resolved
    return {k: (v if k in ("$defs", "examples", "enum", "const") else inline_refs(v, registry, root))
            for k, v in schema.items()}


def validators(registry: dict[str, dict]) -> dict[str, Draft202012Validator]:
    """One validator per schema file, with the references between the project's schemas inlined."""
    # A slow import, needed only where a file fails the compiled validator.
    from jsonschema import Draft202012Validator

    return {name: Draft202012Validator(inline_refs(registry[file], registry)) for name, file in SCHEMAS.items()}


def compiled_validators(registry: dict[str, dict]) -> dict[str, Callable[[Any], bool]]:
    """One fast yes/no test per schema file, for the files that pass (nearly all of them).

    fastjsonschema turns a schema into Python code, about ten times faster than jsonschema. It may be
    stricter (its `$` does not match before a final newline), never looser (tests/test_properties.py);
    whatever it refuses goes through jsonschema, which decides and words the problems.
    """
    return _compiled(json.dumps(registry, sort_keys=True))  # compiled once per set of schemas (40 ms)


@functools.lru_cache(maxsize=4)
def _compiled(registry_json: str) -> dict[str, Callable[[Any], bool]]:
    registry = json.loads(registry_json)
    return {name: _yes_or_no(inline_refs(registry[file], registry)) for name, file in SCHEMAS.items()}


def _yes_or_no(schema: dict) -> Callable[[Any], bool]:
    def refuse(uri: str):
        raise ValueError(f"no remote schemas: {uri}")
    try:  # every $ref is inlined; $defs is left out so that nothing is ever looked up
        validate = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$defs"},
                                          handlers={"http": refuse, "https": refuse},
                                          use_default=False, use_formats=False)
    except Exception:  # noqa: BLE001 (a schema it cannot compile is checked by jsonschema alone)
        return lambda data: False

    def passes(data) -> bool:
        try:
            validate(data)
        except Exception:  # noqa: BLE001 (a refusal, or data it cannot handle: jsonschema decides)
            return False
        return True
    return passes


def _describe(value, width: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= width else text[:width - 3] + "...'"


def _branch_relevance(error):
    """Rank the errors of a failed anyOf branch: prefer the branch whose type fits the value.

    jsonschema's own ranking prefers the shallower error, so '2020-13-01' for a `date | "unknown"`
    field would be reported as "not 'unknown'" rather than as a bad date.
    """
    from jsonschema.exceptions import relevance

    return (error.validator not in ("type", "const"), *relevance(error))


def schema_problems(raw: RawFile, validator: Draft202012Validator) -> list[Problem]:
    """Every schema violation in one file, in words an editor understands."""
    return [problem for _, problem in schema_errors(raw, validator)]


def schema_errors(raw: RawFile, validator: Draft202012Validator) -> list[tuple[tuple, Problem]]:
    """Every schema violation in one file, each with the path of the value it is about.

    Worded from each error's data (its keyword, the keyword's value in the schema, the value refused and
    where it is), never from jsonschema's English message.
    """
    from jsonschema.exceptions import best_match

    problems, worded = [], set()
    for error in validator.iter_errors(raw.data):
        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context, key=_branch_relevance) if error.validator_value else error
            # best_match on a failed `quote: string | list` picks the branch nearest the data
        at = (tuple(error.absolute_path), tuple(error.absolute_schema_path))
        if error.validator == "required" and at in worded:
            continue  # jsonschema gives one error per missing field, all alike: the first says them all
        worded.add(at)
        where = tuple(error.absolute_path)
        field = ".".join(str(p) for p in where) or "(top level)"
        for path, message, hint, key in _WORDING.get(error.validator, _other)(error, where, field):
            problems.append((where, raw.problem(path, message, hint, key=key)))
    return problems


# Each takes a jsonschema error, the path of its value and that path written out, and yields
# (path, message, hint, whether the path names a key) for each problem it stands for.

def _required(error, where: tuple, field: str):
    for name in error.validator_value:
        if name not in error.instance:
            yield where, f"missing required field '{name}'", f"add `{name}:`; see its description in schema/", False


def _unknown_field(error, where: tuple, field: str):
    allowed = list(error.schema.get("properties", {}))
    for name in [k for k in error.instance if k not in allowed] or ["?"]:  # one error names them all
        yield (where + (name,), f"unknown field '{name}'",
               did_you_mean(name, allowed) or "allowed fields: " + ", ".join(allowed), True)


def _pattern(error, where: tuple, field: str):
    if "[a-z0-9]+(-[a-z0-9]+)*$" in error.validator_value:
        yield where, f"{field}: {_describe(error.instance)} is not a valid id", SLUG_HINT, False
    elif "[0-9]{4}" in error.validator_value:
        yield (where, f"{field}: {_describe(error.instance)} is not a date",
               "write a year (2020), a month (2020-07) or a day (2020-07-21); or unknown", False)
    else:
        yield where, f"{field}: {_describe(error.instance)} has the wrong form", error.schema.get("description", ""), False


def _enum(error, where: tuple, field: str):
    hint = "use one of: " + ", ".join(str(x) for x in error.validator_value)
    close = did_you_mean(str(error.instance), [str(x) for x in error.validator_value])
    yield where, f"{field}: {_describe(error.instance)} is not allowed", f"{close} " + hint if close else hint, False


def _const(error, where: tuple, field: str):
    yield (where, f"{field}: {_describe(error.instance)} is not allowed",
           error.schema.get("description", "") or f"use {error.validator_value!r}", False)


def _type(error, where: tuple, field: str):
    wanted = error.validator_value
    article = "an" if str(wanted)[:1] in "aeiou" else "a"
    hint = "write a number without quotes, e.g. 63" if wanted in ("number", "integer") else (
        "quote the value if it is text" if wanted == "string" else f"this field takes {article} {wanted}")
    yield where, f"{field}: expected {wanted}, got {_describe(error.instance)}", hint, False


def _too_short(error, where: tuple, field: str):
    yield where, f"{field}: is empty or too short", "fill it in, or leave the field out if it is optional", False


def _too_long(error, where: tuple, field: str):
    yield where, f"{field}: is too long ({error.validator} {error.validator_value})", "shorten it", False


def _repeated(error, where: tuple, field: str):
    yield where, f"{field}: lists the same entry twice", "remove the repeat", False


_BOUNDS = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}


def _bound(error, where: tuple, field: str):
    yield (where, f"{field}: {_describe(error.instance)} is out of range",
           f"write a number {_BOUNDS[error.validator]} {error.validator_value}", False)


def _other(error, where: tuple, field: str):
    """A keyword the project's schemas do not use yet: said in the schema's own terms."""
    yield (where, f"{field}: {_describe(error.instance)} does not meet the schema's "
                  f"{error.validator}: {json.dumps(error.validator_value, ensure_ascii=False)}",
           error.schema.get("description", ""), False)


_WORDING = {"required": _required, "additionalProperties": _unknown_field, "pattern": _pattern, "enum": _enum,
            "const": _const, "type": _type, "minLength": _too_short, "minItems": _too_short, "maxLength": _too_long,
            "maxItems": _too_long, "uniqueItems": _repeated, **dict.fromkeys(_BOUNDS, _bound)}




# --------------------------------------------------------------------------- what the rules see



def _squeezed(text: str) -> str:
    """Text compared ignoring case and white space."""
    return "".join(text.split()).lower()


class Context:
    """The loaded content as the rules see it: only the parts that passed the schema, and indexes.

    A part with a schema error (a task, a body, a field) has already been reported; the rules skip it, so
    every other part of every file is still checked in the same run.
    """

    def __init__(self, loaded: Loaded, unsound: dict[str, list[tuple]]):
        self.loaded = loaded
        self.unsound = unsound
        self._sources: dict[str, str | None] = {}
        self._items: dict[tuple[str, str], list] = {}
        self._found: dict[tuple[str, str], bool] = {}
        self._task_ids: dict[str, set[str]] = {}
        self.jurisdictions = self.items(loaded.jurisdictions, "jurisdictions")
        self.bodies = self.items(loaded.bodies, "bodies")
        self.themes = self.items(loaded.themes, "themes")
        self.jur_by_id = {j["id"]: j for _, j in self.jurisdictions}
        self.theme_by_id = {t["id"]: t for _, t in self.themes}
        self.body_by_id = {b["id"]: b for _, b in self.bodies}
        # ids present, even in a record with a schema error (so that a reference to it is not "unknown")
        self.known = {name: self._ids(raw, name) for raw, name in (
            (loaded.jurisdictions, "jurisdictions"), (loaded.bodies, "bodies"), (loaded.themes, "themes"))}
        self.documents = [raw for raw in loaded.documents if isinstance(raw.data, dict)]
        self.doc_by_id = {raw.data["id"]: raw for raw in self.documents if isinstance(raw.data.get("id"), str)}

    def sound(self, raw: RawFile, path: tuple) -> bool:
        """No schema error at path, inside it, or at a value above it (the file's top level aside)."""
        n = len(path)
        return raw.path not in self.unsound or not any(
            e[:n] == path or (0 < len(e) < n and path[:len(e)] == e) for e in self.unsound[raw.path])

    def intact(self, raw: RawFile, path: tuple) -> bool:
        """No schema error at path or at a value above it (the file's top level aside); inside it, perhaps."""
        return not any(0 < len(e) <= len(path) and path[:len(e)] == e for e in self.unsound.get(raw.path, ()))

    def items(self, raw: RawFile, key: str) -> list[tuple[int, dict]]:
        """The sound entries of a list in a file, with their indexes (worked out once a file and list)."""
        if (raw.path, key) not in self._items:
            data = raw.data.get(key) if isinstance(raw.data, dict) else None
            if not isinstance(data, list) or not self.intact(raw, (key,)):
                found = []
            elif raw.path not in self.unsound:  # as nearly always
                found = list(enumerate(data))
            else:
                found = [(n, item) for n, item in enumerate(data) if self.sound(raw, (key, n))]
            self._items[(raw.path, key)] = found
        return self._items[(raw.path, key)]

    def task_ids(self, raw: RawFile) -> set[str]:
        """The ids of a document's tasks, even of those with a schema error."""
        if raw.path not in self._task_ids:
            tasks = raw.data.get("tasks") if isinstance(raw.data.get("tasks"), list) else []
            self._task_ids[raw.path] = {t["id"] for t in tasks if isinstance(t, dict) and isinstance(t.get("id"), str)}
        return self._task_ids[raw.path]

    def found(self, raw: RawFile, quote: str) -> bool:
        """Whether the quote is in the document's source (asked by more than one rule, so remembered)."""
        key = (raw.path, quote)
        if key not in self._found:
            self._found[key] = find_quote(self.source(raw), quote) >= 0
        return self._found[key]

    def field(self, raw: RawFile, key: str):
        """A top-level value of a file, or None when it is missing or has a schema error."""
        return raw.data.get(key) if self.sound(raw, (key,)) else None

    @staticmethod
    def _ids(raw: RawFile, key: str) -> set[str]:
        data = raw.data.get(key) if isinstance(raw.data, dict) else None
        return {i["id"] for i in data if isinstance(i, dict) and isinstance(i.get("id"), str)} \
            if isinstance(data, list) else set()

    def tasks(self):
        """(file, path of the task, task) for every sound task of every document."""
        for raw in self.documents:
            for base, task in self.tasks_of(raw):
                yield raw, base, task

    def tasks_of(self, raw: RawFile):
        """(path of the task, task) for every sound task of one document."""
        return [(("tasks", n), task) for n, task in self.items(raw, "tasks")]

    @staticmethod
    def indicators_of(base: tuple, task: dict):
        """(path of the indicator, indicator) for each indicator of a sound task at `base`."""
        return [(base + ("indicators", n), ind) for n, ind in enumerate(task.get("indicators", []))]

    def source(self, raw: RawFile) -> str | None:
        """The document's source text, white space normalised; None when it is missing or unnamed."""
        source = self.field(raw, "source")
        name = source.get("file") if isinstance(source, dict) else None
        if raw.path not in self._sources:  # where each quote is, found in one pass when there are many
            text = self.loaded.sources.get(name)
            self._sources[raw.path] = None if text is None else located(normalise(text),
                                                                        [q for _, q in _quotes(self, raw)])
        return self._sources[raw.path]


# --------------------------------------------------------------------------- the rules, one function each

def unique_ids(ctx: Context):
    for raw, key, what in ((ctx.loaded.jurisdictions, "jurisdictions", "jurisdiction"),
                           (ctx.loaded.bodies, "bodies", "body"), (ctx.loaded.themes, "themes", "theme")):
        yield from _unique(raw, [item for _, item in ctx.items(raw, key)], (key,), what)
    for raw in ctx.documents:
        yield from _unique(raw, [t for _, t in ctx.items(raw, "tasks")], ("tasks",), "task")
    for raw, base, task in ctx.tasks():
        yield from _unique(raw, task.get("indicators", []), base + ("indicators",), "indicator")


def _unique(raw: RawFile, items: list, where: tuple, what: str) -> list[Problem]:
    ids = [i.get("id") for i in items if isinstance(i, dict)]
    if len(set(ids)) == len(ids):  # as nearly always: a set, not a Counter, for each task's indicators
        return []
    counts = Counter(ids)
    problems = []
    seen = set()
    for n, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if ident and counts[ident] > 1:
            if ident in seen:
                problems.append(raw.problem(where + (n, "id"), f"duplicate {what} id '{ident}'",
                                            f"each {what} needs its own id; ids are never reused"))
            seen.add(ident)
    return problems


def _unknown(raw: RawFile, path: tuple, what: str, ident: str, known, otherwise: str) -> Problem:
    """'unknown <what> '<ident>'', hinting at the closest of the `known` ids, else saying `otherwise`."""
    return raw.problem(path, f"unknown {what} '{ident}'", did_you_mean(ident, known) or otherwise)


def jurisdiction_parents(ctx: Context):
    raw = ctx.loaded.jurisdictions
    for n, j in ctx.jurisdictions:
        parent = j.get("parent")
        if parent and parent not in ctx.known["jurisdictions"]:
            yield _unknown(raw, ("jurisdictions", n, "parent"), "jurisdiction", parent, list(ctx.jur_by_id),
                           "add it to this file first")
        elif parent in ctx.jur_by_id and LEVEL_RANK[ctx.jur_by_id[parent]["level"]] >= LEVEL_RANK[j["level"]]:
            yield raw.problem(("jurisdictions", n, "parent"),
                              f"parent '{parent}' ({ctx.jur_by_id[parent]['level']}) is not above "
                              f"{j['level']} '{j['id']}'",
                              "a parent is a higher level of government")


def theme_parents(ctx: Context):
    raw = ctx.loaded.themes
    for n, t in ctx.themes:
        parent = t.get("parent")
        if parent and parent not in ctx.known["themes"]:
            yield _unknown(raw, ("themes", n, "parent"), "theme", parent, list(ctx.theme_by_id), "add it first")
        elif parent in ctx.theme_by_id and ctx.theme_by_id[parent].get("parent"):
            yield raw.problem(("themes", n, "parent"),
                              f"theme '{parent}' is itself under '{ctx.theme_by_id[parent]['parent']}'",
                              "themes have two levels: a parent must be a top-level theme")


def body_names_are_unique(ctx: Context):
    raw = ctx.loaded.bodies
    owner: dict[str, str] = {}
    for n, b in ctx.bodies:
        for a_n, name in enumerate([b["name"]] + b.get("aliases", [])):
            key = normalise(name).lower()
            if owner.get(key, b["id"]) != b["id"]:
                path = ("bodies", n, "aliases", a_n - 1) if a_n else ("bodies", n, "name")
                yield raw.problem(path, f"'{name}' already names body '{owner[key]}'",
                                  "one name stands for one body; merge the two bodies or drop the alias")
            owner.setdefault(key, b["id"])


def body_jurisdictions(ctx: Context):
    for n, b in ctx.bodies:
        jur = b.get("jurisdiction")
        if jur and jur not in ctx.known["jurisdictions"]:
            yield _unknown(ctx.loaded.bodies, ("bodies", n, "jurisdiction"), "jurisdiction", jur, list(ctx.jur_by_id),
                           "see content/jurisdictions.yaml")


def document_ids(ctx: Context):
    counts = Counter(ident for raw in ctx.documents if isinstance(ident := raw.data.get("id"), str))
    for raw in ctx.documents:
        ident = ctx.field(raw, "id")
        if ident is None:
            continue
        stem = raw.path.rsplit("/", 1)[-1].removesuffix(".yaml")
        if counts[ident] > 1:
            yield raw.problem(("id",), f"duplicate document id '{ident}'", "each document needs its own id")
        if ident != stem:
            yield raw.problem(("id",), f"id '{ident}' differs from the file name '{stem}.yaml'",
                              f"rename the file to {ident}.yaml or set id: {stem}")


def document_jurisdictions(ctx: Context):
    for raw in ctx.documents:
        jur = ctx.field(raw, "jurisdiction")
        if jur is not None and jur not in ctx.known["jurisdictions"]:
            yield _unknown(raw, ("jurisdiction",), "jurisdiction", jur, list(ctx.jur_by_id),
                           "add it to content/jurisdictions.yaml")


def _body_hint(ctx: Context, ident: str) -> str:
    names = {b["id"]: b["id"] for _, b in ctx.bodies}
    for _, b in ctx.bodies:
        names.update((name, b["id"]) for name in [b["name"]] + b.get("aliases", []))
    return did_you_mean(ident, names) or (
        "add the body to content/bodies.yaml (CONTRIBUTING.md, section 5: Add a body or an alias)")


def _body_ids(ctx: Context, raw: RawFile, items: list[tuple[tuple, str]], where: str, fix: str):
    """A list of body ids (each with its path in the record): each one known, and named once."""
    seen = set()
    for path, ident in items:
        if ident not in ctx.known["bodies"]:
            yield raw.problem(path, f"unknown body '{ident}'", _body_hint(ctx, ident))
        elif ident in seen:
            yield raw.problem(path, f"body '{ident}' is listed twice {where}", fix)
        seen.add(ident)


def issuers(ctx: Context):
    for raw in ctx.documents:
        issuer = ctx.field(raw, "issuer")
        if not isinstance(issuer, list):
            continue
        yield from _body_ids(ctx, raw, [(("issuer", n), ident) for n, ident in enumerate(issuer)],
                             "as issuer", "remove the repeat")


def real_dates(ctx: Context):
    for raw in ctx.documents:
        for path, value in _dates(ctx, raw):
            if not real_date(value):
                yield raw.problem(path, f"{value} is not a real date", "check the month and day")


def _dates(ctx: Context, raw: RawFile):
    issued, period = ctx.field(raw, "issued"), ctx.field(raw, "period")
    if issued not in (None, "unknown"):
        yield ("issued",), issued
    if isinstance(period, dict):
        yield ("period", "start"), period["start"]
        yield ("period", "end"), period["end"]
    for base, task in ctx.tasks_of(raw):
        for path, ind in ctx.indicators_of(base, task):
            if ind["deadline"] != "unknown":
                yield path + ("deadline",), ind["deadline"]


def period_order(ctx: Context):
    for raw in ctx.documents:
        period = ctx.field(raw, "period")
        if isinstance(period, dict) and real_date(period["start"]) and real_date(period["end"]):
            if period["start"] > period["end"][: len(period["start"])]:
                yield raw.problem(("period",), f"period starts ({period['start']}) after it ends ({period['end']})",
                                  "swap start and end")


def source_files(ctx: Context):
    for raw in ctx.documents:
        source = ctx.field(raw, "source")
        if not isinstance(source, dict):
            continue
        text = ctx.loaded.sources.get(source["file"])
        if text is None:
            yield raw.problem(("source", "file"), f"source file content/sources/{source['file']} is missing",
                              "copy the source text there, byte for byte as received")
        elif not text.strip():
            yield raw.problem(("source", "file"), f"fill in content/sources/{source['file']}: it is empty",
                              "paste the source text there, byte for byte as received")


def _quotes(ctx: Context, raw: RawFile):
    """(path, text) of every quote in a document's sound parts: notes, tasks, bodies, indicators."""
    for n, note in ctx.items(raw, "notes"):
        yield ("notes", n, "quote"), note["quote"]
    for base, task in ctx.tasks_of(raw):
        if isinstance(task["quote"], list):
            yield from ((base + ("quote", q_n), q) for q_n, q in enumerate(task["quote"]))
        else:
            yield base + ("quote",), task["quote"]
        if "bodies_quote" in task:
            yield base + ("bodies_quote",), task["bodies_quote"]
        yield from ((path + ("quote",), ind["quote"]) for path, ind in ctx.indicators_of(base, task))


def quotes_are_verbatim(ctx: Context):
    placeholder = PLACEHOLDERS["task.quote"]
    for raw in ctx.documents:
        source = ctx.source(raw)
        if not source:
            continue
        for path, quote in _quotes(ctx, raw):
            if quote != placeholder and not ctx.found(raw, quote):
                yield raw.problem(path, "quote is not in the source text", quote_mismatch(source, quote)
                                  + " (the passages no task quotes are listed once every quote matches)")


def task_themes(ctx: Context):
    names = {t["id"]: t["id"] for _, t in ctx.themes} | {t["title"]: t["id"] for _, t in ctx.themes}
    for raw, base, task in ctx.tasks():
        for n, theme in enumerate(task["themes"]):
            if theme not in ctx.known["themes"]:
                yield _unknown(raw, base + ("themes", n), "theme", theme, names, "see content/themes.yaml for the list")


def task_bodies(ctx: Context):
    for raw, base, task in ctx.tasks():
        yield from _body_ids(ctx, raw, [(base + ("bodies", n, "body"), ref["body"])
                                        for n, ref in enumerate(task["bodies"])],
                             "on this task", "list each body once, with one role")
        if task["bodies"] and "bodies_quote" not in task:
            yield raw.problem(base + ("bodies",), "bodies are named but bodies_quote is missing",
                              "quote the source's words that name them in bodies_quote")


def bodies_named_in_their_quote(ctx: Context):
    """Each body on a task is named in its bodies_quote, by its name or an alias (case and spaces aside)."""
    for raw, base, task in ctx.tasks():
        quote = task.get("bodies_quote")
        if not quote:
            continue
        squeezed = _squeezed(quote)
        for n, ref in enumerate(task["bodies"]):
            body = ctx.body_by_id.get(ref["body"])
            if body is None or any(_squeezed(name) in squeezed for name in [body["name"]] + body.get("aliases", [])):
                continue
            guess = _closest_phrase(quote, body["name"])
            yield raw.problem(base + ("bodies", n, "body"),
                              f"body '{body['id']}' ({body['name']}) is not named in bodies_quote",
                              f"if {guess!r} names it, add that to its aliases in content/bodies.yaml; otherwise "
                              "take it off this task or fix bodies_quote" if guess else
                              "the quote does not name it: take it off this task, fix bodies_quote, or add the "
                              "source's name for it to its aliases in content/bodies.yaml")


def _closest_phrase(quote: str, name: str) -> str:
    """The run of words in the quote most like the name (at least 75% alike), to offer as an alias."""
    words = re.findall(r"[\w'’-]+", quote)
    size = len(name.split())
    best, score = "", 0.75
    little = ("the", "and", "of", "by", "with", "are", "is")
    for k in range(max(1, size - 2), size + 3):
        for i in range(len(words) - k + 1):
            if words[i].lower() in little or words[i + k - 1].lower() in little:
                continue  # a name neither starts nor ends with these
            candidate = " ".join(words[i:i + k])
            ratio = difflib.SequenceMatcher(None, candidate.lower(), name.lower()).ratio()
            if ratio > score:
                best, score = candidate, ratio
    return best


def indicator_ranges(ctx: Context):
    for raw, base, task in ctx.tasks():
        for path, ind in ctx.indicators_of(base, task):
            if (ind["comparator"] == "range") != ("value_max" in ind):
                yield raw.problem(path + ("comparator",),
                                  "a range needs value_max, and value_max needs comparator: range",
                                  "for '1-2 counties' write value: 1, value_max: 2, comparator: range")
            elif "value_max" in ind and ind["value_max"] <= ind["value"]:
                yield raw.problem(path + ("value_max",), "value_max must be above value",
                                  "value is the lower end of the range")


def former_ids(ctx: Context):
    for raw in ctx.documents:
        current = {t["id"] for _, t in ctx.items(raw, "tasks")}
        for base, task in ctx.tasks_of(raw):
            for n, former in enumerate(task.get("former_ids", [])):
                if former in current:
                    yield raw.problem(base + ("former_ids", n), f"former id '{former}' is the id of a current task",
                                      "an id is never reused")


def implements(ctx: Context):
    for raw, base, task in ctx.tasks():
        mine = ctx.jur_by_id.get(ctx.field(raw, "jurisdiction"))
        for n, ref in enumerate(task.get("implements", [])):
            path = base + ("implements", n)
            target_doc, _, target_task = ref.partition("/")
            target = ctx.doc_by_id.get(target_doc)
            if target is None:
                yield _unknown(raw, path, "document", target_doc, list(ctx.doc_by_id),
                               "implements takes <document-id>/<task-id>")
                continue
            target_ids = ctx.task_ids(target)
            if target_task not in target_ids:
                yield raw.problem(path, f"document '{target_doc}' has no task '{target_task}'",
                                  did_you_mean(target_task, sorted(i for i in target_ids if isinstance(i, str)))
                                  or f"see content/documents/{target_doc}.yaml")
                continue
            theirs = ctx.jur_by_id.get(ctx.field(target, "jurisdiction"))
            if mine and theirs and LEVEL_RANK[theirs["level"]] >= LEVEL_RANK[mine["level"]]:
                yield raw.problem(path, f"'{ref}' is not a higher-level document "
                                        f"({theirs['level']}, not above {mine['level']})",
                                  "for a task of an earlier document of the same jurisdiction use continues: instead"
                                  if ctx.field(target, "jurisdiction") == ctx.field(raw, "jurisdiction") else
                                  "implements links a local task to the national or provincial task it carries out")


def placeholders_filled_in(ctx: Context):
    """Values `make new` wrote for the editor to replace are errors while they stay."""
    for raw in ctx.documents:
        source = ctx.field(raw, "source") or {}
        for path, value, key in ((("summary",), ctx.field(raw, "summary"), "summary"),
                                 (("source", "description"), source.get("description"), "source.description")):
            if value is not None and normalise(value) == PLACEHOLDERS[key]:
                yield raw.problem(path, f"fill in {key}: it is still the text `make new` wrote",
                                  "CONTRIBUTING.md and docs/fields.md say what it holds")
    for raw, base, task in ctx.tasks():
        for key, hint in (("id", "a short English slug of the task's title, e.g. recruit-rural-doctors"),
                          ("title", "a short title in plain words"),
                          ("quote", "copy the task's words from the source file, exactly")):
            value, placeholder = task[key], PLACEHOLDERS[f"task.{key}"]
            if isinstance(value, str) and placeholder[:9] in value and normalise(value) == placeholder:
                yield raw.problem(base + (key,), f"fill in the task's {key}: it is still the text `make new` wrote",
                                  hint)


def sources_fully_accounted(ctx: Context):
    """Every passage of a source is quoted by a task or kept in notes with a reason, by the documents using it."""
    from generator.model.coverage import uncovered
    users: dict[str, list[RawFile]] = {}
    for raw in ctx.documents:
        source = ctx.field(raw, "source")
        if isinstance(source, dict) and ctx.source(raw):
            users.setdefault(source["file"], []).append(raw)
    for name, docs in sorted(users.items()):
        text = ctx.source(docs[0])
        quotes, notes = [], []
        for raw in docs:
            if not ctx.sound(raw, ("tasks",)) or not ctx.sound(raw, ("notes",)) or len(ctx.items(raw, "tasks")) < \
                    len(raw.data.get("tasks") or []):
                break  # a task with a schema error may hold the missing quote: measured once it is fixed
            found = list(_quotes(ctx, raw))
            if not all(ctx.found(raw, quote) for _, quote in found):
                break  # reported as a quote problem; measured once that is fixed
            quotes += [q for path, q in found if path[0] != "notes"]
            notes += [q for path, q in found if path[0] == "notes"]
        else:
            where = " or ".join(raw.path for raw in docs)
            for passage in uncovered(text, quotes, notes):
                line, col = _position_in(ctx.loaded.sources[name], passage)
                yield Problem(f"content/sources/{name}", line, col,
                              f"this passage is neither quoted by a task nor in the notes of {where}: "
                              f"{_describe(passage, 160)}",
                              "quote it in a task (or an indicator or bodies_quote), "
                              "or add it under notes: with the reason")


def _position_in(text: str, passage: str) -> tuple[int, int]:
    """Line and column where a white-space-normalised passage starts in the original text."""
    words = passage.split()[:8]
    match = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    if not match:
        return 1, 1
    start = match.start()
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


# Run in this order; a rule is a function of the Context that yields Problems. Add new rules here.
RULES: list[Callable[[Context], Iterable[Problem]]] = [
    unique_ids, jurisdiction_parents, theme_parents, body_names_are_unique, body_jurisdictions,
    document_ids, document_jurisdictions, issuers, real_dates, period_order, source_files,
    quotes_are_verbatim, task_themes, task_bodies, bodies_named_in_their_quote, indicator_ranges,
    former_ids, implements, placeholders_filled_in, sources_fully_accounted,
]


def schema_stage(loaded: Loaded) -> tuple[list[Problem], dict[str, list[tuple]]]:
    """Every file against its schema: the problems, and the paths of the values they are about. A file whose
    parsed data came from build/parsed passed them already, against the same schemas (its entry's key holds
    them), and is not validated again."""
    fast = compiled_validators(loaded.registry)
    slow = None
    problems: list[Problem] = []
    unsound: dict[str, list[tuple]] = {}
    files = [(loaded.jurisdictions, "jurisdictions"), (loaded.bodies, "bodies"), (loaded.themes, "themes")]
    for raw, name in files + [(raw, "document") for raw in loaded.documents]:
        if not raw.schema_valid and not fast[name](raw.data):
            slow = slow or validators(loaded.registry)
            found = schema_errors(raw, slow[name])
            unsound[raw.path] = [path for path, _ in found]
            problems += [problem for _, problem in found]
    return problems, unsound


def check(loaded: Loaded) -> None:
    """Raise ContentError listing every problem in the loaded content: schema and rules together."""
    problems, unsound = schema_stage(loaded)
    processes = parallel.workers(len(loaded.documents), PARALLEL_MIN_DOCUMENTS)
    ctx = Context(loaded, unsound)
    problems += _run(RULES, ctx, processes)
    if problems:
        raise ContentError(problems)
    # addresses.py and passages.py read the records whole, so they run once everything above is clean
    problems += _run(LOADED_RULES, loaded, processes)
    if problems:
        raise ContentError(problems)


def _run(rules: list, arg, processes: int) -> list[Problem]:
    """Each rule's problems, in the rules' order; the rules shared among `processes` processes."""
    claims = parallel.Claims(processes)
    shares = parallel.in_processes(  # list(): a rule may give a generator, which cannot go back from a process
        lambda: [(n, list(rule(arg))) for n, rule in enumerate(rules) if claims.owns(n)], processes)
    return [problem for _, found in parallel.in_order(shares) for problem in found]
