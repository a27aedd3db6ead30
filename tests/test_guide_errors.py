"""Every kind of guide error names the file, the line, the topic and the field."""

from __future__ import annotations

import pytest
from conftest import TINY_GUIDE

from dlstudy.errors import GuideError
from dlstudy.guide.reader import load_guide


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def problems(write_guide, text: str) -> list[str]:
    path = write_guide(text)
    with pytest.raises(GuideError) as caught:
        load_guide(path)
    return [str(problem) for problem in caught.value.problems]


def edit(old: str, new: str, text: str = TINY_GUIDE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_tiny_guide_is_valid(write_guide):
    guide = load_guide(write_guide(TINY_GUIDE))
    assert list(guide.topics) == ["mlp", "cnn", "resnet"]
    assert guide.topics["resnet"].requires == ("cnn",)
    assert guide.topics["cnn"].tracks == ("classification",)
    assert guide.topics["resnet"].levels == ("vision-201",)
    assert [card.id for card in guide.topics["mlp"].cards] == ["mlp/layers", "mlp/backprop"]


def test_invalid_yaml_names_the_line(write_guide):
    text = edit("queries: [residual networks]", "queries: [residual networks")
    [message] = problems(write_guide, text)
    assert "invalid YAML" in message
    assert message.startswith(f"{write_guide(text)}:")
    # libyaml reports the unclosed flow list where it notices it: at or after the opening line
    assert int(message.split(":")[1]) >= line_of(text, "queries: [residual networks")


def test_unknown_key_suggests_the_right_one(write_guide):
    text = edit("            goal: spatial features", "            gaol: spatial features")
    found = problems(write_guide, text)
    line = line_of(text, "gaol:")
    assert any(f":{line}: topic 'cnn': unknown key 'gaol' (did you mean 'goal'?)" in p for p in found)
    assert any("topic 'cnn': missing required key 'goal'" in p for p in found)


def test_missing_key_names_the_topic(write_guide):
    text = edit("            queries: [residual networks]\n", "")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, '- id: resnet')}: topic 'resnet': missing required key 'queries'" in message


def test_wrong_type_names_the_field(write_guide):
    text = edit("queries: [convolution pooling]", "queries: convolution pooling")
    [message] = problems(write_guide, text)
    line = line_of(text, "queries: convolution pooling")
    assert message.endswith(f":{line}: topic 'cnn', field 'queries': expected a list, got text 'convolution pooling'")


def test_number_where_text_is_expected(write_guide):
    text = edit("title: ResNet", "title: 50")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, 'title: 50')}: topic 'resnet', field 'title': expected text, got a number '50'" in message


def test_duplicate_topic_id(write_guide):
    text = edit("- id: resnet", "- id: cnn")
    found = problems(write_guide, text)
    first, second = line_of(text, "- id: cnn", 1), line_of(text, "- id: cnn", 2)
    assert any(f":{second}: topic 'cnn', field 'id': duplicate topic id 'cnn' (first defined on line {first})" in p
               for p in found)


def test_unknown_prerequisite_with_did_you_mean(write_guide):
    text = edit("requires: [cnn]", "requires: [cnm]")
    found = problems(write_guide, text)
    line = line_of(text, "requires: [cnm]")
    assert f"{write_guide(text)}:{line}: topic 'resnet', field 'requires': unknown prerequisite 'cnm' (did you mean 'cnn'?)" in found


def test_self_loop(write_guide):
    text = edit("requires: [cnn]", "requires: [resnet]")
    found = problems(write_guide, text)
    line = line_of(text, "requires: [resnet]")
    assert any(f":{line}: topic 'resnet', field 'requires': 'resnet' requires itself" in p for p in found)


def test_cycle_is_printed_as_a_path(write_guide):
    text = edit("            goal: basic neural computation\n",
                "            goal: basic neural computation\n            requires: [resnet]\n")
    text = edit("topics: [mlp, cnn, resnet]", "topics: [mlp]", text)
    [message] = problems(write_guide, text)
    assert f":{line_of(text, 'requires: [resnet]')}: topic 'mlp', field 'requires': prerequisite cycle: mlp -> resnet -> cnn -> mlp" in message


