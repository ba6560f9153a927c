"""docs/templates.md, the template reference, generated from the template definitions
(``python -m tools.docs``; tests/test_docs.py fails when the committed file is stale)."""

from __future__ import annotations

from pathlib import Path

from dagster_project.core.settings import PROJECT_ROOT
from dagster_project.core.templates import TEMPLATES, TYPE_HINT_ZH, Column

DOC = PROJECT_ROOT / "docs" / "templates.md"

HEADER = """# Submission templates

Generated from `dagster_project/core/templates.py` by `python -m tools.docs`: edit the
template definitions, not this file. The contract they implement is
`shared/spec/submission-templates.md`. How a file is recognised and read:
[operations.md](operations.md#what-happens-to-a-submission).
"""


def _rule(c: Column) -> str:
    parts = []
    if c.choices and c.type.value == "enum":
        parts.append(" / ".join(f"{ch.zh} `{ch.value}`" for ch in c.choices) + (f"; other text → `{c.fallback}`" if c.fallback else ""))
    if c.min_value is not None or c.max_value is not None:
        lo = "" if c.min_value is None else f"{'>' if c.strict_min else '≥'} {c.min_value:g}"
        hi = "" if c.max_value is None else f"≤ {c.max_value:g}"
        parts.append(", ".join(p for p in (lo, hi) if p))
    if c.unique:
        parts.append("unique in the submission")
    if c.registered_school:
        parts.append("in that year's registry")
    if c.known_county:
        parts.append("known county code")
    if c.known_unit:
        parts.append("a school in that year's registry or a known county code")
    if c.pii:
        parts.append("personal data")
    return "; ".join(parts)


def templates_markdown() -> str:
    out = []
    for t in TEMPLATES.values():
        submitter = f"`{t.submitter_column}`" if t.submitter_column else f"fixed `{t.fixed_submitter}`"
        out.append(f"## `{t.key}` — {t.zh}\n\nSubmitted by {t.submitted_by}; submitter = {submitter}.\n")
        out.append("| 中文表头 | key | type | req | rule |\n|---|---|---|---|---|")
        for c in t.columns:
            out.append(f"| {c.zh} | `{c.key}` | {TYPE_HINT_ZH[c.type]} | {'y' if c.required else ''} | {_rule(c)} |")
        for r in t.pair_rules:
            out.append(f"\nRule: `{r.a}` {r.op} `{r.b}`.")
        for rs in t.pair_set_rules:
            out.append(f"\nRule: {rs.message_zh}.")
        out.append("")
    return "\n".join(out)


def templates_doc() -> str:
    """The whole of docs/templates.md."""
    return f"{HEADER}\n{templates_markdown()}"


def update_doc(path: Path = DOC) -> bool:
    """Rewrite docs/templates.md; True if it changed."""
    new = templates_doc()
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    print(f"{DOC.relative_to(PROJECT_ROOT)} {'updated' if update_doc() else 'already current'}")
