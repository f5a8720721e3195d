"""The GUI thread's collector: cyclic garbage still goes, but a big heap of long-lived objects
(results, tables) is not walked again and again (CPython's quarter-growth brake on full passes)."""

import gc
import weakref

import pytest

from bizops_desktop.qt import gui_gc


class Node:
    def __init__(self):
        self.other = None


@pytest.fixture
def collector(qapp, monkeypatch):
    c = gui_gc.GuiThreadCollector(qapp, interval_ms=10_000_000)  # driven by hand below
    passes: list[int] = []
    real = gc.collect

    def counting(generation=2):
        passes.append(generation)
        return real(generation)

    monkeypatch.setattr(gc, "collect", counting)
    yield c, passes
    c.timer.stop()


def _churn(c, rounds: int) -> list:
    """Cycles of garbage, as a job's worker makes them; weak references to see them go."""
    refs = []
    for _ in range(rounds):
        junk = [Node() for _ in range(2000)]
        for a, b in zip(junk[::2], junk[1::2]):
            a.other, b.other = b, a
        refs.append(weakref.ref(junk[0]))
        del junk, a, b
        c.check()
    return refs


def test_full_passes_wait_for_the_heap_to_grow(collector):
    c, passes = collector
    gc.collect()  # start from a clean slate with the long-lived heap in the oldest generation
    heap = [[i] for i in range(300_000)]
    passes.clear()
    refs = _churn(c, 1500)
    full = passes.count(2)
    assert 1 <= full <= 2  # without the brake: one full pass every eleven middle ones (12 here)
    assert passes.count(1) > 10
    assert sum(r() is None for r in refs) >= len(refs) - 3  # the garbage went all the same
    more = [[i] for i in range(len(heap) // 2)]  # the heap grows by half: a full pass is due
    passes.clear()
    _churn(c, 300)
    assert passes.count(2) >= 1
    del heap, more
