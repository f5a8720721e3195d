"""Everything that is not Qt: import, column roles, derived views, plugins, project file, jobs.

Nothing under this package may import PySide6 or pyqtgraph (tests/test_layers.py enforces it).
"""
