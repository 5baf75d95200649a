"""Word diffs between two tasks' wordings: what a lower level (or a later document) added and dropped."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from generator.content.text import normalise

# A Chinese character is a token of its own (Chinese has no spaces between words); a number keeps its
# decimal point, thousands separators and a following % together; a word its inner hyphens and apostrophes.
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*|[^\w\s]", re.U)
_NUMBER = re.compile(r"\d")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10", "hundred": "100", "thousand": "1000"}


@dataclass(frozen=True)
class Token:
    text: str
    space: bool  # white space before it in the text

    @property
    def key(self) -> str:
        return self.text.casefold()

    @property
    def number(self) -> bool:
        return bool(_NUMBER.search(self.text)) or self.key in NUMBER_WORDS


def tokens(text: str) -> list[Token]:
    text = normalise(text)
    return [Token(m.group(), m.start() > 0 and text[m.start() - 1].isspace()) for m in _TOKEN.finditer(text)]


def wording(quotes) -> str:
    """A task's words as one text: its quotes in order."""
    return " … ".join(normalise(q) for q in quotes)


@dataclass(frozen=True)
class Diff:
    ops: tuple[tuple[str, tuple[Token, ...]], ...]  # ("equal" | "delete" | "insert", tokens)

    @property
    def added(self) -> int:
        return sum(len(t) for op, t in self.ops if op == "insert")

    @property
    def dropped(self) -> int:
        return sum(len(t) for op, t in self.ops if op == "delete")

    @property
    def same(self) -> int:
        return sum(len(t) for op, t in self.ops if op == "equal")

    def numbers(self, op: str) -> list[str]:
        return list(dict.fromkeys(t.text for o, ts in self.ops if o == op for t in ts if t.number))


def word_diff(old: str, new: str) -> Diff:
    """old against new, token by token (case is ignored when matching; the text shown keeps it)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, [t.key for t in a], [t.key for t in b], autojunk=False)
    ops = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", tuple(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("delete", tuple(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", tuple(b[j1:j2])))
    return Diff(tuple(ops))


def _join(toks, mark_numbers: bool) -> str:
    out = []
    for n, t in enumerate(toks):
        gap = n > 0 and t.space and not _CJK.match(t.text)
        text = html.escape(t.text)
        out.append((" " if gap else "") + (f'<strong class="rc-num">{text}</strong>' if mark_numbers and t.number else text))
    return "".join(out)


def diff_html(diff: Diff) -> str:
    """The diff as HTML: dropped words in <del>, added words in <ins>, each announced to screen readers
    (most do not announce the elements themselves) and readable without colour (struck through,
    underlined); numbers among them in <strong>."""
    out = []
    for n, (op, toks) in enumerate(diff.ops):
        lead = " " if n and toks[0].space and not _CJK.match(toks[0].text) else ""
        if op == "equal":
            out.append(lead + _join(toks, False))
        elif op == "delete":
            out.append(f'{lead}<del><span class="rc-sr">[dropped: </span>{_join(toks, True)}<span class="rc-sr">]</span></del>')
        else:
            out.append(f'{lead}<ins><span class="rc-sr">[added: </span>{_join(toks, True)}<span class="rc-sr">]</span></ins>')
    return "".join(out)
