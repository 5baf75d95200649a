"""Stage 1: read YAML content safely, keeping the file, line and column of every node."""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from generator.content.characters import character_problems, exact_number
from generator.content.errors import ContentError, Problem

# The limits on every YAML text the project reads, checked in one place each (read_bytes and _size for the
# bytes, _Limits for the values), whichever parser reads it.
MAX_FILE_BYTES = 2_000_000  # a real document is a few KB; this bounds time and memory
MAX_NODES = 200_000  # values (scalars and collections) in one text
MAX_DEPTH = 50  # collections a value may be nested in

_ALLOWED_TAGS = {"tag:yaml.org,2002:" + t for t in
                 ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


@dataclass
class RawFile:
    """One content file as plain data, with the position of every value and key.

    A file read on the fast path keeps its text instead, and finds the positions when a problem first asks
    for one: they are most of what the load processes send back, and a file without problems needs none.
    """

    path: str
    data: Any
    text: str | None = field(default=None, repr=False)  # set while the positions are not yet found
    # from build/parsed: a build whose checks all passed read this text, so it meets the schemas (content/parsed.py)
    schema_valid: bool = field(default=False, compare=False, repr=False)
    _positions: dict[tuple, tuple[int, int]] = field(default_factory=dict, repr=False)
    _key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def positions(self) -> dict[tuple, tuple[int, int]]:
        """Line and column of every value, by its path of keys and indexes."""
        self._find_positions()
        return self._positions

    @property
    def key_positions(self) -> dict[tuple, tuple[int, int]]:
        """Line and column of every mapping key, by the path of its value."""
        self._find_positions()
        return self._key_positions

    def _find_positions(self) -> None:
        if self.text is not None:
            again = _read_fast(self.text, self.path, positions=True) or _read_carefully(self.text, self.path)
            self._positions, self._key_positions, self.text = again._positions, again._key_positions, None

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column of the node at `path`, or of its nearest ancestor."""
        table = self.key_positions if key else self.positions
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: tuple, message: str, hint: str = "", key: bool = False) -> Problem:
        line, col = self.where(path, key)
        return Problem(self.path, line, col, message, hint)


class _TooBig(Exception):
    """Raised while parsing, at the first value over MAX_NODES or MAX_DEPTH."""

    def __init__(self, mark):
        super().__init__("too many or too deeply nested values")
        self.mark = mark


def _too_big_problem(display: str, mark) -> Problem:
    return Problem(display, *_position(mark), "too many or too deeply nested values", "a content file holds one document")


class _Limits:
    """Counts the values of one YAML text as they are parsed: the one check of MAX_NODES and MAX_DEPTH.

    Every reader checks each value here before building it, so a huge or deeply nested text stops early
    (PyYAML's composer recurses once per level and keeps every node in memory).
    """

    __slots__ = ("nodes",)

    def __init__(self):
        self.nodes = 0

    def value(self, event, depth: int) -> None:
        """Count the value that `event` starts, inside `depth` collections; raise _TooBig at it if over a limit."""
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _TooBig(event.start_mark)

    def events(self, events):
        """The events of a text, each value counted; an anchor or an alias raised as a ComposerError."""
        depth = 0
        for event in events:
            kind = type(event)
            if kind in _NODE_KINDS or kind is yaml.AliasEvent:
                self.value(event, depth)
                _no_anchor(event)
                depth += kind is not yaml.ScalarEvent and kind is not yaml.AliasEvent
            elif kind in _COLLECTION_ENDS:
                depth -= 1
            yield event


class _AnchorRefused(yaml.composer.ComposerError):
    """An anchor or an alias, refused: an alias bomb costs nothing to write."""


def _no_anchor(event) -> None:
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise _AnchorRefused(None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and composes within the limits."""

    def __init__(self, text: str):
        super().__init__(text)
        self._limits, self._depth = _Limits(), 0

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML hook)
        event = self.peek_event()
        self._limits.value(event, self._depth)
        _no_anchor(event)
        self._depth += 1
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


_CLoader = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str):
    """Compose with libyaml when the text is plain YAML within the limits, else None.

    About ten times faster than the Python composer. Anything unusual (an anchor, an alias, too
    deep or too many values, a syntax error) returns None, and the Python path then reports it
    with the same positions and words as always.
    """
    if _CLoader is None:
        return None
    try:
        for _ in _Limits().events(yaml.parse(text, Loader=_CLoader)):  # a flat event stream: bounded before composing
            pass
        loader = _CLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except (_TooBig, yaml.YAMLError, ValueError):
        return None


