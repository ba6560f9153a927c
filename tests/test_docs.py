"""The documentation stays findable and current: a short README whose first lines are the two
commands, links between the docs that resolve (files and headings), commands written as they
run from a fresh clone, and the generated template reference in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from tools.docs import DOC, templates_doc

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def sh_lines(markdown: str) -> list[str]:
    """Every line of the ```sh blocks of a document, in order (list items indent them)."""
    blocks = re.findall(r"^[ \t]*```sh\n(.*?)^[ \t]*```", markdown, flags=re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_slug_matches_githubs_anchors() -> None:
    assert slug("A bureau clerk's year") == "a-bureau-clerks-year"
    assert slug("Serving BI tools from PostgreSQL") == "serving-bi-tools-from-postgresql"
    assert slug("`enrollment` — 在校生及学费收入") == "enrollment--在校生及学费收入"


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert sh_lines(readme)[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/dg launch --assets '*'",
        ".venv/bin/pytest",
    ]
    # issue 21: a newcomer learns at once why the finance workbook looks empty
    assert "Before anyone approves, the finance workbook's figure sheets are empty" in "\n".join(readme.splitlines()[:30])


def test_every_link_between_the_docs_resolves() -> None:
    broken = []
    for doc in DOCS:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not ours to check offline
            file, _, anchor = target.partition("#")
            dest = (doc.parent / file).resolve() if file else doc
            if not dest.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and (dest.suffix != ".md" or anchor not in anchors(dest)):
                broken.append(f"{doc.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_commands_are_written_as_they_run_from_a_fresh_clone() -> None:
    """Without an activated venv, a bare `vocwh` or `dg` is "command not found" (issue 21)."""
    bare = [
        f"{doc.relative_to(ROOT)}: {line}"
        for doc in DOCS
        for line in sh_lines(doc.read_text(encoding="utf-8"))
        if re.match(r"(vocwh|dg|dbt|pytest|python -m)\b", line)
    ]
    assert not bare, "\n".join(bare)


def test_template_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == templates_doc(), "run `.venv/bin/python -m tools.docs`"
