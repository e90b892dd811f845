#!/usr/bin/python3
"""Prints the desktop window's figures: time from launch to first paint, and memory (PSS) of
the app and its WebKit processes once the window has settled.

Run under an X server (scripts/bench starts Xvfb): `window-figures.py APP [RUNS] [FOLDER]`.
First paint is measured from outside, on the screen itself: the moment the screen holds more
than a handful of colours, which a blank window or the bare root window never does, and any
text does. Each launch gets fresh settings, so it is a first run (or opens FOLDER).
"""
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402


def distinct_colours(root, width, height):
    shot = Gdk.pixbuf_get_from_window(root, 0, 0, width, height)
    if shot is None:
        return 0
    pixels = shot.get_pixels()
    stride, channels = shot.get_rowstride(), shot.get_n_channels()
    seen = set()
    for y in range(0, height, 7):
        row = y * stride
        for x in range(0, width, 7):
            i = row + x * channels
            seen.add(pixels[i : i + 3])
            if len(seen) > 12:
                return len(seen)
    return len(seen)


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def one_launch(app, folder, root, width, height):
    home = tempfile.mkdtemp(prefix="slipway-figures-")
    env = dict(os.environ, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, XDG_CACHE_HOME=home)
    args = [app] + ([folder] if folder else [])
    start = time.monotonic()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    painted = None
    while time.monotonic() - start < 30:
        if distinct_colours(root, width, height) > 12:
            painted = time.monotonic() - start
            break
        time.sleep(0.005)
    # Memory once the page has settled (fonts, the first analysis, the first idle).
    time.sleep(3)
    per_name = {}
    for p in descendants(child.pid):
        per_name[name(p)] = per_name.get(name(p), 0) + pss_kib(p)
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    subprocess.run(["rm", "-rf", home], check=False)
    if painted is None:
        raise SystemExit("the window did not paint within 30 s")
    return painted, per_name


def main():
    app = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    folder = sys.argv[3] if len(sys.argv) > 3 else None
    screen = Gdk.Screen.get_default()
    root = Gdk.get_default_root_window()
    width, height = screen.get_width(), screen.get_height()
    # The screen must start blank, or the first grab already counts as painted.
    if distinct_colours(root, width, height) > 12:
        raise SystemExit("the screen is not blank before the launch: run on an empty X server")
    paints, totals, parts = [], [], {}
    for _ in range(runs):
        painted, per_name = one_launch(app, folder, root, width, height)
        paints.append(painted * 1000)
        totals.append(sum(per_name.values()) / 1024)
        for n, kib in per_name.items():
            parts.setdefault(n, []).append(kib / 1024)
        time.sleep(0.5)
    paints.sort()
    p95 = paints[min(len(paints) - 1, round(0.95 * (len(paints) - 1)))]
    what = f"opening {folder}" if folder else "first run, no project"
    print(f"window ({what}, {runs} launches, {width}x{height}):")
    print(f"  launch to first paint: median {statistics.median(paints):.0f} ms, p95 {p95:.0f} ms")
    print(f"  PSS after 3 s: median {statistics.median(totals):.1f} MiB in all")
    for n, values in sorted(parts.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {n:<20} {statistics.median(values):6.1f} MiB")


if __name__ == "__main__":
    main()
