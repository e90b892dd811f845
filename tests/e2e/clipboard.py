#!/usr/bin/python3
"""Holds TEXT on the X clipboard until killed, as a desktop app does after Copy, so a test can
paste it into a native dialog with Ctrl+V. Prints "ready" once the clipboard is owned.

Usage: clipboard.py TEXT
"""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

clipboard = Gtk.Clipboard.get(Gdk.SELECTION_CLIPBOARD)
clipboard.set_text(sys.argv[1], -1)
clipboard.store()
GLib.idle_add(lambda: print("ready", flush=True) and False)
Gtk.main()