# The first characters of the plain scalars that may resolve to a tag not allowed (`<<` merge, `=` value).
# Any other scalar, sequence or mapping without a tag resolves to an allowed one: no need to look it up.
_REFUSABLE_FIRST = {first for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
                    if any(tag not in _ALLOWED_TAGS for tag, _ in resolvers)}
_NODE_KINDS = {yaml.ScalarEvent: ScalarNode, yaml.SequenceStartEvent: SequenceNode,
               yaml.MappingStartEvent: MappingNode}
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _read_fast(text: str, display: str, positions: bool = False) -> RawFile | None:
    """What _read_carefully reads, built straight from libyaml's events, or None; with `positions` (else
    the RawFile keeps the text to find them when asked).

    Twice as fast as composing nodes and walking them, for the files that are plain YAML with no problem.
    Anything else (an anchor, an alias, a tag or key _to_python refuses, a repeated key, a second document,
    too deep or too many values, a syntax error) returns None: _read_carefully then reports it with the
    same positions and words as always. The limits hold before anything more is built.
    """
    if _CLoader is None:
        return None
    raw = RawFile(display, None)
    where, key_where = raw._positions, raw._key_positions
    loader = _CLoader(text)
    filling: list[list] = []  # the open collections: [value, path, the key event whose value comes next]
    limits, documents = _Limits(), 0
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind in _COLLECTION_ENDS:
                filling.pop()
                continue
            if kind not in _NODE_KINDS:
                if kind is yaml.AliasEvent or (kind is yaml.DocumentStartEvent and documents):
                    return None
                documents += kind is yaml.DocumentStartEvent
                continue
            limits.value(event, len(filling))  # raised here: the careful path would compose it all in Python first
            tag = event.tag
            if tag is None or tag == "!":  # resolved as the composer would, where that may give a tag not allowed
                refused = (kind is yaml.ScalarEvent and event.implicit[0] and event.value[:1] in _REFUSABLE_FIRST
                           and loader.resolve(ScalarNode, event.value, event.implicit) not in _ALLOWED_TAGS)
            else:
                refused = tag not in _ALLOWED_TAGS
            if refused or event.anchor is not None:
                return None
            if kind is yaml.ScalarEvent:
                value = _Plain(event.value) if event.style in (None, "") else event.value  # libyaml marks plain ''
            else:
                value = {} if kind is yaml.MappingStartEvent else []
            path = ()
            if filling:
                parent, path, key = filling[-1]
                if type(parent) is list:
                    path += (len(parent),)
                    parent.append(value)
                elif key is None:  # this node is a key
                    if kind is not yaml.ScalarEvent:
                        return None
                    filling[-1][2] = event
                    continue
                else:
                    if key.value in parent:
                        return None
                    path += (key.value,)
                    if positions:
                        key_where[path] = _position(key.start_mark)
                    parent[key.value] = value
                    filling[-1][2] = None
            else:
                raw.data = value
            if positions:
                where[path] = _position(event.start_mark)
            if kind is not yaml.ScalarEvent:
                filling.append([value, path, None])
    except _TooBig as exc:
        raise ContentError([_too_big_problem(display, exc.mark)]) from None
    except (yaml.YAMLError, ValueError):
        return None
    finally:
        loader.dispose()
    if not documents:
        return None
    if not positions:
        raw.text = text
    return raw


