"""The command line: parse, call the core, render, exit."""

from dlstudy.cli.app import app, main

__all__ = ["app", "main"]
