"""The cyclic collector is paused during intake batches and always gets its turn back."""

from __future__ import annotations

import gc

from shequn.intake import collector
from shequn.intake.collector import collector_paused


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_paused_inside_and_restored_after_even_when_nested() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_when_the_batch_fails() -> None:
    try:
        with collector_paused():
            raise RuntimeError("batch failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_overlapping_batches_still_collect_a_large_backlog() -> None:
    gc.collect()
    with collector_paused():  # an outer batch that never ends in this test
        with collector_paused():
            garbage = [_Cycle() for _ in range(collector._BACKLOG + 10_000)]
            del garbage  # cycles: only the collector can free them
            assert gc.get_count()[0] > collector._BACKLOG
        # Leaving the inner batch collected them although the outer one is running.
        assert gc.get_count()[0] < collector._BACKLOG
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
