"""Stage 2: check loaded content against the JSON Schema, its references and its sources."""

from __future__ import annotations

import datetime
import functools
import json
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import fastjsonschema

from generator.content import addresses, passages
from generator.content.project import SCHEMAS, Loaded
from generator.content.errors import ContentError, Problem, did_you_mean
from generator.content.reader import RawFile, make_resolver
from generator.content.passages import quotes_of
from generator.content.text import find_quote, located, normalise, quote_mismatch
from generator.content.vocabulary import LEVEL_RANK

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

RULES = [*addresses.RULES, *passages.RULES]  # run once the records have their shape and references
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


def _describe(value) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"


def _branch_relevance(error):
    """Rank the errors of a failed anyOf branch: prefer the branch whose type fits the value.

    jsonschema's own ranking prefers the shallower error, so '2020-13-01' for a `date | "unknown"`
    field would be reported as "not 'unknown'" rather than as a bad date.
    """
    from jsonschema.exceptions import relevance

    return (error.validator not in ("type", "const"), *relevance(error))


def schema_problems(raw: RawFile, validator: Draft202012Validator) -> list[Problem]:
    """Every schema violation in one file, in words an editor understands."""
    from jsonschema.exceptions import best_match

    problems = []
    for error in validator.iter_errors(raw.data):
        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context, key=_branch_relevance) if error.validator_value else error
            # best_match on a failed `quote: string | list` picks the branch nearest the data
        path = tuple(error.absolute_path)
        field = ".".join(str(p) for p in path) or "(top level)"
        key = False
        v = error.validator
        if v == "required":
            missing = error.message.split("'")[1]
            message, hint = f"missing required field '{missing}'", f"add `{missing}:`; see its description in schema/"
        elif v == "additionalProperties":
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            name = extra[0] if extra else "?"
            path = path + (name,)
            key = True
            suggestion = did_you_mean(name, list(error.schema.get("properties", {})))
            message = f"unknown field '{name}'"
            hint = suggestion or "allowed fields: " + ", ".join(error.schema.get("properties", {}))
        elif v == "pattern" and "[a-z0-9]+(-[a-z0-9]+)*$" in error.validator_value:
            message, hint = f"{field}: {_describe(error.instance)} is not a valid id", SLUG_HINT
        elif v == "pattern" and "[0-9]{4}" in error.validator_value:
            message = f"{field}: {_describe(error.instance)} is not a date"
            hint = "write a year (2020), a month (2020-07) or a day (2020-07-21); or unknown"
        elif v == "pattern":
            message, hint = f"{field}: {_describe(error.instance)} has the wrong form", (
                error.schema.get("description", ""))
        elif v == "enum":
            message = f"{field}: {_describe(error.instance)} is not allowed"
            hint = "use one of: " + ", ".join(str(x) for x in error.validator_value)
            close = did_you_mean(str(error.instance), [str(x) for x in error.validator_value])
            hint = f"{close} " + hint if close else hint
        elif v == "const":
            message = f"{field}: {_describe(error.instance)} is not allowed"
            hint = error.schema.get("description", "") or f"use {error.validator_value!r}"
        elif v == "type":
            wanted = error.validator_value
            message = f"{field}: expected {wanted}, got {_describe(error.instance)}"
            article = "an" if str(wanted)[:1] in "aeiou" else "a"
            hint = "write a number without quotes, e.g. 63" if wanted in ("number", "integer") else (
                "quote the value if it is text" if wanted == "string" else f"this field takes {article} {wanted}")
        elif v in ("minLength", "minItems"):
            message, hint = f"{field}: is empty or too short", "fill it in, or leave the field out if it is optional"
        elif v in ("maxLength", "maxItems"):
            message, hint = f"{field}: is too long ({v} {error.validator_value})", "shorten it"
        elif v == "uniqueItems":
            message, hint = f"{field}: lists the same entry twice", "remove the repeat"
        else:
            message, hint = f"{field}: {error.message}", ""
        problems.append(raw.problem(path, message, hint, key=key))
    return problems


def _real_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


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


def check(loaded: Loaded) -> None:
    """Raise ContentError listing every problem in the loaded content."""
    fast = compiled_validators(loaded.registry)
    slow = None
    problems: list[Problem] = []
    files = [(loaded.jurisdictions, "jurisdictions"), (loaded.bodies, "bodies"), (loaded.themes, "themes")]
    for raw, name in files + [(raw, "document") for raw in loaded.documents]:
        if not fast[name](raw.data):
            slow = slow or validators(loaded.registry)
            problems += schema_problems(raw, slow[name])
    if problems:
        # References are only meaningful once every record has the right shape.
        raise ContentError(problems)
    problems += _check_references(loaded)
    if problems:
        raise ContentError(problems)
    problems += [problem for rule in RULES for problem in rule(loaded)]
    if problems:
        raise ContentError(problems)


