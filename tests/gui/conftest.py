"""GUI fixtures: real widgets offscreen, a real encrypted kit, the task runner made synchronous, dialogs
recorded. The window is signed into through its own sign-in page."""

from __future__ import annotations

import contextlib
import gc

import pytest

from fieldkit.core.i18n import Translator
from fieldkit.gui.app import build_context
from fieldkit.gui.collector import GuiThreadCollector
from fieldkit.gui.dialogs import RecordingDialogs
from fieldkit.gui.main_window import MainWindow
from fieldkit.storage.security import unlock_kit
from tests.conftest import ADMIN, ADMIN_PASSWORD, make_kit


@pytest.fixture(autouse=True)
def collected_on_the_gui_thread(qapp):
    """As in the app (`make_application`): reference cycles are collected on the GUI thread only, never on a
    camera or sync worker (which would destroy Qt objects there). Automatic collection is back after each
    test, and what waits is collected then, on this thread."""
    collector = GuiThreadCollector(qapp).start()
    yield collector
    collector.stop()
    collector.deleteLater()
    gc.collect()


@pytest.fixture
def make_ctx(tmp_path, clock):
    contexts = []

    def make(lang: str = "vi", synchronous: bool = True, initialise: bool = True, name: str = ""):
        data_dir = tmp_path / (name or f"kit-{lang}")
        if initialise and not data_dir.exists():
            kit, _ = make_kit(data_dir, clock)
            kit.close()
        tr = Translator(lang)
        ctx = build_context(data_dir, tr, dialogs=RecordingDialogs(tr), clock=clock, synchronous=synchronous)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.runner.shutdown()


@pytest.fixture
def ctx(make_ctx):
    return make_ctx()


def sign_in(window: MainWindow, name: str = ADMIN, password: str = ADMIN_PASSWORD) -> None:
    window.login.username.setText(name)
    window.login.password.setText(password)
    window.login.submit()


@pytest.fixture
def window(qtbot, ctx):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.start()
    main.show()
    sign_in(main)
    assert main.pages.currentWidget() is main.home, ctx.dialogs.shown
    return main


@contextlib.contextmanager
def opened(ctx):
    """The kit as another program would see it: unlocked with the administrator's password."""
    kit, _ = unlock_kit(ctx.data_dir, ADMIN, ADMIN_PASSWORD, clock=ctx.clock)
    try:
        yield kit
    finally:
        kit.close()


CITIZEN = {
    "id_number": "001090012345",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "01/02/1990",
    "permanent_address": "Số 5, ngõ 12, phường Trúc Bạch, Hà Nội",
    "phone": "0912 345 678",
}


def type_text(qtbot, widget, text: str) -> None:
    """Type like a person. QTest can only synthesise Latin-1 keys; Vietnamese letters arrive through the
    input method, which for a line edit is an insert at the cursor."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)


def type_citizen(step, qtbot, values=CITIZEN, sex="nam") -> None:
    for name, value in values.items():
        step.inputs[name].clear()
        type_text(qtbot, step.inputs[name], value)
    combo = step.inputs["sex"]
    combo.setCurrentIndex(combo.findData(sex))


def wizard_at(window: MainWindow, qtbot, step: int, search: str = "hon nhan"):
    """A new dossier for Nguyễn Văn An under the marital-status certificate, the wizard left at `step`
    (1 citizen, 2 declaration, 3 documents): the way a worker gets there."""
    window.new_dossier()
    wizard = window.wizard
    wizard.steps[0].search.setText(search)
    wizard.steps[0].results.setCurrentRow(0)
    if step >= 1:
        wizard.next_button.click()
    if step >= 2:
        type_citizen(wizard.steps[1], qtbot)
        wizard.next_button.click()
    if step >= 3:
        wizard.next_button.click()
    assert wizard.index == step
    return wizard