def _position(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def refusal(path: str, display: str, mode: int) -> Problem | None:
    """Why the thing at `path` (lstat's `mode`) cannot be read as a content file, or None if it is a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return Problem(display, 1, 1, f"is a symbolic link to {target}; content files are never links",
                       "replace the link with a copy of the text itself (content is read only from content/)")
    if stat.S_ISDIR(mode):
        return Problem(display, 1, 1, "is a folder where a file is expected",
                       "move what it holds up one level, or remove it")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return Problem(display, 1, 1, f"is {kind}, not a regular file", "replace it with a plain text file")


def read_bytes(path: Path, display: str, inside: Path | None = None) -> bytes:
    """The bytes of one regular file, refused (as a ContentError) if it or any folder between `inside` and it
    is a link, a device, a pipe or a folder, or if it is larger than MAX_FILE_BYTES: nothing outside the
    project is ever read, and nothing unbounded."""
    folders = [path.parent] if inside is None else []
    if inside is not None:
        folder = inside
        folders.append(folder)
        for part in path.relative_to(inside).parts[:-1]:
            folder = folder / part
            folders.append(folder)
    for folder in folders:
        try:
            mode = os.lstat(folder).st_mode
        except OSError as exc:
            raise ContentError([_os_problem(display, exc)]) from None
        if not stat.S_ISDIR(mode):
            problem = refusal(str(folder), display, mode)
            raise ContentError([Problem(display, 1, 1, f"its folder {folder.name}/ {problem.message}",
                                        problem.hint)]) from None
    try:
        before = os.lstat(path)
    except OSError as exc:
        raise ContentError([_os_problem(display, exc)]) from None
    problem = refusal(str(path), display, before.st_mode)
    if problem is not None:
        raise ContentError([problem])
    if before.st_size > MAX_FILE_BYTES:
        raise ContentError([_too_big(display, before.st_size)])
    try:  # O_NOFOLLOW and the same inode: not swapped for a link since lstat; O_NONBLOCK: never waits on a pipe
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ContentError([_os_problem(display, exc)]) from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise ContentError([Problem(display, 1, 1, "changed while it was being read", "run the command again")])
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise ContentError([_too_big(display, total)])
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(display: str, size: int) -> Problem:
    return Problem(display, 1, 1, f"file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
                   "split the content, or check that the right file was added")


def _os_problem(display: str, exc: OSError) -> Problem:
    if isinstance(exc, FileNotFoundError):
        return Problem(display, 1, 1, "file is missing", "add it, or fix the name that refers to it")
    if isinstance(exc, PermissionError):
        return Problem(display, 1, 1, "cannot be read: permission denied", "make the file readable (chmod a+r)")
    return Problem(display, 1, 1, f"cannot be read: {exc.strerror or exc}", "check the file")


def read_text(path: Path, display: str, inside: Path | None = None) -> str:
    """Read a UTF-8 text file (as read_bytes does), or raise a ContentError that says where the bad byte is."""
    raw = read_bytes(path, display, inside)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1  # in characters, as editors count
        raise ContentError([Problem(display, line, col,
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            "save the file as UTF-8 (most editors: File > Save with Encoding > UTF-8)")]) from None


def load_yaml(path: Path, display: str, schema: dict | None = None,
              resolve=None, inside: Path | None = None) -> RawFile:
    """Parse one YAML file into a RawFile; scalars stay strings unless the schema wants numbers."""
    text = read_text(path, display, inside)
    return parse_yaml(text, display, schema, resolve)


def parse_yaml(text: str, display: str, schema: dict | None = None, resolve=None) -> RawFile:
    """Parse YAML text (see load_yaml)."""
    _size(text, display)
    raw = _read_fast(text, display)
    if raw is None:
        raw = _read_carefully(text, display)
    if schema is not None:
        raw.data = coerce(raw.data, schema, resolve or (lambda ref, base: None), schema)
    problems = character_problems(raw)
    if problems:
        raise ContentError(problems)
    return raw


class _AnyTagAsNone(yaml.SafeLoader):
    """SafeLoader reading a tag it does not know as None (mkdocs.yml names Python objects: !!python/name:…)."""


_AnyTagAsNone.add_multi_constructor("", lambda loader, suffix, node: None)
_DATA_LOADERS = {  # libyaml's where PyYAML has it (about ten times faster), then PyYAML's for what libyaml refuses
    "typed": [c for c in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if c],
    "text": [c for c in (getattr(yaml, "CBaseLoader", None), yaml.BaseLoader) if c],
    "any tag": [_AnyTagAsNone],
}


def read_data(text: str, display: str, scalars: str = "typed") -> Any:
    """Any YAML the project reads other than a content record (mkdocs.yml, a record's old versions from git,
    the CI summary's records, tests' fixtures), as plain Python data within the same limits; None when empty.

    `scalars`: "typed" reads numbers, booleans and dates as yaml.safe_load does; "text" leaves every scalar
    text (as BaseLoader); "any tag" is "typed" with unknown tags read as None. Anchors and aliases are
    refused. A problem is raised as a ContentError naming the line and column.
    """
    _size(text, display)
    for n, loader in enumerate(_DATA_LOADERS[scalars]):
        try:
            for _ in _Limits().events(yaml.parse(text, Loader=loader)):  # bounded before anything is built
                pass
            return yaml.load(text, Loader=loader)  # noqa: S506 (safe loaders only)
        except (_TooBig, yaml.YAMLError) as exc:
            if isinstance(exc, _TooBig) or n == len(_DATA_LOADERS[scalars]) - 1:
                raise ContentError([_parse_problem(exc, text, display)]) from None
    raise AssertionError("no YAML loader")


def _size(text: str, display: str) -> None:
    """A text read some other way than read_bytes (from git, from a caller) is held to MAX_FILE_BYTES too."""
    if len(text) > MAX_FILE_BYTES // 4 and (size := len(text.encode("utf-8", "surrogatepass"))) > MAX_FILE_BYTES:
        raise ContentError([_too_big(display, size)])


def _read_carefully(text: str, display: str) -> RawFile:
    """Nodes composed by libyaml (or, for what it declines, by Python node by node within the limits), then
    _to_python: every problem with its position."""
    root = _compose_fast(text)
    loader = None
    try:
        if root is None:
            loader = _NoAliasLoader(text)  # the reader refuses control characters here, before parsing
            root = loader.get_single_node()
    except (_TooBig, yaml.YAMLError) as exc:
        raise ContentError([_parse_problem(exc, text, display)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    raw = RawFile(display, None)
    if root is None:
        raise ContentError([Problem(display, 1, 1, "file is empty", "see the template in CONTRIBUTING.md")])
    problems: list[Problem] = []
    raw.data = _to_python(root, (), raw, problems)  # composed within the limits
    if problems:
        raise ContentError(problems)
    return raw


def _parse_problem(exc: Exception, text: str, display: str) -> Problem:
    """Why a YAML text could not be read, and where: a value over the limits, a character YAML refuses, or
    its syntax."""
    if isinstance(exc, _TooBig):
        return _too_big_problem(display, exc.mark)
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        return Problem(display, line, col, f"character U+{exc.character:04X} is not allowed in YAML",
                       "remove it: control characters and unpaired surrogates cannot appear in content")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = _position(mark) if mark else (1, 1)
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}: {message}"
        hint = ("write the value out in full: content files do not use anchors (&) or aliases (*)"
                if isinstance(exc, _AnchorRefused) else
                "check the indentation and quoting here; a value with ': ' or '#' in it needs quotes")
        return Problem(display, line, col, f"YAML syntax: {message}", hint)
    return Problem(display, 1, 1, f"YAML syntax: {exc}", "a content file is one YAML document of plain text")


def _to_python(node, path: tuple, raw: RawFile, problems: list):
    raw._positions[path] = _position(node.start_mark)
    if node.tag not in _ALLOWED_TAGS:
        problems.append(Problem(raw.path, *_position(node.start_mark),
            f"YAML tag {node.tag} is not allowed", "remove the tag; write the value plainly"))
        return None
    if isinstance(node, ScalarNode):
        # Every scalar is text here; `coerce` turns plain numbers and booleans into what the schema asks.
        return _Plain(node.value) if node.style in (None, "") else node.value  # libyaml marks plain ''
    if isinstance(node, SequenceNode):
        return [_to_python(item, path + (i,), raw, problems)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                problems.append(Problem(raw.path, *_position(key_node.start_mark),
                    "a key must be plain text", "write keys as name: value"))
                continue
            if key_node.tag not in _ALLOWED_TAGS:
                problems.append(Problem(raw.path, *_position(key_node.start_mark),
                    f"YAML tag {key_node.tag} is not allowed", "remove the tag; write the key plainly"))
                continue
            key = key_node.value
            if key in result:
                first = raw._key_positions[path + (key,)]
                problems.append(Problem(raw.path, *_position(key_node.start_mark),
                    f"duplicate key '{key}' (first at line {first[0]})",
                    "YAML keeps only one of them; remove or merge the other"))
                continue
            raw._key_positions[path + (key,)] = _position(key_node.start_mark)
            result[key] = _to_python(value_node, path + (key,), raw, problems)
        return result
    raise AssertionError(f"unknown YAML node {node!r}")


class _Plain(str):
    """A YAML scalar's text that was written plain (unquoted): `coerce` may read it as a number."""

    __slots__ = ()  # no per-value dict: a document has thousands of scalars


def _types(schema: dict, resolve, root: dict) -> set[str]:
    """The JSON types a schema accepts, following $ref and anyOf/oneOf."""
    if "$ref" in schema:
        schema, root = resolve(schema["$ref"], root)
    found: set[str] = set()
    if "type" in schema:
        t = schema["type"]
        found.update([t] if isinstance(t, str) else t)
    for k in ("anyOf", "oneOf"):
        for sub in schema.get(k, []):
            found |= _types(sub, resolve, root)
    for v in schema.get("enum", []) + ([schema["const"]] if "const" in schema else []):
        found.add(type(v).__name__)
    return found


def _child(schema: dict, key, resolve, root: dict):
    """The sub-schema for one key or index, following $ref and anyOf."""
    if "$ref" in schema:
        schema, root = resolve(schema["$ref"], root)
    if isinstance(key, int):
        if "items" in schema and isinstance(schema["items"], dict):
            return schema["items"], root
    else:
        props = schema.get("properties", {})
        if key in props:
            return props[key], root
    for k in ("anyOf", "oneOf"):
        for sub in schema.get(k, []):
            found = _child(sub, key, resolve, root)
            if found[0] is not None:
                return found
    return None, root


def coerce(value, schema: dict | None, resolve, root: dict, found: dict | None = None):
    """Turn plain scalars into numbers or booleans only where the schema expects them.

    `found` keeps the sub-schema of each (schema, root, key) met: a file repeats the same few fields
    hundreds of times, and looking one up follows $refs.
    """
    found = {} if found is None else found
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sub, sub_root = _sub_schema(schema, k, resolve, root, found)
            out[str(k)] = coerce(v, sub, resolve, sub_root, found)
        return out
    if isinstance(value, list):
        sub, sub_root = _sub_schema(schema, 0, resolve, root, found)
        return [coerce(v, sub, resolve, sub_root, found) for v in value]
    if isinstance(value, str):
        text = str(value)
        if isinstance(value, _Plain) and schema is not None and (text in ("true", "false") or NUMBER.fullmatch(text)):
            types = _types(schema, resolve, root)  # only for what could become a number or a boolean
            if types & {"number", "integer", "int", "float"} and NUMBER.fullmatch(text):
                if not math.isfinite(float(text)):  # 1e999: leave it text, so the schema reports it
                    return text
                return exact_number(text)  # Inexact (reported at load time) if a float would change it
            if types & {"boolean", "bool"} and text in ("true", "false"):
                return text == "true"
        return text
    return value


def _sub_schema(schema: dict | None, key, resolve, root: dict, found: dict):
    if not schema:
        return None, root
    at = (id(schema), id(root), key)  # the schemas outlive the coerce call that keeps these
    if at not in found:
        found[at] = _child(schema, key, resolve, root)
    return found[at]


def load_schema_registry(schema_dir: Path) -> dict[str, dict]:
    """Every JSON Schema file in schema_dir, by file name."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(schema_dir.glob("*.schema.json"))}


def make_resolver(registry: dict[str, dict]):
    """A resolve(ref, root) function for refs like 'common.schema.json#/$defs/slug' in the schema `root`
    (one of the registry's): the target and the schema it is in, looked up by the `referencing` library
    once per ref and schema."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    resources = Registry().with_resources((name, DRAFT202012.create_resource(schema)) for name, schema in registry.items())
    names = {id(schema): name for name, schema in registry.items()}
    found: dict[tuple[str, int], tuple] = {}

    def resolve(ref: str, root: dict):
        key = (ref, id(root))
        if key not in found:
            base = names[id(root)]
            target = resources.resolver(base_uri=base).lookup(ref).contents
            found[key] = (target, registry[ref.partition("#")[0] or base])  # the schemas set no $id
        return found[key]
    return resolve
