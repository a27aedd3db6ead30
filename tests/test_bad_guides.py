"""Malformed guides, end to end: each one fails with exit status 1 and `dlstudy: ` lines that name
the file, the line and the reason, never a traceback, and leaves the learner's database untouched.

The committed corpus is tests/data/bad_guides (see its README.md); a very large guide and very deep
nesting are generated here instead of being committed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY_GUIDE
from typer.testing import CliRunner

from dlstudy.cli import app

BAD_GUIDES = Path(__file__).parent / "data" / "bad_guides"
NOW = "2026-11-21T10:00:00+00:00"
COMMANDS = (["next"], ["review"], ["done", "cnn"])  # each loads the guide from DLSTUDY_GUIDE

# file -> (line the problem is reported on, None for the whole file; a distinctive part of the message)
EXPECTED = {
    "alias-billion-laughs.yaml": (48, "invalid YAML: aliases expand to more than 10000 nodes"),
    "alias-inside-own-anchor.yaml": (29, "invalid YAML: alias '*cards' is used inside the anchor it refers to"),
    "bare-list-document.yaml": (1, "expected a mapping of title, version, sections, tracks, levels, got a list"),
    "bare-null-document.yaml": (1, "expected a mapping of title, version, sections, tracks, levels, got nothing"),
    "bare-scalar-document.yaml": (1, "got text 'Deep learning study guide'"),
    "binary-junk.yaml": (1, "not UTF-8 text (byte 0 is 0xf9)"),
    "broken-yaml-bad-indentation.yaml": (19, "did not find expected key (while parsing a block mapping from line 16)"),
    "broken-yaml-misaligned-list-item.yaml": (24, "invalid YAML: did not find expected key"),
    "broken-yaml-stray-colon.yaml": (17, "invalid YAML: mapping values are not allowed in this context"),
    "broken-yaml-tab-indentation.yaml": (19, "invalid YAML: found character that cannot start any token (a tab"),
    "broken-yaml-unclosed-brace.yaml": (31, "expected ',' or '}' (while parsing a flow mapping from line 30)"),
    "broken-yaml-unclosed-bracket.yaml": (27, "expected ',' or ']' (while parsing a flow sequence from line 26)"),
    "broken-yaml-unclosed-quote.yaml": (47, "end of stream (while scanning a quoted scalar from line 25)"),
    "broken-yaml-undefined-alias.yaml": (27, "invalid YAML: found undefined alias 'deep-goal'"),
    "cycle-long.yaml": (13, "topic 'step-01', field 'requires': prerequisite cycle: step-01 -> step-12 -> step-11 -> "
                            "step-10 -> step-09 -> step-08 -> step-07 -> step-06 -> step-05 -> step-04 -> step-03 -> "
                            "step-02 -> step-01"),
    "cycle-short.yaml": (13, "topic 'mlp', field 'requires': prerequisite cycle: mlp -> cnn -> mlp"),
    "deep-nesting-flow.yaml": (2, "invalid YAML: nested more than 64 levels deep"),
    "duplicate-card-id.yaml": (15, "topic 'mlp', field 'cards.id': duplicate card id 'layers' (first on line 14)"),
    "duplicate-group-id.yaml": (35, "duplicate group id 'core' (first defined on line 6)"),
    "duplicate-prerequisite.yaml": (28, "topic 'resnet', field 'requires': 'cnn' is listed twice"),
    "duplicate-question.yaml": (15, "the same question appears twice in this topic (first on line 14)"),
    "duplicate-section-id.yaml": (32, "duplicate section id 'basics' (first defined on line 3)"),
    "duplicate-topic-id.yaml": (32, "topic 'cnn', field 'id': duplicate topic id 'cnn' (first defined on line 16)"),
    "duplicate-track-id.yaml": (36, "duplicate track id 'classification' (first defined on line 33)"),
    "duplicate-yaml-key.yaml": (40, "level 'vision-101': key 'domain' appears twice (first on line 39)"),
    "empty-cards-list.yaml": (13, "topic 'mlp', field 'cards': needs at least 2 cards, has 0"),
    "empty-text-title.yaml": (17, "topic 'cnn', field 'title': must not be empty"),
    "empty.yaml": (None, "the guide is empty"),
    "invalid-id-uppercase.yaml": (3, "'Basics_Section' is not a valid id"),
    "latin1-text.yaml": (17, "not UTF-8 text (byte 579 is 0xe9)"),
    "level-requires-higher-level.yaml": (41, "'resnet' requires 'cnn', which is first taught at vision 201"),
    "level-unknown-topic.yaml": (46, "level 'vision-201', field 'topics': unknown topic 'transformers'"),
    "missing-key-card-answer.yaml": (15, "topic 'mlp', field 'cards': missing required key 'answer'"),
    "missing-key-title.yaml": (1, "missing required key 'title'"),
    "missing-key-topic-goal.yaml": (16, "topic 'cnn': missing required key 'goal'"),
    "multiple-documents.yaml": (47, "invalid YAML: expected a single document, found another"),
    "nul-byte-in-text.yaml": (19, "invalid YAML: unacceptable character #x0000"),
    # libyaml refuses the escape itself, PyYAML's pure-Python reader leaves it to dlstudy: both say invalid
    "lone-surrogate-escape.yaml": (19, "invalid"),
    "redundant-prerequisite.yaml": (28, "'mlp' is already implied through 'cnn'"),
    "self-loop.yaml": (20, "topic 'cnn', field 'requires': 'cnn' requires itself"),
    "too-few-cards.yaml": (30, "topic 'resnet', field 'cards': needs at least 2 cards, has 1"),
    "track-lists-topic-twice.yaml": (35, "track 'classification', field 'topics': lists a topic more than once"),
    "level-without-topics.yaml": (51, "level 'vision-301', field 'topics': a level needs at least one topic"),
    "track-out-of-order.yaml": (35, "lists 'resnet' before its prerequisite 'cnn'"),
    "track-unknown-topic.yaml": (35, "unknown topic 'resnt' (did you mean 'resnet'?)"),
    "unknown-key-card.yaml": (22, "topic 'cnn', field 'cards': unknown key 'hint'; allowed: id, question, answer"),
    "unknown-key-not-a-name.yaml": (28, "topic 'resnet': expected a key name, got a list"),
    "unknown-key-top-level.yaml": (2, "unknown key 'author'; allowed: title, version, sections, tracks, levels"),
    "unknown-key-topic-typo.yaml": (28, "topic 'resnet': unknown key 'require' (did you mean 'requires'?)"),
    "unknown-prerequisite.yaml": (28, "unknown prerequisite 'cnm' (did you mean 'cnn'?)"),
    "unsupported-version.yaml": (1, "field 'version': unsupported guide format 2"),
    "utf16-with-bom.yaml": (1, "not UTF-8 text (byte 0 is 0xff); it looks like UTF-16: save it as UTF-8"),
    "whitespace-and-comments-only.yaml": (None, "the guide is empty"),
    "wrong-type-card-id-list.yaml": (22, "topic 'cnn', field 'cards.id': expected text, got a list"),
    "wrong-type-card-is-text.yaml": (31, "field 'cards': expected a mapping of id, question, answer, got text"),
    "wrong-type-card-question-list.yaml": (23, "field 'cards.question': expected text, got a list"),
    "wrong-type-cards-mapping.yaml": (14, "topic 'mlp', field 'cards': expected a list, got a mapping"),
    "wrong-type-goal-boolean.yaml": (27, "field 'goal': expected text, got true/false 'yes'"),
    "wrong-type-level-rank-hex.yaml": (40, "field 'rank': expected a whole number in decimal digits, got a number '0x65'"),
    "wrong-type-level-rank-huge.yaml": (40, "expected a whole number in decimal digits, got a number '9999999999"),
    "wrong-type-level-rank-text.yaml": (45, "field 'rank': expected a whole number in decimal digits, got text 'second'"),
    "wrong-type-requires-text.yaml": (28, "field 'requires': expected a list, got text 'cnn'"),
    "wrong-type-section-id-number.yaml": (3, "field 'id': expected text, got a number '1'"),
    "wrong-type-title-null.yaml": (10, "topic 'mlp', field 'title': expected text, got nothing"),
    "wrong-type-topics-mapping.yaml": (9, "group 'core', field 'topics': expected a list, got a mapping"),
    "wrong-type-version-float.yaml": (1, "field 'version': expected a whole number in decimal digits, got a number '1.0'"),
}
IN_SUBPROCESS = ["alias-billion-laughs.yaml", "binary-junk.yaml", "deep-nesting-flow.yaml",
                 "utf16-with-bom.yaml", "wrong-type-level-rank-huge.yaml"]
CORPUS = sorted(path.name for path in BAD_GUIDES.iterdir() if path.name != "README.md")


# --- the learner's data, which no bad guide may touch ------------------------------------------

@pytest.fixture(scope="module")
def learner_template(tmp_path_factory) -> Path:
    """A real data folder with some progress, made by a real process with the valid tiny guide."""
    root = tmp_path_factory.mktemp("learner")
    guide = root / "tiny.yaml"
    guide.write_text(TINY_GUIDE, encoding="utf-8")
    done = run_process(["done", "mlp"], {"DLSTUDY_HOME": str(root / "home"), "DLSTUDY_GUIDE": str(guide)})
    assert done.returncode == 0, done.stderr
    assert (root / "home" / "dlstudy.db").is_file()
    return root / "home"


@pytest.fixture
def home(learner_template, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(learner_template, copy)
    return copy


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file in the data folder: the database and any -wal, -shm or backup files."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


# --- running dlstudy ------------------------------------------------------------------------------

def environment(home: Path, guide: Path) -> dict[str, str]:
    return {"DLSTUDY_HOME": str(home), "DLSTUDY_GUIDE": str(guide), "DLSTUDY_NOW": NOW, "COLUMNS": "200"}


def run_process(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """A real process, so that a crash (segfault, recursion) or a hang shows as such."""
    return subprocess.run([sys.executable, "-m", "dlstudy", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def assert_clean_failure(status: int, stdout: str, stderr: str, guide: Path, line: int | None,
                         fragment: str) -> None:
    assert status == 1, stderr
    assert "Traceback" not in stdout + stderr
    lines = stderr.splitlines()
    assert lines and all(text.startswith("dlstudy: ") for text in lines), stderr
    where = f"dlstudy: {guide}:{line}: " if line is not None else f"dlstudy: {guide}: "
    assert lines == [lines[0], f"dlstudy: {guide}: 1 problem; the guide was not loaded"], stderr
    assert lines[0].startswith(where) and fragment in lines[0], stderr
    assert len(lines[0]) < 500, "a message must not echo the input back"


def assert_fails_in_process(args: list[str], env: dict[str, str], guide: Path, line: int | None,
                            fragment: str) -> None:
    result = CliRunner().invoke(app, args, env=env)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert_clean_failure(result.exit_code, result.stdout, result.stderr, guide, line, fragment)


# --- the committed corpus ----------------------------------------------------------------------

def test_corpus_is_documented_and_expected():
    readme = (BAD_GUIDES / "README.md").read_text(encoding="utf-8")
    assert len(CORPUS) >= 30
    assert [name for name in CORPUS if f"`{name}`" not in readme] == []
    assert sorted(EXPECTED) == CORPUS, "every file in bad_guides needs an entry in EXPECTED, and only those"


@pytest.mark.parametrize("name", CORPUS)
def test_bad_guide_fails_cleanly(name, home):
    assert name in EXPECTED, f"add the expected line and message for {name} to EXPECTED"
    guide = BAD_GUIDES / name
    line, fragment = EXPECTED[name]
    before = snapshot(home)
    env = environment(home, guide)
    assert_fails_in_process(["check", str(guide)], env, guide, line, fragment)
    for args in COMMANDS:
        assert_fails_in_process(args, env, guide, line, fragment)
    assert snapshot(home) == before


@pytest.mark.parametrize("name", IN_SUBPROCESS)
def test_bad_guide_fails_cleanly_in_a_real_process(name, home):
    guide = BAD_GUIDES / name
    before = snapshot(home)
    result = run_process(["next"], environment(home, guide))
    assert_clean_failure(result.returncode, result.stdout, result.stderr, guide, *EXPECTED[name])
    assert snapshot(home) == before


# --- generated: too big to commit ----------------------------------------------------------------

def large_guide(topics: int, broken: int) -> str:
    """A chain of topics (each requires the one before) in which topic `broken` requires a missing one."""
    lines = ["title: Large guide", "sections:", "  - id: everything", "    title: Everything", "    groups:",
             "      - id: all", "        title: All", "        topics:"]
    for i in range(topics):
        requires = "missing-topic" if i == broken else f"topic-{i - 1}" if i else ""
        lines += [f"          - id: topic-{i}", f"            title: Topic number {i}",
                  f"            queries: [what is topic {i}]", f"            goal: understand topic {i} well",
                  f"            requires: [{requires}]", "            cards:",
                  f"              - {{id: first, question: What is the first fact of topic {i}?, answer: One.}}",
                  f"              - {{id: second, question: What is the second fact of topic {i}?, answer: Two.}}"]
    return "\n".join(lines) + "\n"


def test_large_guide_with_one_error_near_the_end(home, tmp_path):
    guide = tmp_path / "large.yaml"
    text = large_guide(10_000, broken=9_990)
    guide.write_text(text, encoding="utf-8")
    assert guide.stat().st_size > 2_500_000
    line = text.splitlines().index("            requires: [missing-topic]") + 1
    before = snapshot(home)
    result = run_process(["next"], environment(home, guide))
    assert_clean_failure(result.returncode, result.stdout, result.stderr, guide, line,
                         "topic 'topic-9990', field 'requires': unknown prerequisite 'missing-topic'")
    assert snapshot(home) == before


DEPTH = 100_000


DEEP = {  # name -> (text, line of the error)
    "flow-lists": ("title: Deep\nsections: " + "[" * DEPTH + "]" * DEPTH + "\n", 2),
    "unclosed-flow-mappings": ("title: Deep\nsections: " + "{a: " * DEPTH + "\n", 2),
    "block-lists": ("title: Deep\nsections:\n  " + "- " * DEPTH + "x\n", 3),
}


@pytest.mark.parametrize("kind", DEEP)
def test_very_deep_nesting(kind, home, tmp_path):
    text, line = DEEP[kind]
    guide = tmp_path / f"deep-{kind}.yaml"
    guide.write_text(text, encoding="utf-8")
    before = snapshot(home)
    env = environment(home, guide)
    for args in (["check", str(guide)], ["next"]):
        result = run_process(args, env)
        assert_clean_failure(result.returncode, result.stdout, result.stderr, guide, line,
                             "invalid YAML: nested more than 64 levels deep")
    assert snapshot(home) == before
