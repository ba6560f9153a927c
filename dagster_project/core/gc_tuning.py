"""Long-lived objects kept out of Python's cyclic garbage collector.

A process that loads the whole stack (Dagster, dagster-dbt and dbt, Great Expectations,
pandas) holds some 450,000 objects that live as long as it does. Each full collection,
set off by the allocations of ingestion, validation and dbt, walks all of them again and
finds nothing. ``gc.freeze`` moves the objects alive at that moment out of the collector's
reach; objects freed by reference counting are still freed at once, so what it can keep
is only garbage in reference cycles among those objects, until the process ends.
Ingestion of the crash tests' city in one process, alternating: 3.1-3.4 s of CPU frozen,
3.5-3.8 s not; the quick tests, frozen after collection, alternating twice: 69.6 / 70.5 s ->
65.4 / 64.5 s.

While a process imports that stack, the collector runs over a growing heap in which nothing
is garbage yet: importing the definitions set off 372 young, 34 middle and 3 full
collections. ``pause_collections`` stops them until the freeze. Importing the definitions,
three times each way: 2.44-2.52 s with them, 2.10-2.19 s without.
"""

from __future__ import annotations

import gc

_paused = False  # collections were paused by pause_collections() and resume at the freeze


def pause_collections() -> None:
    """No collection until ``keep_out_of_collections``: for a process about to import what it
    will keep, which the freeze then takes out of the collector's reach anyway."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def keep_out_of_collections(collect_first: bool = False) -> None:
    """Freeze what is alive now. ``collect_first`` collects the garbage of the moment before
    (only what is not frozen already: quick after the first freeze), for a process in the
    middle of its work; right after imports there is next to none (91 objects once the
    definitions load), and that collection would walk all 450,000 for it (0.17 s)."""
    global _paused
    if collect_first:
        gc.collect()
    gc.freeze()
    if _paused:
        gc.enable()
        _paused = False
