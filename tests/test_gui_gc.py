"""The GUI thread's collector: cyclic garbage still goes, but a big heap of long-lived objects
(results, tables) is walked whole only when it has doubled and no job runs; the passes in between
walk only what is new."""

import gc
import weakref

import pytest

from bizops_desktop.qt import gui_gc


class Node:
    def __init__(self):
        self.other = None


class Runner:
    def __init__(self):
        self.running = False

    def has_jobs(self) -> bool:
        return self.running


@pytest.fixture
def collector(qapp, monkeypatch):
    monkeypatch.setattr(gui_gc, "QUIET_SECONDS", 0.0)
    c = gui_gc.GuiThreadCollector(qapp, interval_ms=10_000_000)  # driven by hand below
    passes: list[int] = []
    real = gc.collect

    def counting(generation=2):
        passes.append(generation)
        return real(generation)

    monkeypatch.setattr(gc, "collect", counting)
    gc.unfreeze()
    real()
    yield c, passes
    c.timer.stop()
    gc.unfreeze()  # leave the other tests an ordinary heap


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


def test_a_big_heap_is_not_walked_again_and_again(collector):
    c, passes = collector
    heap = [[i] for i in range(300_000)]  # results held by the window
    passes.clear()
    refs = _churn(c, 1500)
    # without the freeze: one full pass every eleven middle ones over the whole heap (11 here)
    assert passes.count(2) <= 2
    assert passes.count(1) > 10
    assert gc.get_freeze_count() >= len(heap)  # the heap was frozen by its first pass
    assert sum(r() is None for r in refs) >= len(refs) - 3  # the garbage went all the same
    del heap


def test_the_whole_heap_waits_for_the_jobs(collector):
    c, passes = collector
    runner = Runner()
    c.add_busy(runner.has_jobs)
    heap = [[i] for i in range(300_000)]
    _churn(c, 200)  # the heap's first pass freezes it
    # a garbage cycle among frozen objects: only a whole pass can find it
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.freeze()
    del a, b
    # the heap more than doubles (whatever else the test session holds: it is all frozen by now)
    more = [[i] for i in range(max(c.settled, gc.get_freeze_count()) + 50_000)]
    runner.running = True
    c.passes.clear()
    _churn(c, 400)
    assert "whole" not in c.passes  # never while a job runs
    assert gone() is not None
    runner.running = False
    _churn(c, 400)
    assert "whole" in c.passes
    assert gone() is None  # the cycle among frozen objects was found
    del heap, more
