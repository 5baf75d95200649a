"""Characters and numbers that validate yet would not show as written: refused in every field at load time.

Control characters (from escapes such as "\\0", "\\e", "\\x07"), lone surrogates ("\\ud800"), bidirectional
controls (U+202E), zero-width and other invisible characters, line breaks in one-line fields, text of
nothing but white space, and numbers a float cannot hold exactly (9007199254740993, 1e-400).
"""

from __future__ import annotations

from decimal import Decimal

from generator.content.errors import Problem, code_point, unshowable

# Fields that hold passages of text, where line breaks and tabs are ordinary (YAML block scalars).
MULTI_LINE = frozenset({"quote", "bodies_quote", "summary", "description", "reason", "note", "date_note",
                        "translation"})
FLOAT_EXACT_INT = 2 ** 53  # beyond this a JSON reader (JavaScript, most spreadsheets) changes the integer
_LINE = str.maketrans("", "", "\n\t")


class Inexact(str):
    """A plain scalar the schema wants as a number that no float holds as written: kept as its text."""

    __slots__ = ()


def exact_number(text: str):
    """The number a plain scalar writes, or Inexact(text) when a float would change it."""
    if "." not in text and "e" not in text.lower():
        number = int(text)
        return number if abs(number) <= FLOAT_EXACT_INT else Inexact(text)
    number = float(text)
    if Decimal(repr(number)) != Decimal(text):
        return Inexact(text)
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def character_problems(raw) -> list[Problem]:
    """Every field of one file whose text would not show as written, with the code point and its place."""
    problems: list[Problem] = []
    _walk(raw, raw.data, (), problems)
    return problems


def _walk(raw, value, path: tuple, problems: list[Problem]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.isprintable():
                _text(raw, key, path + (key,), problems, key=True)
            _walk(raw, item, path + (key,), problems)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _walk(raw, item, path + (n,), problems)
    elif isinstance(value, Inexact):
        problems.append(raw.problem(path, f"{_field(path)}: {value} cannot be held exactly as a number "
                                    f"(it would be read as {_as_float(value)})",
                                    "write the figure with fewer significant digits (at most 15), as the source "
                                    "gives it; a number this precise belongs in the quote"))
    elif isinstance(value, str):
        _text(raw, value, path, problems)


def _text(raw, text: str, path: tuple, problems: list[Problem], key: bool = False) -> None:
    field = _field(path)
    if not text.strip():
        problems.append(raw.problem(path, f"{field}: is empty or only white space" if text else f"{field}: is empty",
                                    "write the text, or leave the field out if it is optional", key=key))
        return
    if text.isprintable():
        return
    multi = not key and _owner(path) in MULTI_LINE
    if multi and text.translate(_LINE).isprintable():
        return
    for n, char in enumerate(text, 1):
        if char in "\n\t" and not multi and not key:
            problems.append(raw.problem(path, f"{field}: a {'line break' if char == chr(10) else 'tab'} "
                                        f"(position {n}) is not allowed in a one-line field",
                                        "write the value on one line, with no line break at its end (a > or | block "
                                        "ends in one unless written >- or |-)"))
            return
        if char not in "\n\t" and unshowable(char):
            problems.append(raw.problem(path, f"{field}: character {code_point(char)} at position {n} is not allowed",
                                        "remove it: control, bidirectional and invisible characters change how "
                                        "text shows without being seen (and cannot be quoted from a source)",
                                        key=key))
            return


def _owner(path: tuple) -> str:
    """The name of the field a value belongs to (for an item of a list, the list's)."""
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return ""


def _field(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _as_float(text: str) -> str:
    number = float(text)
    return repr(number) if "." in text or "e" in text.lower() else str(int(number))


_SOURCE_SPACE = str.maketrans("", "", "\n\t\r\f")


def source_problems(text: str, display: str) -> list[Problem]:
    """A source text that is empty, or holds a character that would not show as it is (the first one)."""
    if not text.strip():
        return [Problem(display, 1, 1, "source text is empty", "paste the source text into the file, as received")]
    if text.translate(_SOURCE_SPACE).isprintable():
        return []
    for n, char in enumerate(text):
        if char not in "\n\t\r\f" and unshowable(char) and not (n == 0 and char == "\ufeff"):
            line = text.count("\n", 0, n) + 1
            col = n - (text.rfind("\n", 0, n) + 1) + 1
            return [Problem(display, line, col, f"character {code_point(char)} is not allowed in a source text",
                            "remove it (or the text it hides): control, bidirectional and invisible characters "
                            "change how the text shows without being seen")]
    return []
