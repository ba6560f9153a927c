"""The README's template reference, generated from the template definitions."""

from __future__ import annotations

import re
from pathlib import Path

from dagster_project.core.settings import PROJECT_ROOT
from dagster_project.core.templates import TEMPLATES, TYPE_HINT_ZH, Column

START, END = "<!-- templates:start -->", "<!-- templates:end -->"


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
    if c.pii:
        parts.append("personal data")
    return "; ".join(parts)


def templates_markdown() -> str:
    out = []
    for t in TEMPLATES.values():
        submitter = f"`{t.submitter_column}`" if t.submitter_column else f"fixed `{t.fixed_submitter}`"
        out.append(f"#### `{t.key}` — {t.zh}\n\nSubmitted by {t.submitted_by}; submitter = {submitter}.\n")
        out.append("| 中文表头 | key | type | req | rule |\n|---|---|---|---|---|")
        for c in t.columns:
            out.append(f"| {c.zh} | `{c.key}` | {TYPE_HINT_ZH[c.type]} | {'y' if c.required else ''} | {_rule(c)} |")
        for r in t.pair_rules:
            out.append(f"\nRule: `{r.a}` {r.op} `{r.b}`.")
        for rs in t.pair_set_rules:
            out.append(f"\nRule: {rs.message_zh}.")
        out.append("")
    return "\n".join(out)


def update_readme(path: Path = PROJECT_ROOT / "README.md") -> bool:
    """Rewrite the generated section; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), f"{START}\n{templates_markdown()}\n{END}", text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("README.md updated" if update_readme() else "README.md already current")
