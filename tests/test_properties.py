"""Properties of the loader and the checks, on arbitrary and hostile input.

* parse_yaml and the full check raise nothing but ContentError, whatever text or YAML-shaped data they get;
  every problem they report has a position inside the file, a message and a hint.
* YAML's implicit typing never reaches the content: `no`, `1.10`, `0123`, `2020-07-21`, `true` stay the
  strings they were in string fields, and only fields the schema declares numeric become numbers.
"""

from __future__ import annotations

import copy
import dataclasses
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.checks import check, compiled_validators, validators
from generator.content.project import load_content
from generator.content.errors import ContentError
from generator.content.reader import load_schema_registry, make_resolver, parse_yaml
from generator.model.site import build_model

from .conftest import FIXTURE_CONTENT, ROOT, copy_project, read_yaml

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DOC_FILE = "feixi-health-capacity-five-aspects"
DISPLAY = f"content/documents/{DOC_FILE}.yaml"

with tempfile.TemporaryDirectory() as _tmp:
    _REAL = load_content(copy_project(Path(_tmp) / "project"))
# Beside the document under test, a national document cut down to the tasks Feixi implements, so
# that `implements` resolves and each example stays fast (schema validation dominates the check).
_CHINA = next(d for d in _REAL.documents if d.path.endswith("/china-2020-h2-key-tasks.yaml"))
# Its links to the earlier document of its series (not loaded here) are left out.
_CHINA = dataclasses.replace(_CHINA, data={**{k: v for k, v in _CHINA.data.items() if k != "follows"}, "tasks": [
    {k: v for k, v in t.items() if k != "continues"} for t in _CHINA.data["tasks"]
    if t["id"] in {"reform-disease-prevention-system", "improve-infectious-disease-early-warning"}]})
_REGISTRY = load_schema_registry(ROOT / "schema")
_RESOLVE = make_resolver(_REGISTRY)
_DOC_SCHEMA = _REGISTRY["document.schema.json"]
_ORIGINAL = read_yaml(FIXTURE_CONTENT / "documents" / f"{DOC_FILE}.yaml")
# Cut down to a task of each kind (plain, with indicators, with implements): pure-Python YAML is slow.
_ORIGINAL["notes"] = _ORIGINAL["notes"][:2]
_ORIGINAL["tasks"] = [t for t in _ORIGINAL["tasks"] if t["id"] in {
    "introduce-high-end-resources", "recruit-medical-graduates", "disease-prevention-system"}]


def parse_doc(text: str):
    return parse_yaml(text, DISPLAY, _DOC_SCHEMA, _RESOLVE)


_SMALL_FEIXI = parse_doc(yaml.safe_dump(_ORIGINAL, allow_unicode=True, sort_keys=False))


def _quoted_only(doc: dict) -> str:
    """A source text of just what the cut-down document quotes, so that it accounts for all of its source."""
    quotes = [n["quote"] for n in doc.get("notes", [])]
    for t in doc["tasks"]:
        quotes += t["quote"] if isinstance(t["quote"], list) else [t["quote"]]
        quotes += [t["bodies_quote"]] if "bodies_quote" in t else []
    return "\n".join(quotes) + "\n"


_REAL = dataclasses.replace(_REAL, sources={**_REAL.sources, _CHINA.data["source"]["file"]: _quoted_only(_CHINA.data),
                                            _ORIGINAL["source"]["file"]: _quoted_only(_ORIGINAL)})
SHARED = ("jurisdictions", "bodies", "themes")
SOURCES = {f"content/sources/{name}" for name in _REAL.sources}  # where a passage neither quoted nor noted is
_PATHS = {DISPLAY, _CHINA.path} | {f"content/{name}.yaml" for name in SHARED}
_SHARED_ORIGINAL = {name: read_yaml(FIXTURE_CONTENT / f"{name}.yaml")
                    for name in SHARED}


def full_check(text: str, which: str = "document") -> None:
    """Load `text` as the (cut-down) Feixi document, or as one of the shared files, beside the real
    content, and run every check and the model.

    Raises ContentError or nothing; the problems must point into the file.
    """
    display = DISPLAY if which == "document" else f"content/{which}.yaml"
    try:
        if which == "document":
            loaded = dataclasses.replace(_REAL, documents=[_CHINA, parse_doc(text)])
        else:
            raw = parse_yaml(text, display, _REGISTRY[f"{which}.schema.json"], _RESOLVE)
            loaded = dataclasses.replace(_REAL, documents=[_CHINA, _SMALL_FEIXI], **{which: raw})
        check(loaded)
        build_model(loaded)  # content that passes the checks must model without error
    except ContentError as exc:
        assert_problems_are_well_formed(exc, text, display)
        raise


