"""`new`: an editor's scaffold for a new jurisdiction validates, builds and shows on its theme page."""

import subprocess
import sys

import pytest

from generator.pipeline import load_site, render_files
from generator.content.checks import check
from generator.content.project import load_content
from generator.content.errors import ContentError
from generator.content.scaffold import ScaffoldError, default_id, scaffold

SOURCE = "Hunan will recruit 500 general practitioners in 2021. Other text.\n"
DOC_ID = "hunan-2021-key-tasks"


def problems(project) -> list:
    with pytest.raises(ContentError) as exc:
        check(load_content(project))
    return exc.value.problems


def test_new_jurisdiction_scaffold_filled_with_one_task_builds(scratch, tmp_path):
    src = tmp_path / "hunan.txt"
    src.write_text(SOURCE, encoding="utf-8")
    written = scaffold(scratch, "hunan", "Hunan key tasks 2021", "2021", source=src,
                       jurisdiction_name="Hunan Province", level="province", parent="china")
    doc_path = scratch.content / "documents" / f"{DOC_ID}.yaml"
    assert doc_path in written and (scratch.content / "sources" / f"{DOC_ID}.txt").read_text() == SOURCE
    # Every placeholder left as the scaffold wrote it is an error that says what to fill in.
    found = problems(scratch)
    assert {p.message.split(":")[0] for p in found} == {
        "fill in summary", "fill in source.description", "fill in the task's id", "fill in the task's title",
        "fill in the task's quote"}
    assert {p.path for p in found} == {f"content/documents/{DOC_ID}.yaml"}
    text = doc_path.read_text(encoding="utf-8")
    for old, new in (("Copy the task's words from the source file here, exactly.",
                      "Hunan will recruit 500 general practitioners in 2021."),
                     ("Two or three plain sentences for readers: what the document is and what it covers.",
                      "A test plan."), ("What the stored text is (full text, news report, reprint).", "Full text."),
                     ("id: first-task", "id: recruit-general-practitioners"),
                     ("title: Short title in plain words", "title: Recruit 500 general practitioners"),
                     ("themes: [primary-care]", "themes: [recruitment-and-training]")):
        assert old in text, old
        text = text.replace(old, new)
    doc_path.write_text(text, encoding="utf-8")
    # The rest of the source is neither quoted nor noted: reported in the source file, where it is.
    [uncovered] = problems(scratch)
    assert (uncovered.path, uncovered.line, uncovered.column) == (f"content/sources/{DOC_ID}.txt", 1, 55)
    assert "'Other text.'" in uncovered.message and "notes:" in uncovered.hint
    doc_path.write_text(text.replace("notes: []", "notes: [{quote: Other text., reason: Not a task.}]"),
                        encoding="utf-8")
    site = load_site(scratch)
    assert site.jurisdiction["hunan"].level == "province"
    files = render_files(scratch, site, with_history=False)
    theme_page = files["themes/recruitment-and-training.md"].decode()
    assert "Hunan Province" in theme_page
    assert f'href="../../tasks/{DOC_ID}/recruit-general-practitioners/"' in theme_page


@pytest.mark.parametrize(("jurisdiction", "title", "date", "expected"), [
    ("china", "Key tasks of deepening the reform of the medical and health system", "unknown",
     "china-key-tasks-deepening-reform-medical-health"),
    ("china", "Key tasks of deepening the reform of the medical and health system in the second half of 2020",
     "unknown", "china-2020-h2-key-tasks-deepening-reform-medical"),
    ("hunan", "Key tasks of deepening health reform in Hunan Province in 2021", "2021",
     "hunan-2021-key-tasks-deepening-health-reform"),
    ("guangdong", "Guangdong 2021 plan", "2021-03", "guangdong-2021-plan"),
])
def test_default_ids_are_jurisdiction_period_and_a_short_title_cut_at_a_word(jurisdiction, title, date, expected):
    ident = default_id(jurisdiction, title, date, f"{jurisdiction.title()} Province")
    assert ident == expected and len(ident) <= 50


def test_scaffold_refuses_unknown_jurisdiction_with_suggestion(scratch):
    with pytest.raises(ScaffoldError, match=r"unknown jurisdiction 'jiangxy'\. did you mean 'jiangxi'\?"):
        scaffold(scratch, "jiangxy", "T", "2021")


def test_scaffold_refuses_bad_date_and_existing_id(scratch):
    with pytest.raises(ScaffoldError, match="is not a date"):
        scaffold(scratch, "jiangxi", "T", "2021-13")
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold(scratch, "jiangxi", "T", "2020", doc_id="jiangxi-2020-h2-key-tasks")


def test_new_again_with_another_id_removes_the_untouched_first_pair_and_says_so(scratch):
    said = []
    first = scaffold(scratch, "jiangxi", "Jiangxi plan for 2021", "2021", say=said.append)
    assert said == [] and [p.name for p in first] == ["jiangxi-2021-plan.txt", "jiangxi-2021-plan.yaml"]
    second = scaffold(scratch, "jiangxi", "Jiangxi plan for 2021", "2021", doc_id="jiangxi-2021-health-plan",
                      say=said.append)
    assert not any(p.exists() for p in first) and all(p.exists() for p in second)
    assert said == ["removed content/documents/jiangxi-2021-plan.yaml and content/sources/jiangxi-2021-plan.txt: "
                    "an earlier `make new` wrote them for this title, and they were not edited since"]
    # Once edited, the first pair stays, and is named.
    edited = second[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace("notes: []", "notes: [{quote: x, reason: y}]"),
                      encoding="utf-8")
    said.clear()
    third = scaffold(scratch, "jiangxi", "Jiangxi plan for 2021", "2021", doc_id="jiangxi-2021-third",
                     say=said.append)
    assert edited.exists() and all(p.exists() for p in third)
    assert len(said) == 1 and said[0].startswith("note: content/documents/jiangxi-2021-health-plan.yaml")


def test_an_id_that_reads_like_an_existing_documents_is_named(scratch):
    said = []
    scaffold(scratch, "jiangxi", "Key tasks 2020 H2 (excerpt)", "2020", doc_id="jiangxi-2020-h2-key-tasks-excerpt",
             say=said.append)
    assert said == ["note: the id 'jiangxi-2020-h2-key-tasks-excerpt' reads like that of jiangxi-2020-h2-key-tasks; "
                    "if this is another document, run `make new` again with ID=<a clearer id> "
                    "(these two files go while untouched)"]


def test_cli_new_prints_what_it_wrote(scratch):
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(scratch.root), "new",
                             "--jurisdiction", "guangdong", "--title", "Guangdong 2021 plan", "--date", "2021-03"],
                            capture_output=True, text=True, cwd=scratch.root)
    assert result.returncode == 0, result.stderr
    assert "wrote content/documents/guangdong-2021-plan.yaml" in result.stdout
    first = (scratch.content / "documents" / "guangdong-2021-plan.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/document.schema.json"
    again = subprocess.run([sys.executable, "-m", "generator", "--root", str(scratch.root), "new", "--id",
                            "guangdong-2021-03-plan", "--jurisdiction", "guangdong", "--title", "Guangdong 2021 plan",
                            "--date", "2021-03"], capture_output=True, text=True, cwd=scratch.root)
    assert again.returncode == 0, again.stderr
    assert "removed content/documents/guangdong-2021-plan.yaml and content/sources/guangdong-2021-plan.txt" \
        in again.stdout
