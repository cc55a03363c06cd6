"""How fast the app shows its first window, and how much memory it holds while working.

Each run starts a fresh Python process (imports included, as a user double-clicking it would), measures
the time from launch until the sign-in window is on screen, signs in and walks the queue and the wizard,
then reports the process's resident memory. Targets (issue 7): first window ≤ 2 s, memory ≤ 400 MB with
the live preview running (the scanner dialog on the demo camera, the page detector on every frame).

    .venv/bin/python scripts/bench/gui.py [--runs 5] [--quick] [--out bench-results/gui.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from fieldkit.core.i18n import Translator
from fieldkit.gui.app import build_context, make_application
from fieldkit.gui.main_window import MainWindow

data_dir = Path(sys.argv[1])
app = make_application()
ctx = build_context(data_dir, Translator("vi"))
window = MainWindow(ctx)
window.start()
window.show()
app.processEvents()
print("shown", flush=True)
window.login.username.setText("bench")
window.login.password.setText("mat-khau-bench")
window.login.submit()
deadline = time.time() + 30
while window.pages.currentWidget() is not window.home and time.time() < deadline:
    app.processEvents()
    time.sleep(0.01)
window.new_dossier()
app.processEvents()
# The live preview: the scanner dialog on the demo camera, detecting the page in every frame.
from fieldkit.gui.scanner_dialog import ScannerDialog
slot = ctx.catalog.get("1.004873").slot("TOKHAI")
ctx.camera = "demo"
dialog = ScannerDialog(ctx, "bench", slot)
dialog.show()
frames_at_start = None
started = time.time()
while time.time() - started < 6:
    app.processEvents()
    if frames_at_start is None and time.time() - started > 1:
        frames_at_start = (dialog.feed.frames_read, time.time())
    time.sleep(0.01)
fps = (dialog.feed.frames_read - frames_at_start[0]) / (time.time() - frames_at_start[1])
def status(field):
    path = Path("/proc/self/status")
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0
print("rss_kb", status("VmRSS:"), status("VmHWM:"), round(fps, 1), flush=True)
dialog.reject()
ctx.runner.shutdown()
"""


def make_kit(folder: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from fieldkit.storage.security import init_kit; "
            "kit, _ = init_kit(sys.argv[1], 'bench', 'mat-khau-bench'); kit.close()",
            str(folder),
        ],
        check=True,
        cwd=ROOT,
    )


def run_once(folder: Path) -> tuple[float, int, int, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    first = child.stdout.readline()
    shown = time.perf_counter() - started
    assert first.strip() == "shown", first
    _, rss, peak, fps = child.stdout.readline().split()
    child.wait(timeout=60)
    return shown, int(rss), int(peak), float(fps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two runs")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "gui.json"))
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    folder = Path(tempfile.mkdtemp(prefix="fieldkit-bench-gui-"))
    make_kit(folder)
    results = [run_once(folder) for _ in range(runs)]
    shown = [r[0] for r in results]
    rss_mb = [r[1] / 1024 for r in results]
    peak_mb = [r[2] / 1024 for r in results]
    fps = [r[3] for r in results]
    report = {
        "runs": runs,
        "first_window_s": {"median": statistics.median(shown), "worst": max(shown)},
        "rss_mb_live_preview": {"median": statistics.median(rss_mb), "worst": max(rss_mb)},
        "peak_rss_mb": {"median": statistics.median(peak_mb), "worst": max(peak_mb)},
        "preview_fps": {"median": statistics.median(fps), "worst": min(fps)},
        "targets": {"first_window_s": 2.0, "rss_mb_live_preview": 400},
    }
    rows = [
        ("first window (s)", statistics.median(shown), max(shown), "≤ 2.0", "{:.2f}"),
        ("memory, live preview (MB)", statistics.median(rss_mb), max(rss_mb), "≤ 400", "{:.0f}"),
        ("peak memory incl. sign-in (MB)", statistics.median(peak_mb), max(peak_mb), "", "{:.0f}"),
        ("preview frames/s (demo camera)", statistics.median(fps), min(fps), "", "{:.1f}"),
    ]
    print(f"{'measure':<34}{'median':>10}{'worst':>10}{'target':>10}")
    for name, median, worst, target, fmt in rows:
        print(f"{name:<34}{fmt.format(median):>10}{fmt.format(worst):>10}{target:>10}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
