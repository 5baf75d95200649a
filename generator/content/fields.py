"""The field guide for editors (docs/fields.md), written from the schemas' own descriptions.

`python -m generator fields` writes it; `--check` fails when it differs from the schemas, so the guide
and the schemas cannot drift apart (tests/test_fields.py runs the same comparison).
"""

from __future__ import annotations

from pathlib import Path

GUIDE = Path("docs") / "fields.md"
FILES = [  # schema file, the content it describes, a heading
    ("document.schema.json", "content/documents/<id>.yaml", "Documents and their tasks"),
    ("jurisdictions.schema.json", "content/jurisdictions.yaml", "Jurisdictions"),
    ("bodies.schema.json", "content/bodies.yaml", "Bodies"),
    ("themes.schema.json", "content/themes.yaml", "Themes"),
]
KINDS = {  # the shared value types, by their name in common.schema.json
    "slug": "an id", "partial_date": "a date", "date_or_unknown": "a date or `unknown`", "plain_text": "text",
    "quote": "a verbatim quote", "quotes": "a quote, or a list of quotes", "chinese_name": "Chinese text",
}

PLURALS = {"an id": "ids", "a mapping": "mappings", "text": "texts", "a verbatim quote": "verbatim quotes"}


class Walker:
    """Rows of one schema file: (field path, required, what it takes, what it means)."""

    def __init__(self, registry: dict[str, dict], name: str):
        self.registry = registry
        self.name = name
        self.root = registry[name]
        self.rows: list[tuple[str, bool, str, str]] = []
        self.missing: list[str] = []  # fields without a description

    def resolve(self, schema: dict) -> tuple[dict, str | None]:
        """The schema a $ref points to, and the shared kind's name when it is one of common.schema.json's.

        Only the schema files' own $refs: to another file's $defs, or to this file's (common's inside common).
        """
        ref = schema.get("$ref")
        if not ref:
            return schema, None
        file, _, pointer = ref.partition("#")
        name = pointer.rsplit("/", 1)[-1]
        if not file and name in KINDS:
            file = "common.schema.json"
        target = self.registry[file or self.name]
        for part in pointer.strip("/").split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, \
            (name if file == "common.schema.json" else None)

    def takes(self, schema: dict) -> str:
        schema, kind = self.resolve(schema)
        if kind:
            return KINDS[kind]
        if "enum" in schema:
            return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
        if "const" in schema:
            return f"`{schema['const']}`"
        if "anyOf" in schema:
            return ", or ".join(self.takes(s) for s in schema["anyOf"])
        kind = schema.get("type")
        if kind == "array":
            item = self.takes(schema.get("items", {}))
            return "a list of " + PLURALS.get(item, item)
        return {"object": "a mapping", "boolean": "`true` or `false`", "number": "a number",
                "string": "text"}.get(kind, str(kind))

    def walk(self, schema: dict, prefix: str) -> None:
        schema, _ = self.resolve(schema)
        for branch in schema.get("anyOf", []):
            self.walk(branch, prefix)
        if schema.get("type") == "array":
            self.walk(schema.get("items", {}), prefix + "[]")
        required = set(schema.get("required", []))
        for key, sub in schema.get("properties", {}).items():
            path = f"{prefix}.{key}" if prefix else key
            resolved, kind = self.resolve(sub)
            own = sub.get("description") or (resolved.get("description") if not kind else None)
            if not own:
                self.missing.append(path)
            examples = sub.get("examples") or []
            example = (" Example: " if len(examples) == 1 else " Examples: ") + ", ".join(
                f"`{_inline(e)}`" for e in examples) + "." if examples else ""
            self.rows.append((path, key in required, self.takes(sub), (own or "") + example))
            self.walk(sub, path)


def _inline(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def guide(registry: dict[str, dict]) -> tuple[str, list[str]]:
    """The guide's Markdown, and the fields that have no description (each one an error)."""
    lines = ["<!-- Written by `make fields` from schema/*.schema.json: edit the descriptions there, not here. -->",
             "", "# Every field, explained", "",
             "Each content file's fields, from the schemas `make validate` checks against. *Required* fields",
             "must be there (inside the record they belong to); the others are left out when the source does",
             "not give them. What the source does not say stays `unknown` or is left out: never guess.", ""]
    missing = []
    for name, where, heading in FILES:
        walker = Walker(registry, name)
        walker.walk(walker.root, "")
        missing += [f"schema/{name}: {path}" for path in walker.missing]
        lines += [f"## {heading}: `{where}`", "", _cell(walker.root.get("description", "")), "",
                  "| field | required | takes | what it means |", "| --- | --- | --- | --- |"]
        lines += [f"| `{path}` | {'yes' if req else 'no'} | {_cell(takes)} | {_cell(text)} |"
                  for path, req, takes, text in walker.rows]
        lines.append("")
    common = registry["common.schema.json"]["$defs"]
    lines += ["## Kinds of value", ""]
    lines += [f"- **{KINDS[k]}**: {common[k]['description']}" for k in KINDS]
    return "\n".join(lines) + "\n", missing