def test_every_cycle_is_reported(write_guide):
    cards = """
            cards:
              - {id: one, question: First?, answer: One.}
              - {id: two, question: Second?, answer: Two.}"""
    topics = "".join(
        f"""
          - id: {name}
            title: Topic {name}
            queries: [{name}]
            goal: {name}
            requires: [{requires}]{cards}"""
        for name, requires in [("a", "b"), ("b", "a"), ("c", "d"), ("d", "e"), ("e", "c")]
    )
    text = "title: Cycles\nsections:\n  - id: s\n    title: S\n    groups:\n      - id: g\n        title: G\n        topics:" + topics + "\n"
    found = problems(write_guide, text)
    assert [p.split(": ")[-1] for p in found[:2]] == ["a -> b -> a", "c -> d -> e -> c"]


def test_track_with_unknown_topic(write_guide):
    text = edit("topics: [mlp, cnn, resnet]", "topics: [mlp, cnn, resnt]")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, 'resnt')}: track 'classification', field 'topics': unknown topic 'resnt' (did you mean 'resnet'?)" in message


def test_track_out_of_prerequisite_order(write_guide):
    text = edit("topics: [mlp, cnn, resnet]", "topics: [mlp, resnet, cnn]")
    [message] = problems(write_guide, text)
    assert "track 'classification', field 'topics': lists 'resnet' before its prerequisite 'cnn'" in message


def test_duplicate_question_in_a_topic(write_guide):
    text = edit("question: Why do skip connections help depth?", "question: what does a  residual block output?")
    [message] = problems(write_guide, text)
    line = line_of(text, "what does a  residual")
    first = line_of(text, "What does a residual block output?")
    assert f":{line}: topic 'resnet', field 'cards.question': the same question appears twice in this topic (first on line {first})" in message


def test_duplicate_card_id(write_guide):
    text = edit("{id: depth,", "{id: skip,")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, '{id: skip,', 2)}: topic 'resnet', field 'cards.id': duplicate card id 'skip'" in message


def test_too_few_cards(write_guide):
    text = edit("              - {id: depth, question: Why do skip connections help depth?, answer: Gradients flow through the identity path.}\n", "")
    [message] = problems(write_guide, text)
    assert "topic 'resnet', field 'cards': needs at least 2 cards, has 1" in message


def test_redundant_prerequisite(write_guide):
    text = edit("requires: [cnn]", "requires: [cnn, mlp]")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, 'requires: [cnn, mlp]')}: topic 'resnet', field 'requires': 'mlp' is already implied through 'cnn'" in message


def test_level_never_requires_a_higher_level(write_guide):
    text = edit("topics: [mlp, cnn]", "topics: [mlp, resnet]")
    text = edit("topics: [resnet]", "topics: [cnn]", text)
    [message] = problems(write_guide, text)
    assert "level 'vision-101', field 'topics': 'resnet' requires 'cnn', which is first taught at vision 201" in message


def test_duplicate_yaml_key(write_guide):
    text = edit("            goal: very deep networks\n", "            goal: very deep networks\n            goal: again\n")
    [message] = problems(write_guide, text)
    assert f":{line_of(text, 'goal: again')}: topic 'resnet': key 'goal' appears twice" in message


def test_all_problems_are_reported_together_in_line_order(write_guide):
    text = edit("requires: [cnn]", "requires: [cnm]")
    text = edit("gaol", "gaol", edit("goal: spatial features", "gaol: spatial features", text))
    text = edit("topics: [mlp, cnn, resnet]", "topics: [mlp, cnn, resnt]", text)
    found = problems(write_guide, text)
    assert len(found) >= 4
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the guide is empty"),
        (b"   \n# only a comment\n", "the guide is empty"),
        (b"title: caf\xe9\n", "not UTF-8 text (byte 10 is 0xe9)"),
        (b"- just\n- a list\n", "expected a mapping of title, version, sections, tracks, levels, got a list"),
        (b"title: x\nversion: 2\nsections: []\n", "unsupported guide format 2"),
        (b"title: x\nsections: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", ":2: invalid YAML: nested more than 64"),
        (b"title: a\n---\ntitle: b\n", ":2: invalid YAML: expected a single document"),
        (b"title: *nowhere\n", ":1: invalid YAML: found undefined alias"),
        (bytes(range(256)) * 4, "not UTF-8 text"),
        (b"\x00\x01\x02 title", "invalid YAML"),
    ],
)
def test_unusable_files(tmp_path, content, expected):
    path = tmp_path / "guide.yaml"
    path.write_bytes(content)
    with pytest.raises(GuideError) as caught:
        load_guide(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(GuideError) as caught:
        load_guide(tmp_path / "nope.yaml")
    assert "cannot read the guide" in str(caught.value)
