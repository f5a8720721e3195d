"""Guards against a Qt binding that corrupts the interpreter: PySide6 6.12.0 drops a reference to
None on every call returning nothing, which aborts Python < 3.12 after some 30,000 calls."""

import sys

from PySide6.QtCore import QObject


def test_calls_do_not_leak_references_to_none():
    o = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        o.setObjectName("x")
    # other code may hold a few references meanwhile; a leak shows as ~1000
    assert abs(sys.getrefcount(None) - before) < 50
