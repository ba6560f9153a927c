"""``core.gc_tuning``: the objects alive are frozen, the garbage of the moment is collected
first rather than kept."""

from __future__ import annotations

import gc
import weakref

from dagster_project.core.gc_tuning import keep_out_of_collections, pause_collections


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_in_cycles_is_collected_before_the_freeze_and_the_living_are_frozen() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    alive = [_Node() for _ in range(100)]
    before = gc.get_freeze_count()
    keep_out_of_collections(collect_first=True)
    assert gone() is None  # collected, not frozen
    assert gc.get_freeze_count() >= before + 100  # the living nodes (and the list) are frozen
    assert len(alive) == 100


def test_right_after_imports_it_only_freezes() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    kept = weakref.ref(a)
    del a, b
    keep_out_of_collections()  # no collection first: the cycle is frozen with the rest
    gc.collect()
    assert kept() is not None
    gc.unfreeze()
    gc.collect()
    assert kept() is None
    gc.freeze()  # the session's objects out of the collections again (tests/conftest.py)


def test_a_pause_lasts_until_the_freeze_and_leaves_a_collector_it_did_not_stop_as_it_was() -> None:
    assert gc.isenabled()  # the session's own pause (tests/conftest.py) ended at collection
    pause_collections()
    assert not gc.isenabled()
    keep_out_of_collections()
    assert gc.isenabled()
    gc.disable()  # stopped by someone else: neither the pause nor the freeze turns it back on
    try:
        pause_collections()
        keep_out_of_collections()
        assert not gc.isenabled()
    finally:
        gc.enable()
