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
    marker: bool = False  # an item number such as the 3 of "(3)", not a figure

    @property
    def key(self) -> str:
        return self.text.casefold()

    @property
    def number(self) -> bool:
        return not self.marker and (bool(_NUMBER.search(self.text)) or self.key in NUMBER_WORDS)


def tokens(text: str) -> list[Token]:
    text = normalise(text)
    found = [Token(m.group(), m.start() > 0 and text[m.start() - 1].isspace()) for m in _TOKEN.finditer(text)]
    for n in range(1, len(found) - 1):
        if found[n].text.isdigit() and found[n - 1].text in "(（" and found[n + 1].text in ")）":
            found[n] = Token(found[n].text, found[n].space, marker=True)
    return found


def wording(quotes) -> str:
    """A task's words as one text: its quotes in order."""
    return " … ".join(normalise(q) for q in quotes)


@dataclass(frozen=True)
class Diff:
    ops: tuple[tuple[str, tuple[Token, ...]], ...]  # ("equal" | "delete" | "insert", tokens)

    @property
    def added(self) -> int:
        return self._words("insert")

    @property
    def dropped(self) -> int:
        return self._words("delete")

    @property
    def same(self) -> int:
        return self._words("equal")

    def _words(self, kind: str) -> int:
        """Tokens that are words, numbers or Chinese characters (punctuation is not counted)."""
        return sum(1 for op, ts in self.ops if op == kind for t in ts if t.text[0].isalnum())

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
        first = toks[0].text
        lead = " " if n and not _CJK.match(first) and (toks[0].space or first[0].isalnum() or first in "(“") else ""
        if op == "equal":
            out.append(lead + _join(toks, False))
        elif op == "delete":
            out.append(f'{lead}<del><span class="rc-sr">[dropped: </span>{_join(toks, True)}<span class="rc-sr">]</span></del>')
        else:
            out.append(f'{lead}<ins><span class="rc-sr">[added: </span>{_join(toks, True)}<span class="rc-sr">]</span></ins>')
    return "".join(out)


def numbers_line(diff: Diff, here: str, there: str) -> str:
    """Which numbers one wording has and the other lacks, in words ('' when they share every number)."""
    new, old = diff.numbers("insert"), diff.numbers("delete")
    only_new = [n for n in new if n not in old]
    only_old = [n for n in old if n not in new]
    if not only_new and not only_old:
        return ""
    def say(items):
        return ", ".join(items) if items else "none"
    return f"Numbers that differ: {html.escape(say(only_new))} {here}; {html.escape(say(only_old))} {there}."


def diff_block(old_quotes, new_quotes, here: str = "here", there: str = "in the higher-level text",
               diff: Diff | None = None) -> str:
    """A word diff of two tasks' wordings with its counts and differing numbers, as an HTML block (`diff`:
    word_diff of their wordings, if already made)."""
    diff = word_diff(wording(old_quotes), wording(new_quotes)) if diff is None else diff
    if not diff.added and not diff.dropped:
        return '<p class="rc-diff rc-muted">Word for word the same wording.</p>\n'
    counts = f"{diff.added} word{'s' if diff.added != 1 else ''} added, {diff.dropped} dropped, {diff.same} the same."
    numbers = numbers_line(diff, here, there)
    return (f'<p class="rc-diff">{diff_html(diff)}</p>\n<p class="rc-muted rc-diff-counts">{counts}'
            + (f' <strong>{numbers}</strong>' if numbers else "") + "</p>\n")
