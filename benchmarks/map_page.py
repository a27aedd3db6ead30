"""Time to make the map page and to make it interactive in Chromium (not part of run.py).

    .venv/bin/python benchmarks/map_page.py [--runs 7]

Prints medians (and min/max) of: `render_map` in process for the shipped guide and a 1,000-topic guide;
the whole `dlstudy map` process on the shipped guide with a fresh data folder; and, in headless Chromium
(Debian's, driven through the DevTools protocol as the tests do), the time from navigation start to the
page's `window.mapReady` flag, loaded offline from the file. The page sizes too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import Browser, find_chromium
from map_samples import shipped_map_data, synthetic_map_data

from dlstudy.interop.map import render_map


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    folder = Path(tempfile.mkdtemp(prefix="dlstudy-map-bench-"))
    for name, data in (("shipped guide (214 topics)", shipped_map_data()), ("1,000 topics", synthetic_map_data(1000))):
        times, page = [], ""
        for _ in range(runs):
            started = time.perf_counter()
            page = render_map(data)
            times.append((time.perf_counter() - started) * 1000)
        path = folder / f"{len(data.topics)}.html"
        path.write_text(page, encoding="utf-8")
        print(f"render_map, {name}: {spread(times)}; page {len(page.encode()) / 1024:.0f} KiB")
    env = os.environ | {"DLSTUDY_HOME": str(folder / "home"), "DLSTUDY_GUIDE": ""}
    subprocess.run([sys.executable, "-m", "dlstudy", "done", "mlp"], env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dlstudy", "map"], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - started) * 1000)
    print(f"dlstudy map (whole process, shipped guide): {spread(times)}")
    executable = find_chromium()
    if executable is None:
        print("Chromium not found: no browser figures")
        return
    browser = Browser(executable)
    try:
        for path in sorted(folder.glob("*.html"), key=lambda p: int(p.stem)):
            ready = []
            for _ in range(runs):
                page = browser.new_page(1600, 1000, 1.0)
                page.go_offline()
                page.navigate(path.as_uri())
                page.wait_until("window.mapReady === true")
                ready.append(float(page.evaluate("window.mapReadyAt")))
                browser.close_pages()
            print(f"Chromium, {path.stem} topics, navigation start to interactive: {spread(ready)}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
