import argparse
import io
import json

import cv2
import numpy as np
import pytest

from fieldkit.cli import build_parser
from fieldkit.core.i18n import Translator
from fieldkit.qr.democard import DEMO_PAYLOAD, demo_card
from tests.conftest import make_pdf

QR = "001090012345|123456789|Nguyễn Văn An|01021990|Nam|Số 5, ngõ 12, phường Trúc Bạch, Hà Nội|15082021"


def all_parsers(parser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from all_parsers(sub, (*path, name))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_command_and_option_has_help_text(lang):
    tr = Translator(lang)
    seen = 0
    for path, parser in all_parsers(build_parser(tr)):
        assert parser.description, path
        for action in parser._actions:
            if action.option_strings or action.dest not in ("command", "action"):
                assert action.help and not action.help.startswith(("cli.", "field.")), (path, action.dest)
        seen += 1
    assert seen > 15


def test_help_runs_for_every_command(run_cli):
    for path, _ in all_parsers(build_parser(Translator("vi"))):
        with pytest.raises(SystemExit) as caught:
            run_cli(*path, "--help")
        assert caught.value.code == 0


def test_citizen_and_dossier_round_trip(run_cli, tmp_path):
    code, out, _ = run_cli("citizen", "add", "--qr-payload", QR, "--phone", "0912 345 678", "--json")
    assert code == 0
    assert json.loads(out)["citizen"]["phone"] == "0912345678"
    code, out, _ = run_cli("citizen", "find", "nguyen van an", "--json")
    assert json.loads(out)["id_number"] == "001090012345"

    pdf = tmp_path / "tờ khai.pdf"
    pdf.write_bytes(make_pdf(2))
    code, out, _ = run_cli(
        "dossier",
        "new",
        "--procedure",
        "1.004873",
        "--citizen",
        "001090012345",
        "--field",
        "marital_status=Chưa đăng ký kết hôn với ai",
        "--field",
        "purpose=Kết hôn",
        "--doc",
        f"TOKHAI={pdf}",
        "--village",
        "Thôn 3",
        "--json",
    )
    assert code == 0
    dossier = json.loads(out)
    assert dossier["problems"] == [] and dossier["documents"][0]["pages"] == 2
    assert dossier["declaration"]["marital_status"] == "chua_ket_hon"
    assert run_cli("dossier", "validate", dossier["uuid"])[0] == 0
    code, out, _ = run_cli("dossier", "show", dossier["uuid"][:8])  # for people: the catalog's words
    assert "  Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai\n" in out and "(2 trang, " in out
    code, _, err = run_cli("dossier", "queue", dossier["uuid"][:8])
    assert code == 2 and "consent record" in err  # not without the citizen's consent
    assert run_cli("consent", "record", dossier["uuid"][:8], "--agreed")[0] == 0
    code, out, _ = run_cli("dossier", "queue", dossier["uuid"][:8])
    assert code == 0 and dossier["uuid"] in out
    code, out, _ = run_cli("dossier", "list", "--status", "queued", "--json")
    assert [json.loads(line)["uuid"] for line in out.splitlines()] == [dossier["uuid"]]


def test_a_draft_is_thrown_away_only_when_the_worker_says_so(run_cli):
    run_cli("citizen", "add", "--qr-payload", QR)
    code, out, _ = run_cli("dossier", "new", "--procedure", "1.004873", "--citizen", "001090012345", "--json")
    uuid = json.loads(out)["uuid"]
    code, _, err = run_cli("dossier", "discard", uuid[:8])  # a script that did not say --yes
    assert code == 2 and "--yes" in err
    assert run_cli("dossier", "show", uuid[:8])[0] == 0
    code, out, _ = run_cli("dossier", "discard", uuid[:8], "--yes")
    assert code == 0 and f"Đã bỏ hồ sơ {uuid}" in out
    code, _, err = run_cli("dossier", "show", uuid[:8])
    assert code == 2
    assert run_cli("citizen", "show", "001090012345")[0] == 0  # the citizen stays


def test_at_a_terminal_a_draft_goes_only_on_a_yes(run_cli, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    run_cli("citizen", "add", "--qr-payload", QR)
    code, out, _ = run_cli("dossier", "new", "--procedure", "1.004873", "--citizen", "001090012345", "--json")
    uuid = json.loads(out)["uuid"]
    answers = iter(["không", "có"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    code, out, err = run_cli("dossier", "discard", uuid[:8])
    assert code == 2 and uuid[:8] in out and "Chưa bỏ hồ sơ" in err  # the dossier was shown; "no" keeps it
    assert run_cli("dossier", "discard", uuid[:8])[0] == 0 and next(answers, None) is None
    assert run_cli("dossier", "show", uuid[:8])[0] == 2


def test_user_mistakes_exit_2_with_one_clear_line(run_cli):
    code, out, err = run_cli("citizen", "show", "001090012345")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "Chưa có công dân" in err and "Traceback" not in err
    code, _, err = run_cli("catalog", "show", "9.999999", "--lang", "en")
    assert code == 2 and err.strip() == (
        "No procedure with code “9.999999” in the catalog. Check the code or search by name."
    )
    code, _, err = run_cli("dossier", "new", "--procedure", "1.004873")
    assert code == 2 and err.startswith("Lệnh chưa đúng")
    code, _, err = run_cli("dossier", "new", "--procedure", "1.004873", "--citizen", "1", "--field", "novalue")
    assert code == 2 and "TÊN=GIÁ_TRỊ" in err


@pytest.mark.parametrize(
    ("argv", "vietnamese"),
    [
        (("dossier", "create"), "không có lựa chọn 'create' (chọn một trong: 'new'"),
        (("dossier", "show"), "còn thiếu ID"),
        (("--frob",), "không hiểu --frob"),
        (("scan", "a.jpg", "--mode", "xyz"), "--mode: không có lựa chọn 'xyz'"),
        (("dossier", "new", "--procedure"), "--procedure: cần một giá trị đi kèm"),
    ],
)
def test_argparse_complains_in_vietnamese_and_in_english(run_cli, argv, vietnamese):
    code, _, err = run_cli(*argv)
    assert code == 2 and vietnamese in err and "argument" not in err and "invalid" not in err
    code, _, err = run_cli("--lang", "en", *argv)
    assert code == 2 and err.startswith("Wrong command") and "không" not in err


def test_catalog_show_lists_each_fields_kind_and_choices_in_words(run_cli):
    from fieldkit.core.declaration import FIELD_TYPES

    for lang in ("vi", "en"):
        tr = Translator(lang)
        assert all(tr(f"cli.field_type.{kind}") != f"cli.field_type.{kind}" for kind in FIELD_TYPES)
    code, out, _ = run_cli("catalog", "show", "1.004873")
    assert code == 0 and "Tình trạng hôn nhân [chọn một]" in out
    assert "= da_ly_hon" in out and "Đã ly hôn" in out


def test_help_is_worded_in_vietnamese(run_cli, capsys):
    with pytest.raises(SystemExit) as caught:
        run_cli("dossier", "--help")
    out = capsys.readouterr().out
    assert caught.value.code == 0 and out.startswith("Cách dùng: fieldkit dossier")
    assert "tùy chọn:" in out and "Hiện hướng dẫn này rồi thoát" in out and "options:" not in out


# The 4th digit (1) says female; the sex given is male.
BINH_WITH_A_FEMALE_DIGIT = (
    "citizen",
    "add",
    "--id-number",
    "001190012345",
    "--full-name",
    "Lê Văn Bình",
    "--date-of-birth",
    "01/02/1990",
    "--sex",
    "Nam",
)


def test_validation_problems_are_listed_in_english_too(run_cli, monkeypatch):
    monkeypatch.setenv("FIELDKIT_LANG", "en")
    code, _, err = run_cli(*BINH_WITH_A_FEMALE_DIGIT)
    assert code == 2
    assert "4th digit (1) means female, but the sex given is male" in err
    code, _, _ = run_cli(*BINH_WITH_A_FEMALE_DIGIT, "--accept-mismatch")
    assert code == 0


def test_a_broken_pdf_is_refused_and_nothing_is_created(run_cli, tmp_path):
    run_cli("citizen", "add", "--qr-payload", QR)
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")
    code, _, err = run_cli(
        "dossier", "new", "--procedure", "1.004873", "--citizen", "001090012345", "--doc", f"TOKHAI={broken}"
    )
    assert code == 2 and "hong.pdf" in err
    assert run_cli("dossier", "list", "--json")[1] == ""


def test_catalog_check_reports_a_province_file(run_cli, tmp_path):
    bad = tmp_path / "tinh.json"
    bad.write_text('{"procedures": [{"code": "1.000001"}]}', encoding="utf-8")
    code, out, _ = run_cli("catalog", "check", str(bad), "--json")
    report = json.loads(out)
    assert code == 2 and report["procedures"] == 0
    assert {p["where"] for p in report["problems"]} >= {"tinh.json: procedures[0].name"}


def test_a_kit_failure_exits_1(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli("--data-dir", str(blocker / "kit"), "dossier", "list")
    assert code == 1 and "--data-dir" in err


def test_settings(run_cli):
    assert run_cli("settings", "set", "village", "Thôn Phú Lương")[0] == 0
    _code, out, _ = run_cli("settings", "show", "--json")
    assert json.loads(out)["village"] == "Thôn Phú Lương"
    assert run_cli("settings", "set", "max_file_mb", "nhiều")[0] == 2


def test_citizen_from_a_photograph_of_the_card(run_cli, tmp_path):
    photo = tmp_path / "the-card.jpg"
    cv2.imwrite(str(photo), demo_card(DEMO_PAYLOAD))
    code, out, err = run_cli("citizen", "add", "--from-image", str(photo), "--json")
    assert code == 0, err
    assert json.loads(out)["citizen"]["full_name"] == "Nguyễn Văn Mẫu"
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 300), 255, np.uint8))
    code, _, err = run_cli("citizen", "add", "--from-image", str(blank))
    assert code == 2 and "Không thấy mã QR của thẻ căn cước" in err
