from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

# A small valid guide; tests edit copies of it to produce each kind of error.
TINY_GUIDE = """\
title: Tiny guide
sections:
  - id: basics
    title: Basics
    groups:
      - id: core
        title: Core
        topics:
          - id: mlp
            title: Multilayer Perceptrons
            queries: [feedforward networks]
            goal: basic neural computation
            cards:
              - {id: layers, question: What does a hidden layer compute?, answer: An affine map then a nonlinearity.}
              - {id: backprop, question: What does backpropagation compute?, answer: Gradients of the loss by the chain rule.}
          - id: cnn
            title: CNN Fundamentals
            queries: [convolution pooling]
            goal: spatial features
            requires: [mlp]
            cards:
              - {id: conv, question: What does a convolution layer share across positions?, answer: Its filter weights.}
              - {id: pool, question: What does pooling do?, answer: Downsamples feature maps spatially.}
          - id: resnet
            title: ResNet
            queries: [residual networks]
            goal: very deep networks
            requires: [cnn]
            cards:
              - {id: skip, question: What does a residual block output?, answer: x + F(x).}
              - {id: depth, question: Why do skip connections help depth?, answer: Gradients flow through the identity path.}
tracks:
  - id: classification
    title: Image Classification
    topics: [mlp, cnn, resnet]
levels:
  - id: vision-101
    title: Vision 101
    domain: vision
    rank: 101
    topics: [mlp, cnn]
  - id: vision-201
    title: Vision 201
    domain: vision
    rank: 201
    topics: [resnet]
"""


@pytest.fixture
def write_guide(tmp_path: Path):
    """Write guide text (dedented) to a file and return its path."""

    def write(text: str, name: str = "guide.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def learner(tmp_path: Path):
    """A data folder and a three-topic guide, driven through the CLI (see tests/learner.py)."""
    from learner import Learner

    return Learner(tmp_path)


def pytest_collection_modifyitems(config, items):
    """In the server run (DLSTUDY_TEST_BACKEND=postgres), tests about SQLite files are skipped, saying why."""
    import databases

    if not databases.on_server():
        return
    skip = pytest.mark.skip(reason="about SQLite files; the server run covers everything else")
    twice = pytest.mark.skip(reason="runs against the server in the SQLite run already, on databases of its own")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
        elif item.path.name == "test_postgres.py":
            item.add_marker(twice)


@pytest.fixture(autouse=True)
def _database_backend(request, monkeypatch):
    """In the server run, each test's databases are fresh ones on the server (tests/databases.py), the
    first of them in DLSTUDY_DATABASE_URL for every command the test runs; dropped after the test."""
    import databases

    if (not databases.on_server() or request.node.get_closest_marker("sqlite_only")
            or request.node.path.name == "test_postgres.py"):
        yield
        return
    made = databases.begin_test()
    monkeypatch.setenv(databases.URL_ENV, made.default)
    try:
        yield
    finally:
        import processes

        processes.close_all()  # a process still connected would hold the database open
        databases.end_test()


@pytest.fixture(autouse=True)
def _end_started_processes():
    """Processes a test started (tests/processes.py) are ended and their pipes closed after it."""
    yield
    import processes

    processes.close_all()


@pytest.fixture
def utc_local_time(monkeypatch):
    """The machine's local time zone set to UTC for the test (the learner's day follows local time)."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def composed(monkeypatch):
    """The guide sections composed from their YAML (not found in the cache), by their text."""
    from dlstudy.guide import reader

    calls = []
    real = reader.section_node

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(reader, "section_node", counting)
    return calls
