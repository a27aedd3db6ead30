"""The command line: parse, call the core, render, exit."""

from typing import Any

from dlstudy.cli.launch import main, run

__all__ = ["app", "main", "run"]


def __getattr__(name: str) -> Any:
    """`app`: the whole app, every command registered, made when first asked for (`main` runs a command
    with its own module only)."""
    if name == "app":
        from dlstudy.cli.application import whole_app

        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
