"""Public names for plugin authors: ``from bizops_desktop.hooks import hookimpl, Analysis, ...``."""

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.params import Param
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.plugins import PluginContext, hookimpl
from bizops_desktop.core.progress import Progress

__all__ = [
    "Analysis",
    "Result",
    "Dataset",
    "Cancelled",
    "DataError",
    "UsageError",
    "Param",
    "Layer",
    "PlotSpec",
    "PluginContext",
    "hookimpl",
    "Progress",
]
