"""`new`: an editor's scaffold for a new jurisdiction validates, builds and shows on its theme page."""

import subprocess
import sys

import pytest

from generator.pipeline import load_site, render_files
from generator.content.checks import check
from generator.content.project import load_content
from generator.content.errors import ContentError
from generator.content.scaffold import ScaffoldError, scaffold

SOURCE = "Hunan will recruit 500 general practitioners in 2021. Other text.\n"


def test_new_jurisdiction_scaffold_filled_with_one_task_builds(scratch, tmp_path):
    src = tmp_path / "hunan.txt"
    src.write_text(SOURCE, encoding="utf-8")
    written = scaffold(scratch, "hunan", "Hunan key tasks 2021", "2021", source=src,
                       jurisdiction_name="Hunan Province", level="province", parent="china")
    doc_path = scratch.content / "documents" / "hunan-2021-hunan-key-tasks-2021.yaml"
    assert doc_path in written and (scratch.content / "sources" / "hunan-2021-hunan-key-tasks-2021.txt").read_text() == SOURCE
    # The untouched scaffold is a template: its placeholder quote is not in the source.
    with pytest.raises(ContentError, match="quote is not in the source text"):
        check(load_content(scratch))
    text = doc_path.read_text(encoding="utf-8")
    text = text.replace("Copy the task's words from the source file here, exactly.",
                        "Hunan will recruit 500 general practitioners in 2021.")
    text = text.replace("themes: [primary-care]", "themes: [recruitment-and-training]")
    doc_path.write_text(text, encoding="utf-8")
    site = load_site(scratch)
    assert site.jurisdiction["hunan"].level == "province"
    files = render_files(scratch, site, with_history=False)
    theme_page = files["themes/recruitment-and-training.md"].decode()
    assert "Hunan Province" in theme_page
    assert 'href="../../tasks/hunan-2021-hunan-key-tasks-2021/first-task/"' in theme_page


def test_scaffold_refuses_unknown_jurisdiction_with_suggestion(scratch):
    with pytest.raises(ScaffoldError, match=r"unknown jurisdiction 'jiangxy'\. did you mean 'jiangxi'\?"):
        scaffold(scratch, "jiangxy", "T", "2021")


def test_scaffold_refuses_bad_date_and_existing_id(scratch):
    with pytest.raises(ScaffoldError, match="is not a date"):
        scaffold(scratch, "jiangxi", "T", "2021-13")
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold(scratch, "jiangxi", "T", "2020", doc_id="jiangxi-2020-h2-key-tasks")


def test_cli_new_prints_what_it_wrote(scratch):
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(scratch.root), "new",
                             "--jurisdiction", "guangdong", "--title", "Guangdong 2021 plan", "--date", "2021-03"],
                            capture_output=True, text=True, cwd=scratch.root)
    assert result.returncode == 0, result.stderr
    assert "wrote content/documents/guangdong-2021-03-guangdong-2021-plan.yaml" in result.stdout
    first = (scratch.content / "documents" / "guangdong-2021-03-guangdong-2021-plan.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/document.schema.json"

