"""Parts of Material's page frame rendered once for every page at one place in the site, not once a page.

The navigation drawer, the tabs, the header around the page's title, and Material's styles, scripts and
config blocks are the same on every page outside the nav but for their links, which are relative to the
page. A link from a page depends only on how deep the page is and on which leading folders it shares with
the link's target; the frame links only to the nav's pages, the home page and the theme's assets. So the
key of a page's place is its depth and the leading folders it shares with any of those. Pages in the nav
(which mark themselves and their section active) are rendered in full.

The templates mark each part with `{% call rc_frame("name", page) %}...{% endcall %}`; with the speed-ups
off, rc_frame renders the part every time (tests/test_accel.py compares the two sites byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable

from mkdocs.structure.pages import Page

# Folders the frame's own links reach besides the nav: Material's and the site's assets.
ASSETS = ("assets/",)


def render_always(name: str, page, caller: Callable[[], str]) -> str:
    return caller()


class Frames:
    """rc_frame for one build: the parts rendered so far, by part and place."""

    def __init__(self, nav, config):
        self.in_nav = {id(page) for page in nav.pages}
        targets: list[str] = [page.url for page in nav.pages] + list(ASSETS)
        targets += [str(path) for path in config.extra_css] + [str(getattr(s, "path", s)) for s in config.extra_javascript]
        homepage = (config.extra or {}).get("homepage")
        if homepage:
            targets.append(str(homepage))
        self.prefixes = set()
        for target in targets:
            if "://" in target or target.startswith("/"):
                continue  # absolute: the same from every page
            parts = _folders(target)
            self.prefixes.update(parts[:i] for i in range(len(parts) + 1))
        self.parts: dict[tuple, str] = {}
        self._last: tuple = (None, ())

    def __call__(self, name: str, page, caller: Callable[[], str]) -> str:
        if not isinstance(page, Page) or id(page) in self.in_nav:
            return caller()
        if page is not self._last[0]:  # each page asks for several parts: its place is found once
            self._last = (page, self.place(page.url))
        key = (name, self._last[1])
        found = self.parts.get(key)
        if found is None:
            found = self.parts[key] = caller()
        return found

    def place(self, url: str) -> tuple:
        """What a link from the page at `url` depends on (mkdocs.utils.get_relative_url): how deep the page's
        folder is and which of its leading folders a target of the frame shares."""
        folder, _, name = url.rpartition("/")
        parts = _folders(folder if "." in name else url)
        shared = 0
        while shared < len(parts) and parts[:shared + 1] in self.prefixes:
            shared += 1
        return len(parts), parts[:shared]


def _folders(path: str) -> tuple:
    """A path's parts as get_relative_url counts them: no empty ones or ".", and ".." taking one back."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return tuple(parts)
