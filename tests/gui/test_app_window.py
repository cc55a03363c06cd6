from fieldkit.core.i18n import Translator
from fieldkit.gui.app import MainWindow


def test_main_window_opens_in_vietnamese_and_english(qtbot, tmp_path):
    for lang, title in (("vi", "Hỗ trợ dịch vụ công trực tuyến"), ("en", "Online public services")):
        window = MainWindow(Translator(lang), str(tmp_path))
        qtbot.addWidget(window)
        window.show()
        assert title in window.windowTitle()
        assert window.isVisible()
