"""The shape the developers' guide asks of the code: no function in generator/ over 80 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "generator"
MAX_FUNCTION_LINES = 80


def function_lengths(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, lines) of every function and method in one Python file, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_the_measure_counts_every_line_of_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def short():\n    return 1\n\n\nclass A:\n    def method(self):\n"
                      + "        x = 1\n" * 85 + "        return x\n", encoding="utf-8")
    assert function_lengths(sample) == [("short", 1, 2), ("method", 6, 87)]


def test_no_function_in_generator_is_over_80_lines():
    files = sorted(GENERATOR.rglob("*.py"))
    assert len(files) > 10
    too_long = [f"{path.relative_to(ROOT)}:{line} {name} is {length} lines"
                for path in files for name, line, length in function_lengths(path) if length > MAX_FUNCTION_LINES]
    assert not too_long, "split these into readable steps:\n" + "\n".join(too_long)