def _check_references(loaded: Loaded) -> list[Problem]:
    problems: list[Problem] = []
    jur_raw, body_raw, theme_raw = loaded.jurisdictions, loaded.bodies, loaded.themes
    jurs = jur_raw.data["jurisdictions"]
    bodies = body_raw.data["bodies"]
    themes = theme_raw.data["themes"]
    problems += _unique(jur_raw, jurs, ("jurisdictions",), "jurisdiction")
    problems += _unique(body_raw, bodies, ("bodies",), "body")
    problems += _unique(theme_raw, themes, ("themes",), "theme")

    jur_by_id = {j["id"]: j for j in jurs}
    for n, j in enumerate(jurs):
        parent = j.get("parent")
        if parent and parent not in jur_by_id:
            problems.append(jur_raw.problem(("jurisdictions", n, "parent"), f"unknown jurisdiction '{parent}'",
                                            did_you_mean(parent, list(jur_by_id)) or "add it to this file first"))
        elif parent and LEVEL_RANK[jur_by_id[parent]["level"]] >= LEVEL_RANK[j["level"]]:
            problems.append(jur_raw.problem(("jurisdictions", n, "parent"),
                f"parent '{parent}' ({jur_by_id[parent]['level']}) is not above {j['level']} '{j['id']}'",
                "a parent is a higher level of government"))

    theme_by_id = {t["id"]: t for t in themes}
    for n, t in enumerate(themes):
        parent = t.get("parent")
        if parent and parent not in theme_by_id:
            problems.append(theme_raw.problem(("themes", n, "parent"), f"unknown theme '{parent}'",
                                              did_you_mean(parent, list(theme_by_id)) or "add it first"))
        elif parent and theme_by_id[parent].get("parent"):
            problems.append(theme_raw.problem(("themes", n, "parent"),
                f"theme '{parent}' is itself under '{theme_by_id[parent]['parent']}'",
                "themes have two levels: a parent must be a top-level theme"))

    # Names (ids, English names, aliases) that stand for a body, for "did you mean".
    body_names: dict[str, str] = {}
    alias_owner: dict[str, tuple[str, int]] = {}
    for n, b in enumerate(bodies):
        body_names[b["id"]] = b["id"]
        for a_n, name in enumerate([b["name"]] + b.get("aliases", [])):
            body_names[name] = b["id"]
            key = normalise(name).lower()
            if key in alias_owner and alias_owner[key][0] != b["id"]:
                path = ("bodies", n, "aliases", a_n - 1) if a_n else ("bodies", n, "name")
                problems.append(body_raw.problem(path,
                    f"'{name}' already names body '{alias_owner[key][0]}'",
                    "one name stands for one body; merge the two bodies or drop the alias"))
            alias_owner.setdefault(key, (b["id"], n))
        jur = b.get("jurisdiction")
        if jur and jur not in jur_by_id:
            problems.append(body_raw.problem(("bodies", n, "jurisdiction"), f"unknown jurisdiction '{jur}'",
                                             did_you_mean(jur, list(jur_by_id)) or "see content/jurisdictions.yaml"))
    body_ids = {b["id"] for b in bodies}

    def body_ref(raw: RawFile, path: tuple, ident: str) -> None:
        if ident not in body_ids:
            hint = did_you_mean(ident, body_names) or (
                "add the body to content/bodies.yaml (CONTRIBUTING.md, section 5: Add a body or an alias)")
            problems.append(raw.problem(path, f"unknown body '{ident}'", hint))

    def theme_ref(raw: RawFile, path: tuple, ident: str) -> None:
        if ident not in theme_by_id:
            problems.append(raw.problem(path, f"unknown theme '{ident}'",
                did_you_mean(ident, {t["id"]: t["id"] for t in themes} | {t["title"]: t["id"] for t in themes})
                or "see content/themes.yaml for the list"))

    docs = {raw.data["id"]: raw for raw in loaded.documents}
    doc_counts = Counter(raw.data["id"] for raw in loaded.documents)
    for raw in loaded.documents:
        doc = raw.data
        stem = raw.path.rsplit("/", 1)[-1].removesuffix(".yaml")
        if doc_counts[doc["id"]] > 1:
            problems.append(raw.problem(("id",), f"duplicate document id '{doc['id']}'", "each document needs its own id"))
        if doc["id"] != stem:
            problems.append(raw.problem(("id",), f"id '{doc['id']}' differs from the file name '{stem}.yaml'",
                                        f"rename the file to {doc['id']}.yaml or set id: {stem}"))
        if doc["jurisdiction"] not in jur_by_id:
            problems.append(raw.problem(("jurisdiction",), f"unknown jurisdiction '{doc['jurisdiction']}'",
                did_you_mean(doc["jurisdiction"], list(jur_by_id)) or "add it to content/jurisdictions.yaml"))
        if isinstance(doc["issuer"], list):
            for n, ident in enumerate(doc["issuer"]):
                body_ref(raw, ("issuer", n), ident)
        for path, value in _dates(doc):
            if not _real_date(value):
                problems.append(raw.problem(path, f"{value} is not a real date", "check the month and day"))
        period = doc["period"]
        if isinstance(period, dict) and _real_date(period["start"]) and _real_date(period["end"]):
            if period["start"] > period["end"][: len(period["start"])]:
                problems.append(raw.problem(("period",), f"period starts ({period['start']}) after it ends ({period['end']})",
                                            "swap start and end"))
        source_text = loaded.sources.get(doc["source"]["file"])
        if source_text is None:
            problems.append(raw.problem(("source", "file"), f"source file content/sources/{doc['source']['file']} is missing",
                                        "copy the source text there, byte for byte as received"))
            normalised_source = None
        else:  # where each quote is, found in one pass when there are many
            normalised_source = located(normalise(source_text), [q for _, q, _ in quotes_of(raw)])
        problems += _unique(raw, doc["tasks"], ("tasks",), "task")
        task_ids = {t["id"] for t in doc["tasks"]}
        for n, note in enumerate(doc.get("notes", [])):
            _quote(raw, ("notes", n, "quote"), note["quote"], normalised_source, problems)
        for t_n, task in enumerate(doc["tasks"]):
            base = ("tasks", t_n)
            quotes = task["quote"] if isinstance(task["quote"], list) else [task["quote"]]
            for q_n, quote in enumerate(quotes):
                _quote(raw, base + (("quote", q_n) if isinstance(task["quote"], list) else ("quote",)),
                       quote, normalised_source, problems)
            if "bodies_quote" in task:
                _quote(raw, base + ("bodies_quote",), task["bodies_quote"], normalised_source, problems)
            for th_n, theme in enumerate(task["themes"]):
                theme_ref(raw, base + ("themes", th_n), theme)
            for b_n, ref in enumerate(task["bodies"]):
                body_ref(raw, base + ("bodies", b_n, "body"), ref["body"])
            if task["bodies"] and "bodies_quote" not in task:
                problems.append(raw.problem(base + ("bodies",), "bodies are named but bodies_quote is missing",
                                            "quote the source's words that name them in bodies_quote"))
            indicators = task.get("indicators", [])
            problems += _unique(raw, indicators, base + ("indicators",), "indicator")
            for i_n, ind in enumerate(indicators):
                ipath = base + ("indicators", i_n)
                _quote(raw, ipath + ("quote",), ind["quote"], normalised_source, problems)
                if (ind["comparator"] == "range") != ("value_max" in ind):
                    problems.append(raw.problem(ipath + ("comparator",),
                        "a range needs value_max, and value_max needs comparator: range",
                        "for '1-2 counties' write value: 1, value_max: 2, comparator: range"))
                elif "value_max" in ind and ind["value_max"] <= ind["value"]:
                    problems.append(raw.problem(ipath + ("value_max",), "value_max must be above value",
                                                "value is the lower end of the range"))
            for f_n, former in enumerate(task.get("former_ids", [])):
                if former in task_ids:
                    problems.append(raw.problem(base + ("former_ids", f_n),
                        f"former id '{former}' is the id of a current task", "an id is never reused"))
            for i_n, ref in enumerate(task.get("implements", [])):
                path = base + ("implements", i_n)
                target_doc, _, target_task = ref.partition("/")
                if target_doc not in docs:
                    problems.append(raw.problem(path, f"unknown document '{target_doc}'",
                        did_you_mean(target_doc, list(docs)) or "implements takes <document-id>/<task-id>"))
                    continue
                target = docs[target_doc].data
                target_ids = {t["id"] for t in target["tasks"]}
                if target_task not in target_ids:
                    problems.append(raw.problem(path, f"document '{target_doc}' has no task '{target_task}'",
                        did_you_mean(target_task, sorted(target_ids)) or f"see content/documents/{target_doc}.yaml"))
                    continue
                mine, theirs = jur_by_id.get(doc["jurisdiction"]), jur_by_id.get(target["jurisdiction"])
                if mine and theirs and LEVEL_RANK[theirs["level"]] >= LEVEL_RANK[mine["level"]]:
                    problems.append(raw.problem(path,
                        f"'{ref}' is not a higher-level document ({theirs['level']}, not above {mine['level']})",
                        "implements links a local task to the national or provincial task it carries out"))
    return problems


def _dates(doc: dict):
    if doc["issued"] != "unknown":
        yield ("issued",), doc["issued"]
    if isinstance(doc["period"], dict):
        yield ("period", "start"), doc["period"]["start"]
        yield ("period", "end"), doc["period"]["end"]
    for t_n, task in enumerate(doc["tasks"]):
        for i_n, ind in enumerate(task.get("indicators", [])):
            if ind["deadline"] != "unknown":
                yield ("tasks", t_n, "indicators", i_n, "deadline"), ind["deadline"]


def _quote(raw: RawFile, path: tuple, quote: str, source: str | None, problems: list[Problem]) -> None:
    if source is None:
        return
    if find_quote(source, quote) < 0:
        problems.append(raw.problem(path, "quote is not in the source text", quote_mismatch(source, quote)))
