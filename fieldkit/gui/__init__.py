"""PySide6 only: windows, dialogs, Qt models, the task runner. Nothing below this package imports Qt."""