def assert_problems_are_well_formed(exc: ContentError, text: str, display: str = DISPLAY) -> None:
    lines = len(text.splitlines()) + 1  # YAML also breaks lines at \r, NEL, U+2028 and U+2029
    assert exc.problems
    for p in exc.problems:
        # a broken shared file may break references from the others, which are blamed where they refer
        assert p.path == display or p.path in SOURCES or (display != DISPLAY and p.path in _PATHS), p
        assert 1 <= p.line <= (lines + 1 if p.path == display else 10_000), (p, lines)
        assert p.column >= 1, p
        assert p.message.strip(), p
        assert p.hint.strip(), f"no hint for: {p}"
        assert str(p).startswith(f"{p.path}:{p.line}:{p.column}: error: ")
    assert exc.report().endswith("nothing was written.")


def never_raises_other_than_content_error(text: str, which: str = "document") -> None:
    try:
        full_check(text, which)
    except ContentError:
        pass


# --- strategies ---------------------------------------------------------------------------------

YAML_CHARS = string.ascii_lowercase[:6] + string.digits[:3] + " \n\t-:?,[]{}#&*!|>'\"%@`.~\\"
yamlish_text = st.text(alphabet=st.sampled_from(list(YAML_CHARS)), max_size=200)

leaves = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.dates()
          | st.sampled_from(["unknown", "no", "NO", "yes", "on", "1.10", "0123", "0x1f", "1_000", "1:20",
                             ".inf", "~", "null", "2020-07-21", "2020-13-01", "=", "range", "lead"]))
yaml_data = st.recursive(
    leaves, lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                               max_size=4),
    max_leaves=25)

