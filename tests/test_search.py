"""dlstudy search: matching rules, ranking on the shipped guide, links, JSON, the no-match path, imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dlstudy.cli import app
from dlstudy.guide import search, wording
from dlstudy.guide.reader import load_guide
from dlstudy.paths import shipped_guide

runner = CliRunner()


@pytest.fixture(scope="module")
def index():
    return search.SearchIndex.of(load_guide(shipped_guide()))


def test_normalize_and_words():
    assert wording.normalize("GANs") == "gan"
    assert wording.normalize("losses") == "loss"
    assert wording.normalize("strategies") == "strategy"
    assert wording.normalize("bias") == "bias"
    assert wording.words("Faster R-CNN, U-Net!") == ["faster", "r", "cnn", "rcnn", "u", "net", "unet"]


def test_typos_and_abbreviations():
    assert wording.within_typos("trasformer", "transformer")
    assert wording.within_typos("atention", "attention")
    assert wording.within_typos("tranfsormer", "transformer")  # a swap of neighbours
    assert wording.within_typos("resnet", "retnet")  # one substitution
    assert not wording.within_typos("convolution", "evolution")
    assert wording.is_abbreviation("attn", "attention")
    assert not wording.is_abbreviation("vit", "variant")  # vowels: not a consonant skeleton
    assert wording.is_abbreviation("trnsfrmr", "transformer")
    # letters found in order are not enough: the start of the consonant skeleton must match
    assert not wording.is_abbreviation("attn", "attribution") and not wording.is_abbreviation("attn", "augmentation")


# Realistic queries a learner types, and the topic that must be in the first three hits.
QUERIES = [
    ("trasformer", "original-transformer"),
    ("resnet", "resnet"),
    ("flash attn", "flash-attention"),
    ("attn", "self-attention"),
    ("gans", "gan"),
    ("vanishing gradient", "vanilla-rnn"),
    ("positional encoding", "positional-encoding"),
    ("yolo", "yolo"),
    ("mask rcnn", "mask-rcnn"),
    ("LSTM", "lstm"),
    ("lora", "peft"),
    ("knowledge distilation", "knowledge-distillation"),
    ("batch norm", "batch-normalization"),
    ("u-net", "unet"),
    ("vision transformer", "vit"),
    ("adam optimizer", "loss-functions-optimization"),
    ("cross entropy", "cross-entropy-loss"),
    ("rlhf", "instruction-tuning"),
    ("word2vec", "word-embeddings"),
    ("stable difusion", "stable-diffusion"),
    ("non max suppression", "nms"),
    ("multi-head attention", "multi-head-attention"),
    ("mixture of experts", "mixture-of-experts"),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_realistic_queries_find_the_right_topic_in_the_top_three(index, query, expected):
    top = [hit.topic.id for hit in index.search(query, limit=3)]
    assert expected in top, (query, top)


def test_gans_finds_the_gan_topics(index):
    top = [hit.topic.id for hit in index.search("gans", limit=4)]
    assert {"gan", "gan-variants", "conditional-gans"} <= set(top)


def test_links_are_url_encoded():
    assert search.links(["C++ & you?"], "web") == ["https://www.google.com/search?q=C%2B%2B+%26+you%3F"]
    assert search.links(["a b"], "arxiv") == ["https://arxiv.org/search/?query=a+b&searchtype=all"]
    assert search.links(["a b"], "scholar") == ["https://scholar.google.com/scholar?q=a+b"]
    assert search.links(["a b"], "youtube") == ["https://www.youtube.com/results?search_query=a+b"]


def cli(*args, tmp_path=None):
    env = {"DLSTUDY_GUIDE": "", "COLUMNS": "200"}
    if tmp_path is not None:
        env |= {"DLSTUDY_HOME": str(tmp_path), "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00"}
    return runner.invoke(app, list(args), env=env)


def test_json_shape_with_links():
    result = cli("search", "resnet", "-n", "2", "--engine", "scholar", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert set(hits[0]) == {"id", "title", "section", "queries", "goal", "links", "paper"}
    assert hits[0]["id"] == "resnet" and hits[0]["section"] == "Foundational Architectures"
    assert hits[0]["links"][0].startswith("https://scholar.google.com/scholar?q=")


def test_plain_output_shows_queries_and_goal():
    out = cli("search", "flash", "attn", "-n", "1").stdout
    assert "1. Flash Attention  [flash-attention]  Attention and Transformer Revolution" in out
    assert "search: memory-efficient attention computation" in out
    assert "to understand: GPU memory optimization" in out


def test_status_adds_the_learners_state(tmp_path):
    cli("done", "mlp", tmp_path=tmp_path)
    hits = json.loads(cli("search", "mlp", "-n", "1", "--status", "--json", tmp_path=tmp_path).stdout)
    assert hits[0]["id"] == "mlp" and hits[0]["status"] == "learned"


def test_no_terms_gives_the_queries_for_next(tmp_path):
    hits = json.loads(cli("search", "--json", tmp_path=tmp_path).stdout)
    assert {h["id"] for h in hits} == {"mlp", "activation-functions", "loss-functions-optimization",
                                       "probability-distributions"}
    assert all(h["queries"] for h in hits)


def test_no_match_exits_1_with_nearest_titles():
    result = cli("search", "quantum", "knitting", "zzz")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no topic matches 'quantum knitting zzz'" in result.stderr


def test_unknown_engine():
    result = cli("search", "resnet", "--engine", "altavista")
    assert result.exit_code == 1 and "unknown engine 'altavista'" in result.stderr


def test_open_uses_the_best_hits_first_link(monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert cli("search", "nerf", "--open").exit_code == 0
    assert opened == ["https://www.google.com/search?q=NeRF+neural+radiance+fields+volume+rendering"]


def test_help_and_search_do_not_import_the_database_or_scheduler():
    code = (
        "import sys\n"
        "from dlstudy.cli import main\n"
        "for argv in (['dlstudy', '--help'], ['dlstudy', 'search', 'resnet']):\n"
        "    sys.argv = argv\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('LOADED', sorted(m for m in ('sqlalchemy', 'fsrs', 'alembic') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"DLSTUDY_GUIDE": "", "PATH": ""})
    assert "LOADED []" in result.stdout, result.stderr



def test_a_topics_paper_is_shown_linked_and_opened(monkeypatch, tmp_path):
    shown = cli("show", "resnet", tmp_path=tmp_path).stdout
    assert "He et al. 2015, Deep Residual Learning for Image Recognition" in shown
    assert "https://arxiv.org/abs/1512.03385" in shown.splitlines()[shown.splitlines().index(
        next(line for line in shown.splitlines() if "Deep Residual Learning" in line)) + 1]
    hit = json.loads(cli("search", "resnet", "-n", "1", "--json").stdout)[0]
    assert hit["paper"] == {"title": "Deep Residual Learning for Image Recognition", "first_author": "He",
                            "year": 2015, "arxiv": "1512.03385", "doi": None,
                            "url": "https://arxiv.org/abs/1512.03385"}
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert cli("search", "resnet", "--engine", "paper", "--open").exit_code == 0
    assert opened == ["https://arxiv.org/abs/1512.03385"]


def test_opening_a_paper_where_there_is_none_says_so(monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = cli("search", "cross validation", "-n", "1", "--engine", "paper", "--open")
    assert result.exit_code == 1 and opened == []
    assert result.stderr.strip() == "dlstudy: nothing was opened: none of these topics has a paper"


def test_a_limited_search_is_the_head_of_the_whole_ranking(index):
    # the limit lets a search skip the topics that cannot make the cut: it must never change who makes it
    guide = load_guide(shipped_guide())
    vocabulary = sorted({word for topic in guide.topics.values()
                         for word in f"{topic.title} {topic.goal} {' '.join(topic.queries)}".split()})
    queries = [" ".join(vocabulary[i:i + 1 + i % 3]) for i in range(0, len(vocabulary), 7)]
    queries += [word[:4] for word in vocabulary[::11]] + [word[:-1] + "x" for word in vocabulary[::13]]
    for query in queries:
        whole = [(hit.topic.id, hit.score) for hit in index.search(query, limit=None)]
        for limit in (1, 3, 5, 10):
            assert [(hit.topic.id, hit.score) for hit in index.search(query, limit=limit)] == whole[:limit], query


def _distance(a: str, b: str) -> int:
    """Edits between two words, a swap of neighbours counting as one (optimal string alignment), plainly."""
    rows = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


@settings(max_examples=400, deadline=None)
@given(st.text("abcdeo", min_size=1, max_size=11), st.text("abcdeo", min_size=1, max_size=11))
def test_typos_are_the_words_within_the_allowed_edits(term, word):
    assert wording.within_typos(term, word) == (_distance(term, word) <= (1 if len(term) < 8 else 2))


def _words_plainly(text: str) -> list[str]:
    """`wording.words` as first written: every chunk through the regular expression."""
    found: list[str] = []
    for chunk in text.split():
        parts = re.findall(r"[^\W_]+", chunk)
        found.extend(wording.normalize(part) for part in parts)
        if len(parts) > 1:
            found.append(wording.normalize("".join(parts)))
    return found


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab1_-.?' \n\tÉé²Ⅻ\u00a0\u2028"), max_size=30))
def test_words_are_those_of_every_chunk_through_the_regular_expression(text):
    assert wording.words(text) == _words_plainly(text)
