"""Speed-ups that rely on private or undocumented internals of a dependency: all of them are here, behind
one switch. RC_ACCEL=0 in the environment turns every one off; the build then uses documented APIs only
and gives the same bytes (tests/test_accel.py builds the site both ways, in several processes and in one,
and compares the trees).

| speed-up | internal it relies on | pinned | guarding test |
| --- | --- | --- | --- |
| fastjinja: template contexts call the Renderer's functions directly | `jinja2.runtime.Context.call` overridden; `Environment.make_globals` giving a dict | Jinja2 3.1.6 | tests/test_accel.py, tests/test_render.py |
| fastpage: generated pages skip Python-Markdown | `Page.render` replaced per page; `Page._title_from_render`, `present_anchor_ids`, `links_to_anchors` set; `markdown.extensions.toc`'s `slugify`, `unique`, `nest_toc_tokens` | mkdocs 1.6.1, Markdown 3.11.3 | tests/test_fastpage.py |
| incremental: after an edit, only the changed pages built; `make serve` serves them before the build ends | `mkdocs.commands.build._populate_page` and `_build_page` called with a Files of those pages and the nav's; `LiveReloadServer._epoch_cond`, `_visible_epoch`, `_wanted_epoch` (generator/serve.py) | mkdocs 1.6.1, mkdocs-material 9.8.1 | tests/test_incremental_site.py, tests/test_serve.py |
| frames: the frame's navigation, tabs, header, styles, scripts and config rendered once per place in the site for pages outside the nav | what Material 9.8.1's base.html blocks and nav-item/tabs-item partials read (links from the nav, the home page and assets, and the active page) | mkdocs 1.6.1, mkdocs-material 9.8.1 | tests/test_accel.py |
| mkdocs_parallel: pages built in forked processes, those outside the nav read by the process that builds them | `mkdocs.commands.build._build_page` and `_populate_page` replaced | mkdocs 1.6.1, mkdocs-material 9.8.1 | tests/test_mkdocs_parallel.py |

Each speed-up asks allowed() first: with the switch off, or a dependency at another version than the one
pinned, it takes the documented path, with a warning in the second case. Forking (parallel.py) uses
documented APIs only and is not switched: it is how the same work is shared, not an internal.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata

SWITCH = "RC_ACCEL"
PINNED = {"jinja2": "3.1.6", "markdown": "3.11.3", "mkdocs": "1.6.1", "mkdocs-material": "9.8.1"}
_warned: set[str] = set()


def enabled() -> bool:
    """Whether the speed-ups are on (they are unless RC_ACCEL=0)."""
    return os.environ.get(SWITCH, "1") != "0"


def allowed(speedup: str, *packages: str) -> bool:
    """Whether `speedup` may run: the switch is on and every package it relies on is at its pinned version.
    Otherwise the caller takes the documented path; a version mismatch says so on stderr, once."""
    if not enabled():
        return False
    wrong = []
    for package in packages:
        try:
            found = metadata.version(package)
        except metadata.PackageNotFoundError:
            found = "none"
        if found != PINNED[package]:
            wrong.append(f"{package} {found} (pinned {PINNED[package]})")
    if wrong and speedup not in _warned:
        _warned.add(speedup)
        print(f"reform-compare: {speedup} is off: {', '.join(wrong)}; see generator/accel/__init__.py",
              file=sys.stderr)
    return not wrong
