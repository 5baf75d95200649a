"""Problems found in content, reported as path:line:col: error: message, plus a hint."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

# What a terminal would act on or not show: controls (C0, DEL, C1), format characters (bidirectional
# controls, zero-width ones), lone surrogates, line and paragraph separators, private-use and unassigned.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                         "\ufeff\ufff9-\ufffb\ud800-\udfff]")


def unshowable(char: str) -> bool:
    """True for a character that must never reach a terminal or a page as it is (see shown)."""
    return bool(_UNSHOWABLE.match(char)) or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def shown(text: str) -> str:
    """Text safe to print: every character a terminal would act on or hide written as \\uXXXX (or \\xXX)."""
    if text.isprintable() and not _UNSHOWABLE.search(text):
        return text  # nearly always: isprintable is False for every category unshowable() refuses but Cn
    return "".join(_escape(c) if unshowable(c) else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def code_point(char: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE: a character named without printing it."""
    name = unicodedata.name(char, "") if not 0xD800 <= ord(char) <= 0xDFFF else "lone surrogate"
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, and where."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{shown(self.path)}:{self.line}:{self.column}: error: {shown(self.message)}"
        if self.hint:
            text += f"\n  hint: {shown(self.hint)}"
        return text


class ContentError(Exception):
    """Raised with every problem found, so one run reports them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.report())

    def __reduce__(self):  # from a forked build (pipeline.build_site) with its problems, not its text
        return ContentError, (self.problems,)

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        count = len(self.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.")
        return "\n".join(lines)


def did_you_mean(word: str, known: list[str] | dict[str, str]) -> str:
    """A "did you mean ...?" phrase for an unknown id, or an empty string.

    `known` maps names (ids and aliases) to the id they stand for.
    """
    names = known if isinstance(known, dict) else {k: k for k in known}
    lowered = {n.lower(): i for n, i in names.items()}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)
    ids = list(dict.fromkeys(lowered[c] for c in close))
    if not ids:
        return ""
    return "did you mean " + " or ".join(f"'{i}'" for i in ids) + "?"