# Plausible values for a document's fields: real ids, dates good and bad, numbers, text, structures.
plausible = (
    st.sampled_from([t["id"] for t in _REAL.themes.data["themes"]][:10]
                    + [b["id"] for b in _REAL.bodies.data["bodies"]]
                    + [j["id"] for j in _REAL.jurisdictions.data["jurisdictions"]]
                    + ["china-2020-h2-key-tasks/reform-disease-prevention-system", f"{DOC_FILE}/introduce-talent",
                       "jiangxi-2020-h2-key-tasks/x", "unknown", "2020", "2020-07", "2021-02-29", "2020-02-29",
                       "0000", "9999-12-31", "range", "=", "about", "lead", "participate", "zh", "en",
                       "national", "province", "prefecture", "city", "county", "public-health",
                       "National Health Commission", "NDRC",
                       "plan to recruit 1,000 graduates within three years", "within three years"])
    | st.integers(-10, 10_000) | st.floats(allow_nan=False, allow_infinity=False) | st.booleans()
    | st.just([]) | st.just({}) | yaml_data)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated(draw, original):
    """A real content file's data with a few values replaced, removed or added."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(plausible)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["value_max", "implements", "bodies_quote", "former_ids", "baseline",
                                         "extra", "notes", "id"]))] = draw(plausible)
        else:
            parent.append(draw(plausible))
    return doc


# --- never anything but ContentError ------------------------------------------------------------

@SETTINGS
@given(st.text())
def test_arbitrary_text(text):
    never_raises_other_than_content_error(text)


@SETTINGS
@given(yamlish_text)
def test_arbitrary_yaml_punctuation(text):
    never_raises_other_than_content_error(text)


@settings(SETTINGS, max_examples=100)
@given(yaml_data)
def test_arbitrary_yaml_data(data):
    never_raises_other_than_content_error(yaml.safe_dump(data, allow_unicode=True))


@settings(SETTINGS, max_examples=100)
@given(yaml_data, st.sampled_from(["'", '"', "|", ">", "plain"]))
def test_arbitrary_yaml_data_in_every_style(data, style):
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=True,
                          default_style=None if style == "plain" else style)
    never_raises_other_than_content_error(text)


@SETTINGS
@given(mutated(_ORIGINAL))
def test_mutated_real_document(doc):
    never_raises_other_than_content_error(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


@settings(SETTINGS, max_examples=100)
@given(st.sampled_from(SHARED).flatmap(lambda name: st.tuples(st.just(name), mutated(_SHARED_ORIGINAL[name]))))
def test_mutated_shared_files(case):
    which, data = case
    never_raises_other_than_content_error(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), which)


_FAST = compiled_validators(_REGISTRY)
_SLOW = validators(_REGISTRY)


def assert_never_looser(data, which: str) -> None:
    """check() trusts a pass of the compiled validator, so it must pass nothing jsonschema refuses."""
    if _FAST[which](data):
        assert not list(_SLOW[which].iter_errors(data)), data


@SETTINGS
@given(mutated(_ORIGINAL))
def test_the_compiled_validator_is_never_looser_on_a_document(doc):
    assert_never_looser(doc, "document")  # as drawn: None, dates, floats, booleans anywhere
    try:
        raw = parse_doc(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    except ContentError:
        return
    assert_never_looser(raw.data, "document")  # as loaded: text, and numbers where the schema wants them


@settings(SETTINGS, max_examples=100)
@given(st.sampled_from(SHARED).flatmap(lambda name: st.tuples(st.just(name), mutated(_SHARED_ORIGINAL[name]))))
def test_the_compiled_validator_is_never_looser_on_shared_files(case):
    assert_never_looser(*reversed(case))


def test_the_unmutated_files_pass():
    full_check(yaml.safe_dump(_ORIGINAL, allow_unicode=True, sort_keys=False))
    for name in SHARED:
        full_check(yaml.safe_dump(_SHARED_ORIGINAL[name], allow_unicode=True, sort_keys=False), name)


@SETTINGS
@given(st.text(max_size=50))
def test_parse_yaml_without_a_schema(text):
    try:
        parse_yaml(text, "x.yaml")
    except ContentError as exc:
        assert all(p.path == "x.yaml" and p.line >= 1 and p.column >= 1 for p in exc.problems)


# --- implicit typing ----------------------------------------------------------------------------

IMPLICIT = ["no", "NO", "1.10", "0123", "2020-07-21", "true"]


@pytest.mark.parametrize("word", IMPLICIT)
def test_implicitly_typed_words_stay_strings_in_string_fields(word):
    slug_ok = word == word.lower() and "." not in word
    text = (f"id: x\ntitle: {word}\ntitle_zh: {word}\nsummary: {word}\n"
            "tasks:\n"
            f"  - id: {word if slug_ok else 'a-task'}\n"
            f"    title: {word}\n"
            f"    section: {word}\n"
            "    indicators:\n"
            "      - value: 63\n"
            f"        unit: {word}\n"
            f"        measure: {word}\n")
    data = parse_doc(text).data
    assert data["title"] == word and type(data["title"]) is not bool
    for field in ("title", "title_zh", "summary"):
        assert data[field] == word and isinstance(data[field], str), field
    task = data["tasks"][0]
    assert task["title"] == word and task["section"] == word
    if slug_ok:
        assert task["id"] == word
    indicator = task["indicators"][0]
    assert indicator["unit"] == word and indicator["measure"] == word
    assert indicator["value"] == 63 and type(indicator["value"]) is int


def test_implicit_words_survive_the_whole_pipeline(scratch):
    """Through load_content (schema and resolver as the project passes them), the checks and the model."""
    path = scratch.content / "documents" / f"{DOC_FILE}.yaml"
    text = path.read_text(encoding="utf-8")
    ids = ["introduce-high-end-resources", "social-capital-services", "county-hospital-capacity",
           "smart-and-internet-hospitals", "quality-control-and-rational-use", "sanhe-shishu-health-centers"]
    new_ids = ["no", "0123", "2020-07-21", "true", "yes", "off"]
    for old, new in zip(ids, new_ids):
        text = text.replace(f"  - id: {old}\n", f"  - id: {new}\n", 1)
    titles = iter(IMPLICIT)
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("    title: ") or line.startswith("    section: "):
            word = next(titles, None)
            if word is not None:
                line = line.split(":", 1)[0] + f": {word}\n"
        lines.append(line)
    path.write_text("".join(lines), encoding="utf-8")

    loaded = load_content(scratch)
    check(loaded)
    site = build_model(loaded)
    doc = next(d for d in site.documents if d.id == DOC_FILE)
    assert [t.id for t in doc.tasks[:6]] == new_ids
    first, second, third = doc.tasks[:3]
    assert (first.title, first.section) == ("no", "NO")
    assert (second.title, second.section) == ("1.10", "0123")
    assert (third.title, third.section) == ("2020-07-21", "true")
    indicator = next(i for t in doc.tasks for i in t.indicators if i.id == "graduates-recruited")
    assert indicator.value == 1000 and type(indicator.value) is int


# YAML 1.1 spellings that PyYAML would turn into bools, ints, floats, dates or null.
implicit_words = st.one_of(
    st.sampled_from(["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
                     "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
                     ".inf", "-.Inf", ".NaN", "0o17", "0x1F", "0b101", "1_000", "190:20:30", "1e3", "6.8523015e+5"]),
    st.from_regex(r"\A[-+]?(0|[1-9][0-9]{0,8}|0[0-7]{1,6})\Z"),
    st.from_regex(r"\A[-+]?[0-9]{1,4}\.[0-9]{0,4}\Z"),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
)


@SETTINGS
@given(implicit_words)
def test_any_implicitly_typed_word_stays_the_same_string(word):
    assert parse_doc(f"title: {word}\nsection: {word}\n").data == {"title": word, "section": word}


@SETTINGS
@given(st.integers(-10**12, 10**12) | st.floats(-1e12, 1e12, allow_nan=False).map(lambda f: round(f, 4)))
def test_numbers_become_numbers_where_the_schema_wants_them(number):
    data = parse_doc(f"tasks:\n  - indicators:\n      - value: {number!r}\n        unit: {number!r}\n").data
    indicator = data["tasks"][0]["indicators"][0]
    assert indicator["value"] == number and not isinstance(indicator["value"], (str, bool))
    assert indicator["unit"] == repr(number)
