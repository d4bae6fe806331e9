"""Training inside the app: frames per second with every panel visible, epochs per second
while playing against headless, and how long a click on Pause waits.

    QT_QPA_PLATFORM=offscreen python benchmarks/playing.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import best_time, layered_network
from PySide6.QtCore import QEventLoop, QSettings, QTimer

from engine.files import save_network
from engine.trainer import Trainer
from gui.app import create_app
from gui.mainwindow import MainWindow
from gui.recovery import Recovery

SECONDS = 3.0


def run_events(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> None:
    app = create_app()
    folder = Path(tempfile.mkdtemp())
    net = layered_network([2, 8, 8, 1])
    net.training.max_epochs = 10**9
    save_network(net, folder / "net.json")
    window = MainWindow(
        QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), Recovery(folder / "r")
    )
    window.resize(1440, 900)
    window.show()
    window.files.open_path(folder / "net.json", ask=False)
    app.processEvents()

    frames = []
    window.learning.progress.connect(lambda: frames.append(time.perf_counter()))
    window.learning.set_speed(None)  # as fast as possible
    window.learning.play()
    run_events(0.5)  # warm up
    frames.clear()
    epoch0 = window.learning.trainer.epoch
    run_events(SECONDS)
    playing_epochs = (window.learning.trainer.epoch - epoch0) / SECONDS
    fps = len(frames) / SECONDS

    waits = []
    for _ in range(20):
        asked = time.perf_counter()
        QTimer.singleShot(
            0, lambda a=asked: (waits.append(time.perf_counter() - a), window.learning.pause())
        )
        run_events(0.05)
        window.learning.play()
        run_events(0.1)
    window.learning.pause()

    headless = Trainer(net.copy())
    headless_epochs = 2000 / best_time(lambda: headless.train(2000), 3)
    print("2-8-8-1 on 200 xor_noisy points, full batch, every panel visible (offscreen)")
    print(f"  frames per second while playing   {fps:8.1f}")
    print(f"  epochs/s while playing            {playing_epochs:8,.0f}")
    print(
        f"  epochs/s headless                 {headless_epochs:8,.0f}"
        f"   (playing/headless {playing_epochs / headless_epochs:.0%})"
    )
    print(
        f"  Pause click handled after         {1e3 * max(waits):8.1f} ms at most"
        f" (median {1e3 * sorted(waits)[len(waits) // 2]:.1f} ms)"
    )
    window.doc.undo_stack.setClean()


if __name__ == "__main__":
    main()
