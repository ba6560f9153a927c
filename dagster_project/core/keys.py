"""The comparison key of text that identifies something (an event, a contract number).

policy-rules.md §1.4 compares events "after NFKC normalisation and removing white space".
It is computed here, once, at ingest and stored next to the text (``event_key``,
``contract_key``), so dbt and the publishers compare the stored key and never
re-implement NFKC: SQL has no NFKC, and an approximation missed e.g. the Kangxi radicals
that PDF copy-paste produces (``⼯业机器⼈技术应⽤`` is ``工业机器人技术应用``).

Case is folded too: no two real events or contract numbers differ only in the case of a
Latin letter (``WEB前端开发``, ``Web前端开发``), and treating them as two would pay one award
twice. The text is normalised again after folding, as folding can leave non-NFKC text.
"""

from __future__ import annotations

import re
import unicodedata

_WHITE_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u180e]+")


def text_key(text: str) -> str:
    """NFKC, case folded, every white-space (and zero-width) character removed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(text)).casefold())
    return _WHITE_SPACE.sub("", folded)
