"""Stage 1: safe YAML loading with positions, no duplicate keys, schema-guided typing."""

import pytest

from generator.content.project import load_content
from generator.content.errors import ContentError
from generator.content.reader import MAX_DEPTH, load_schema_registry, make_resolver, parse_yaml


@pytest.fixture(scope="module")
def doc_schema(root):
    registry = load_schema_registry(root / "schema")
    return registry["document.schema.json"], make_resolver(registry)


def test_positions_of_values_and_keys_are_one_based():
    raw = parse_yaml("id: a\ntasks:\n  - id: first\n    title: T\n", "x.yaml")
    assert raw.positions[("id",)] == (1, 5)
    assert raw.positions[("tasks", 0, "id")] == (3, 9)
    assert raw.key_positions[("tasks", 0, "title")] == (4, 5)
    assert raw.where(("tasks", 0, "missing")) == (3, 5)  # nearest ancestor: the task mapping


def test_a_file_without_problems_finds_its_positions_only_when_asked():
    raw = parse_yaml("id: a\ntasks:\n  - id: first\n    title: T\n", "x.yaml")
    assert raw.text is not None and not raw._positions  # what load processes send back: the text, not positions
    assert raw.where(("tasks", 0, "title"), key=True) == (4, 5)
    assert raw.text is None and raw.positions[("tasks", 0, "id")] == (3, 9)


def test_duplicate_key_is_an_error_naming_both_lines():
    with pytest.raises(ContentError) as exc:
        parse_yaml("id: a\ntitle: one\ntitle: two\n", "dup.yaml")
    [problem] = exc.value.problems
    assert (problem.path, problem.line, problem.column) == ("dup.yaml", 3, 1)
    assert "duplicate key 'title' (first at line 2)" in problem.message


def test_aliases_and_tags_are_refused():
    with pytest.raises(ContentError, match="anchors and aliases"):
        parse_yaml("a: &x [1]\nb: *x\n", "alias.yaml")
    with pytest.raises(ContentError, match="tag .* is not allowed"):
        parse_yaml("a: !!python/object:os.system {}\n", "tag.yaml")


def test_syntax_error_has_position():
    with pytest.raises(ContentError) as exc:
        parse_yaml("id: a\ntitle: [unclosed\n", "bad.yaml")
    problem = exc.value.problems[0]
    assert problem.line >= 2 and "YAML syntax" in problem.message


def test_scalars_stay_text_unless_the_schema_wants_a_number(doc_schema):
    schema, resolve = doc_schema
    text = ("id: NO\ntitle: 1.10\nsection: 0123\nissued: 2020-07-21\n"
            "tasks:\n  - id: no\n    title: yes\n    indicators:\n      - value: 63\n        value_max: 1.5\n"
            "        unit: 63\n")
    data = parse_yaml(text, "t.yaml", schema, resolve).data
    assert data["id"] == "NO" and data["title"] == "1.10" and data["section"] == "0123"
    assert data["issued"] == "2020-07-21"
    assert data["tasks"][0]["id"] == "no" and data["tasks"][0]["title"] == "yes"
    ind = data["tasks"][0]["indicators"][0]
    assert ind["value"] == 63 and isinstance(ind["value"], int)
    assert ind["value_max"] == 1.5
    assert ind["unit"] == "63"  # unquoted, yet text: the schema types unit as text


def test_quoted_number_stays_text_and_fails_the_schema(scratch):
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 63", 'value: "63"'), encoding="utf-8")
    from generator.content.checks import check
    with pytest.raises(ContentError) as exc:
        check(load_content(scratch))
    assert any("expected number, got '63'" in p.message for p in exc.value.problems)


def test_the_real_content_loads(root):
    from generator.content.project import Project
    loaded = load_content(Project(root))
    assert len(loaded.documents) == 6
    assert set(loaded.sources) == {d.data["source"]["file"] for d in loaded.documents}


def test_libyaml_fast_path_gives_the_same_records_and_positions(root, doc_schema, monkeypatch):
    from generator.content import reader as load
    schema, resolve = doc_schema
    for path in sorted((root / "content" / "documents").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert load._read_fast(text, path.name) is not None or load._CLoader is None
        fast = parse_yaml(text, path.name, schema, resolve)
        with monkeypatch.context() as m:
            m.setattr(load, "_CLoader", None)
            slow = parse_yaml(text, path.name, schema, resolve)
        assert fast.data == slow.data
        assert fast.positions == slow.positions and fast.key_positions == slow.key_positions


def test_fast_path_declines_what_only_the_careful_path_reports():
    from generator.content.reader import _read_fast
    for text in ("a: &x 1\nb: *x\n", "a: [unclosed\n", "a: 1\na: 2\n", "a: !!python/none x\n",
                 "? [a]\n: b\n", "<<: x\n", "a: 1\n---\nb: 2\n", "# nothing\n"):
        assert _read_fast(text, "x.yaml") is None, text


@pytest.mark.parametrize("text", ["[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), "a:\n" + "- [1, 2]\n" * 100_001])
def test_both_paths_refuse_what_is_over_the_limits_at_the_same_value(text, monkeypatch):
    from generator.content import reader
    with pytest.raises(ContentError) as fast:
        reader._read_fast(text, "x.yaml")
    with monkeypatch.context() as m:
        m.setattr(reader, "_CLoader", None)
        with pytest.raises(ContentError) as careful:
            reader.parse_yaml(text, "x.yaml")
    assert fast.value.problems == careful.value.problems
    assert "too many or too deeply nested values" in fast.value.problems[0].message


def test_the_limits_let_through_what_is_just_within_them():
    raw = parse_yaml("[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH, "x.yaml")  # x inside MAX_DEPTH lists
    value = raw.data
    for _ in range(MAX_DEPTH):
        value = value[0]
    assert value == "x"


def test_text_given_to_the_reader_is_held_to_the_size_limit_too():
    from generator.content.reader import MAX_FILE_BYTES, read_data
    text = "a: " + "x" * MAX_FILE_BYTES + "\n"
    for read in (lambda: parse_yaml(text, "big.yaml"), lambda: read_data(text, "big.yaml")):
        with pytest.raises(ContentError) as exc:
            read()
        [p] = exc.value.problems
        assert (p.path, p.line, p.column) == ("big.yaml", 1, 1) and f"more than the {MAX_FILE_BYTES:,} allowed" in p.message


def test_read_data_reads_plain_data_within_the_limits_and_says_where_it_cannot():
    from generator.content.reader import MAX_DEPTH, read_data
    assert read_data("a: 1\nb: [x, 2020-01-02]\n", "x.yaml") == {"a": 1, "b": ["x", __import__("datetime").date(2020, 1, 2)]}
    assert read_data("a: 1\nb: 2020-01-02\n", "x.yaml", scalars="text") == {"a": "1", "b": "2020-01-02"}
    assert read_data("x: !!python/name:os.system\ny: 2\n", "mkdocs.yml", scalars="any tag") == {"x": None, "y": 2}
    assert read_data("", "x.yaml") is None
    for text, where, words in (("a: &x [1]\nb: *x\n", (1, 4), "anchors and aliases"),
                               ("a:\n  b: [c\n", (3, 1), "YAML syntax"),
                               ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), (1, MAX_DEPTH + 2), "too deeply nested"),
                               ("a: b\x07\n", (1, 5), "U+0007")):
        with pytest.raises(ContentError) as exc:
            read_data(text, "x.yaml", scalars="text")
        [p] = exc.value.problems
        assert (p.line, p.column) == where and words in p.message and p.hint, (text, p)
