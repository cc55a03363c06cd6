"""GUI fixtures: real widgets offscreen, a real kit, the task runner made synchronous, dialogs recorded."""

from __future__ import annotations

import pytest

from fieldkit.core.i18n import Translator
from fieldkit.gui.app import build_context
from fieldkit.gui.dialogs import RecordingDialogs
from fieldkit.gui.main_window import MainWindow


@pytest.fixture
def make_ctx(tmp_path, clock):
    contexts = []

    def make(lang: str = "vi", synchronous: bool = True):
        tr = Translator(lang)
        ctx = build_context(
            tmp_path / f"kit-{lang}",
            tr,
            "to-cong-nghe-so",
            dialogs=RecordingDialogs(tr),
            clock=clock,
            synchronous=synchronous,
        )
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.runner.shutdown()


@pytest.fixture
def ctx(make_ctx):
    return make_ctx()


@pytest.fixture
def window(qtbot, ctx):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.start()
    main.show()
    return main
