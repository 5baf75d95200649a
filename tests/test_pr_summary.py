""".ci/pr_summary.py: what a pull request adds, removes and changes, counted against the base branch."""

import subprocess
import sys

from .conftest import ROOT, copy_project
from .test_live_content import add_a_document

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
DOC = "content/documents/jiangxi-2020-h2-key-tasks.yaml"


def test_summary_lists_what_the_change_adds_and_what_it_takes_away(tmp_path):
    project = copy_project(tmp_path / "project")
    for args in (["init", "-q", "-b", "main"], ["add", "content"], ["commit", "-q", "-m", "base"]):
        subprocess.run(GIT + args, cwd=project.root, check=True, capture_output=True)
    add_a_document(project)
    path = project.root / DOC
    text = path.read_text(encoding="utf-8")
    assert "value: 63\n" in text and "  - id: public-health-service-system\n" in text
    text = text.replace("value: 63\n", "value: 64\n")
    path.write_text(text.replace("  - id: public-health-service-system\n", "  - id: renamed-service-system\n"
                                 "    former_ids: [public-health-service-system]\n"), encoding="utf-8")

    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "pr_summary.py"), "main", "--root", str(project.root)],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    assert "| documents | 1 | 0 |" in out and "| tasks | 3 | 1 |" in out  # two new, one renamed
    assert "| indicators | 1 | 0 |" in out and "| bodies | 1 | 0 |" in out and "| aliases | 1 | 0 |" in out
    assert "- document `test-province-2031-key-tasks`: Key tasks of the Test Province health office for 2031 " \
           "(2 tasks, 1 indicators)" in out
    assert "- body `test-province-health-office`: Provincial Test Health Office" in out
    assert "- jurisdiction `test-province`" in out
    assert ("- task `jiangxi-2020-h2-key-tasks/public-health-service-system` renamed to "
            "`jiangxi-2020-h2-key-tasks/renamed-service-system`") in out
    assert "- indicator `jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity#county-level-hospitals` changed: " \
           "= 63 hospitals by 2020 → = 64 hospitals by 2020" in out


def test_summary_of_no_change_says_so_and_a_missing_base_is_an_error(tmp_path):
    project = copy_project(tmp_path / "project")
    for args in (["init", "-q", "-b", "main"], ["add", "content"], ["commit", "-q", "-m", "base"]):
        subprocess.run(GIT + args, cwd=project.root, check=True, capture_output=True)
    script = [sys.executable, str(ROOT / ".ci" / "pr_summary.py")]
    same = subprocess.run(script + ["main", "--root", str(project.root)], capture_output=True, text=True, check=True)
    assert "No document, task, indicator, body or alias added or removed." in same.stdout
    missing = subprocess.run(script + ["no-such-branch", "--root", str(project.root)], capture_output=True, text=True)
    assert missing.returncode == 1 and "cannot read content/ at no-such-branch" in missing.stderr
