"""The Qt face of BizOps Desktop: main window, dialogs, job runner, table model, plot helpers.
Everything that computes lives in ``bizops_desktop.core`` and the plugins' ``analysis`` modules."""
