"""How fast the app shows its first window, and how much memory it holds while working.

Each run starts a fresh Python process (imports included, as a user double-clicking it would), measures
the time from launch until the sign-in window is on screen, signs in and walks the queue and the wizard,
then reports the process's resident memory. Targets (issue 7): first window ≤ 2 s, memory ≤ 400 MB with
the live preview running.

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
for step in range(20):
    app.processEvents()
    time.sleep(0.05)
status = Path("/proc/self/status")
rss_kb = 0
if status.exists():
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            rss_kb = int(line.split()[1])
print("rss_kb", rss_kb, flush=True)
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


def run_once(folder: Path) -> tuple[float, int]:
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
    rss = int(child.stdout.readline().split()[1])
    child.wait(timeout=60)
    return shown, rss


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
    report = {
        "runs": runs,
        "first_window_s": {"median": statistics.median(shown), "max": max(shown)},
        "peak_rss_mb": {"median": statistics.median(rss_mb), "max": max(rss_mb)},
        "targets": {"first_window_s": 2.0, "peak_rss_mb": 400},
    }
    print(f"{'measure':<34}{'median':>10}{'max':>10}{'target':>10}")
    print(f"{'first window (s)':<34}{report['first_window_s']['median']:>10.2f}{max(shown):>10.2f}{'≤ 2.0':>10}")
    print(
        f"{'peak memory, signed in (MB)':<34}{report['peak_rss_mb']['median']:>10.0f}{max(rss_mb):>10.0f}{'≤ 400':>10}"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
