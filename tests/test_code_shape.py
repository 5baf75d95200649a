"""The shape the developers' guide asks of the code: no function in generator/ over 80 lines, and one YAML
reader (generator/content/reader.py) for every YAML the project reads, so its limits hold everywhere."""

from __future__ import annotations

import ast
import re
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


READER = GENERATOR / "content" / "reader.py"
# PyYAML's entry points that read YAML; dumping is not reading.
YAML_READS = re.compile(r"\byaml\.(?:safe_|full_|unsafe_)?(?:load|load_all|parse|compose|compose_all|scan)\b"
                        r"|\b(?:C?(?:Safe|Base|Full|Unsafe)?Loader)\(|\bget_single_node\b")


def yaml_reads(path: Path) -> list[int]:
    """The lines of a Python file that read YAML with PyYAML itself."""
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if YAML_READS.search(line)]


def test_the_pattern_finds_a_yaml_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import yaml\nx = yaml.safe_load(text)\ny = yaml.load(t, Loader=yaml.CBaseLoader)\n"
                      "z = yaml.safe_dump(x)\nfor e in yaml.parse(t, Loader=L):\n    pass\n", encoding="utf-8")
    assert yaml_reads(sample) == [2, 3, 5]


def test_only_the_reader_reads_yaml():
    files = [p for folder in ("generator", "tests", ".ci") for p in sorted((ROOT / folder).rglob("*.py"))]
    assert READER in files and yaml_reads(READER)
    elsewhere = [f"{path.relative_to(ROOT)}:{n}" for path in files if path not in (READER, Path(__file__))
                 for n in yaml_reads(path)]
    assert not elsewhere, "read YAML through generator/content/reader.py (load_yaml, parse_yaml or read_data): " \
        + ", ".join(elsewhere)
