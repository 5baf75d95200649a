"""The one place MkDocs meets the generator: regenerate before each build, sanitise, redirect."""

from __future__ import annotations

import html
import json
import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.build import generate  # noqa: E402
from generator.content import Project  # noqa: E402
from generator.errors import ContentError  # noqa: E402
from generator.sanitize import clean  # noqa: E402


def _project(config) -> Project:
    """The project is where mkdocs.yml is (not where this file is: a checkout may link generator/)."""
    return Project(Path(config["config_file_path"]).resolve().parent)


def on_pre_build(config, **kwargs):
    if os.environ.get("REFORM_COMPARE_GENERATED"):
        return
    try:
        generate(_project(config), with_history=False)  # serve: fast reloads; `make site` adds history
    except ContentError as exc:
        raise PluginError("content has problems:\n" + exc.report()) from None


def on_page_content(html_text, page, config, files, **kwargs):
    return clean(html_text)


def on_post_build(config, **kwargs):
    """A page at each former task address that sends readers to the task's current page."""
    path = _project(config).root / "build" / "redirects.json"
    if not path.is_file():
        return
    site_dir = Path(config["site_dir"])
    for old, new in json.loads(path.read_text(encoding="utf-8")).items():
        depth = old.count("/")
        target = "../" * depth + new
        absolute = (config.get("site_url") or "").rstrip("/") + "/" + new
        out = site_dir / old / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<title>Moved: {html.escape(new)}</title>'
            f'<link rel="canonical" href="{html.escape(absolute)}">'
            f'<meta name="robots" content="noindex">'
            f'<meta http-equiv="refresh" content="0; url={html.escape(target)}">'
            f'<script>location.replace({json.dumps(target)} + location.hash)</script>'
            f'</head><body><p>This task has a new address: <a href="{html.escape(target)}">{html.escape(absolute)}</a></p>'
            '</body></html>\n', encoding="utf-8")
