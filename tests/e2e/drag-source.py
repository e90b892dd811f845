#!/usr/bin/python3
"""A small GTK window that offers paths as `text/uri-list`, the way a file manager does when a
folder is dragged out of it. The end-to-end tests drag from it with xdotool.

Usage: drag-source.py X Y PATH [PATH ...]. The window is placed at (X, Y), 160x90 pixels; once
it is on screen the script prints "ready" and serves drags until it is killed. Each finished
drag prints "dropped" (the target accepted it) or "cancelled".
"""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

x, y, paths = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
uris = [GLib.filename_to_uri(p, None) for p in paths]

window = Gtk.Window(title="Slipway test drag source")
window.set_decorated(False)
window.set_default_size(160, 90)
window.move(x, y)
box = Gtk.EventBox()
box.add(Gtk.Label(label="drag me"))
window.add(box)

box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
box.drag_source_add_uri_targets()


def on_get(_widget, _context, data, _info, _time):
    data.set_uris(uris)


def on_end(_widget, context):
    print("dropped" if context.get_selected_action() else "cancelled", flush=True)


box.connect("drag-data-get", on_get)
box.connect("drag-end", on_end)
window.connect("destroy", Gtk.main_quit)


def mapped(*_):
    # Drawn and on screen: the test may start dragging.
    GLib.timeout_add(200, lambda: print("ready", flush=True) and False)


window.connect("map-event", mapped)
window.show_all()
window.move(x, y)
Gtk.main()
