"""Signing in, the first run, the idle lock and a worker handing the laptop to the next one."""

from __future__ import annotations

from fieldkit.core.roles import Actor, Role
from fieldkit.gui.main_window import MainWindow
from fieldkit.storage.accounts import Accounts
from fieldkit.storage.users import UserService
from tests.conftest import ADMIN, TEST_KDF
from tests.gui.conftest import opened, sign_in
from tests.unit.test_security_services import close_at_portal, new_dossier


def test_nothing_is_shown_before_sign_in_and_a_wrong_password_says_so(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    assert window.pages.currentWidget() is window.login
    assert not window.home_button.isEnabled() and not window.settings_button.isEnabled()
    sign_in(window, password="sai-mat-khau")
    assert window.pages.currentWidget() is window.login
    assert "Sai tên tài khoản hoặc mật khẩu" in window.login.problem.text()
    assert window.login.password.text() == ""
    sign_in(window)
    assert window.pages.currentWidget() is window.home
    assert ADMIN in window.worker_label.text() and "quản trị viên" in window.worker_label.text()


def test_first_run_creates_the_administrator_and_warns_about_lost_passwords(qtbot, make_ctx, monkeypatch):
    monkeypatch.setattr("fieldkit.storage.security.calibrate", lambda: TEST_KDF)  # the real cost is tested elsewhere
    ctx = make_ctx(initialise=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    login = window.login
    assert login.mode == "first_run" and login.confirm.isVisibleTo(login)
    assert "mất vĩnh viễn" in login.explain.text()
    login.username.setText("quan.tri")
    login.password.setText("mat-khau-dai-du")
    login.confirm.setText("mat-khau-khac")
    login.submit()
    assert "không giống nhau" in login.problem.text()
    login.confirm.setText("mat-khau-dai-du")
    login.submit()
    assert window.pages.currentWidget() is window.home
    assert Accounts.exists_in(ctx.data_dir)


def test_idle_time_locks_and_the_work_in_progress_comes_back(qtbot, window, ctx):
    window.new_dossier()
    window.wizard.steps[0].search.setText("khai tu")
    ctx.clock.advance(minutes=9)
    window.check_idle()
    assert window.pages.currentWidget() is window.wizard
    ctx.clock.advance(minutes=2)
    window.check_idle()
    assert window.pages.currentWidget() is window.login and window.login.mode == "resume"
    assert not window.home_button.isEnabled()
    sign_in(window)
    assert window.pages.currentWidget() is window.wizard
    assert window.wizard.steps[0].search.text() == "khai tu"  # nothing typed was lost


def test_switching_worker_needs_the_next_workers_password(qtbot, window, ctx):
    with opened(ctx) as kit:
        UserService(kit, Actor(ADMIN, Role.ADMIN)).add("lan.nt", Role.FIELD_WORKER, "mat-khau-cua-lan")
    window.lock_button.click()
    assert window.pages.currentWidget() is window.login
    sign_in(window, "lan.nt", "mat-khau-cua-lan")
    assert window.pages.currentWidget() is window.home
    assert ctx.actor.username == "lan.nt" and ctx.actor.role is Role.FIELD_WORKER
    assert "lan.nt" in window.worker_label.text()
    with opened(ctx) as kit:
        actions = [e.action for e in kit.dossiers.audit.all()]
    assert "user_switched" in actions


def test_signing_in_purges_finished_dossiers_past_retention(qtbot, ctx):
    with opened(ctx) as kit:
        dossier = new_dossier(kit, Actor(ADMIN, Role.ADMIN))
        close_at_portal(kit, dossier.uuid)
    ctx.clock.advance(days=31)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    assert window.home.model.rowCount() == 0
    with opened(ctx) as kit:
        assert kit.dossiers.list() == []
        assert [e.action for e in kit.dossiers.audit.all()].count("purged") == 1
