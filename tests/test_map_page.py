"""The map page (`dlstudy.interop.map_page`): its layout and markup, then the page itself in a real
headless Chromium driven over the DevTools protocol (tests/browser.py), with the network off.

These tests need Chromium (Debian: `apt-get install chromium`). Without it they FAIL, saying so,
unless DLSTUDY_SKIP_BROWSER_TESTS=1 is set, which turns the browser tests into skips. Other
variables: DLSTUDY_CHROMIUM names the browser's executable; DLSTUDY_MAP_SCREENSHOT=PATH also saves
the shipped guide's map screenshot there (that is how docs/map.png is made). Run with `-s` to see
the figures (generation time, page size, time to interactive).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from browser import Browser, Page, find_chromium
from hypothesis import given, settings
from hypothesis import strategies as st
from map_samples import GOAL, LEARNED, LEARNING, SKIPPED, shipped_map_data, synthetic_map_data

from dlstudy.interop.map import STATUSES, MapData, MapTopic, layout_graph, render_map

COLOURS = {  # the page's status colours, as getComputedStyle reports them
    "learned": "rgb(46, 158, 91)",
    "learning": "rgb(242, 169, 59)",
    "skipped": "rgb(141, 180, 218)",
    "unlocked": "rgb(255, 255, 255)",
    "new": "rgb(238, 241, 244)",
    "locked": "rgb(196, 201, 207)",
}


@pytest.fixture(scope="module")
def shipped() -> MapData:
    return shipped_map_data()


# --- without a browser ----------------------------------------------------------------------------


def test_generating_the_shipped_guide_map_takes_well_under_a_second(shipped):
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        page = render_map(shipped)
        timings.append(time.perf_counter() - started)
    size = len(page.encode("utf-8"))
    print(f"\nmap page, {len(shipped.topics)} topics: generated in {min(timings) * 1000:.0f} ms, {size / 1024:.0f} KiB")
    assert min(timings) < 0.5
    assert size < 600_000


def test_a_thousand_topic_map_is_generated_quickly():
    data = synthetic_map_data(1000)
    started = time.perf_counter()
    page = render_map(data)
    elapsed = time.perf_counter() - started
    print(f"\nmap page, 1000 topics: generated in {elapsed * 1000:.0f} ms, {len(page.encode()) / 1024:.0f} KiB")
    assert elapsed < 5


def test_layers_follow_the_longest_prerequisite_chain(shipped):
    index = {t.id: i for i, t in enumerate(shipped.topics)}
    requires = [[index[r] for r in t.requires] for t in shipped.topics]
    lay = layout_graph(requires)
    for t, prerequisites in enumerate(requires):
        expected = 1 + max((lay.layers[p] for p in prerequisites), default=-1)
        assert lay.layers[t] == expected
        assert all(lay.x[p] < lay.x[t] for p in prerequisites)  # edges run left to right
    assert len(lay.edges) == sum(len(r) for r in requires)
    by_column: dict[float, list[float]] = {}
    for x, y in zip(lay.x, lay.y):
        by_column.setdefault(x, []).append(y)
    for ys in by_column.values():  # boxes in one column never overlap
        ys.sort()
        assert all(b - a >= 26 for a, b in itertools.pairwise(ys))


def test_barycenter_sweeps_remove_crossings_guide_order_would_have():
    # Chains listed crosswise cross in guide order (0-4, 1-5 and 2-3 make two crossings), not after the sweeps.
    assert layout_graph([[], [], [1], [0]]).crossings == 0
    assert layout_graph([[], [], [], [2], [0], [1]]).crossings == 0
    assert layout_graph([[], [], [], [2], [0], [1], [3], [4, 5], [3, 5]]).crossings == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 10_000), max_size=4), max_size=40))
def test_any_acyclic_graph_gets_a_valid_layout(raw):
    requires = [sorted({r % i for r in rs}) if i else [] for i, rs in enumerate(raw)]  # edges point back: acyclic
    lay = layout_graph(requires)
    assert len(lay.edges) == sum(len(r) for r in requires)
    for t, prerequisites in enumerate(requires):
        assert lay.layers[t] == 1 + max((lay.layers[p] for p in prerequisites), default=-1)
    columns: dict[float, list[float]] = {}
    for x, y in zip(lay.x, lay.y):
        columns.setdefault(x, []).append(y)
        assert 0 <= x <= lay.width and 0 <= y <= lay.height
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 26 for a, b in itertools.pairwise(ys))


def test_a_cycle_does_not_stop_the_layout():
    lay = layout_graph([[2], [0], [1]])
    assert len(lay.edges) == 3


def test_the_page_is_self_contained_and_escapes_every_text(shipped):
    nasty = '</script><script>alert("x")</script> & <b>bold</b> \'quoted\''
    topics = list(shipped.topics)
    topics[0] = replace(topics[0], title=nasty, group_title=nasty, goal=nasty,
                        searches=((nasty, "https://example.org/?q=%3C"), ("bad", "javascript:alert(1)")))
    page = render_map(replace(shipped, title=nasty, topics=tuple(topics), track=nasty))
    assert "<script>alert" not in page
    assert "<b>bold</b>" not in page
    assert page.count("<script") == 2  # the data and the page's own script
    assert "javascript:alert" not in page
    data = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data
    assert json.loads(data)["topics"][0]["t"] == nasty
    for forbidden in ("<link", " src=", "@import", "url(http", "@font-face"):
        assert forbidden not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert html.unescape(csp).startswith("default-src 'none';")


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        message = ("the map page's browser tests need Chromium, and none was found (looked for "
                   "$DLSTUDY_CHROMIUM, chromium, chromium-browser, google-chrome). Install it "
                   "(Debian: apt-get install chromium), or set DLSTUDY_SKIP_BROWSER_TESTS=1 to skip these tests.")
        if os.environ.get("DLSTUDY_SKIP_BROWSER_TESTS") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    chromium = Browser(executable)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def shipped_file(shipped, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "map.html"
    path.write_text(render_map(shipped), encoding="utf-8")
    return path


def open_map(browser: Browser, path: Path, width: int = 1600, height: int = 1000, scale: float = 1.0) -> Page:
    """Load the page offline, wait for its script to finish, and check that it asked for nothing else."""
    page = browser.new_page(width, height, scale)
    page.go_offline()
    page.navigate(path.as_uri())
    page.wait_until("window.mapReady === true")
    assert page.evaluate("navigator.onLine") is False  # the network really was off
    assert page.requested_urls() == [path.as_uri()]
    assert page.problems() == []
    return page


@pytest.fixture(autouse=True)
def _close_pages(request):
    yield
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser").close_pages()


@pytest.fixture
def page(browser, shipped_file):
    opened = open_map(browser, shipped_file)
    yield opened
    assert opened.problems() == []


def visible_ids(page: Page) -> list[str]:
    return page.evaluate("Array.from(document.querySelectorAll('#map g.node'))"
                         ".filter(n => getComputedStyle(n).display !== 'none').map(n => n.dataset.id)")


def node_centre(page: Page, topic_id: str) -> tuple[float, float]:
    return tuple(page.evaluate(
        f"(function(){{var r=document.querySelector('#map g.node[data-id={json.dumps(topic_id)}] rect.bg')"
        ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];})()"))


def test_the_shipped_guide_map_loads_offline_with_one_node_per_topic(browser, shipped, shipped_file, tmp_path):
    page = open_map(browser, shipped_file)
    ready = page.evaluate("window.mapReadyAt")
    assert page.evaluate("document.querySelectorAll('#map g.node').length") == len(shipped.topics) == 214
    edges = sum(len(t.requires) for t in shipped.topics)
    assert page.evaluate("document.querySelectorAll('#map path.edge').length") == edges
    assert sorted(visible_ids(page)) == sorted(t.id for t in shipped.topics)
    # every node sits inside the map's frame when the page opens (the map is fitted)
    outside = page.evaluate(
        "(function(){var f=document.getElementById('map').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#map g.node')).filter(function(n){"
        "var r=n.getBoundingClientRect();return r.left<f.left||r.right>f.right||r.top<f.top||r.bottom>f.bottom;}).length;})()")
    assert outside == 0
    for chart in ("Progress per section", "Reviews per day, last 26 weeks", "Cards due per day, next 30 days",
                  "Retention per week"):
        assert page.evaluate(f"!!document.querySelector('svg[aria-label={json.dumps(chart)}]')")
    shot = page.screenshot(tmp_path / "map.png")
    assert shot.stat().st_size > 10_000
    print(f"\nmap page, 214 topics: interactive {ready:.0f} ms after navigation start; screenshot {shot}")
    if os.environ.get("DLSTUDY_MAP_SCREENSHOT"):
        big = open_map(browser, shipped_file, 1800, 1100, 2)
        bottom = big.evaluate("document.getElementById('map-wrap').getBoundingClientRect().bottom")
        big.screenshot(Path(os.environ["DLSTUDY_MAP_SCREENSHOT"]), {"x": 0, "y": 0, "width": 1800, "height": bottom})


def test_statuses_have_their_colours(page, shipped):
    def fill(topic_id: str) -> str:
        return page.evaluate(f"getComputedStyle(document.querySelector("
                             f"'#map g.node[data-id={json.dumps(topic_id)}] rect.bg')).fill")

    locked = next(t.id for t in shipped.topics if t.status == "locked")
    unlocked = next(t.id for t in shipped.topics if t.status == "unlocked")
    assert fill(LEARNED[0]) == COLOURS["learned"]
    assert fill(locked) == COLOURS["locked"]
    assert fill(LEARNING[0]) == COLOURS["learning"]
    assert fill(SKIPPED[0]) == COLOURS["skipped"]
    assert fill(unlocked) == COLOURS["unlocked"]
    legend = page.evaluate("Array.from(document.querySelectorAll('.legend .swatch rect.bg'))"
                           ".map(r => getComputedStyle(r).fill)")
    assert legend == [COLOURS[s] for s in STATUSES]
    assert len(set(legend)) == len(STATUSES)
    # mastery shades the node: a bar as wide as the share recalled
    widths = page.evaluate("(function(){var n=document.querySelector('#map g.node[data-id=\"mlp\"]');"
                           "return [n.querySelector('.mbar').getBBox().width, n.querySelector('.mtrack').getBBox().width];})()")
    assert widths[0] == pytest.approx(0.93 * widths[1], rel=0.01)
    goal_stroke = page.evaluate(f"getComputedStyle(document.querySelector('#map g.node[data-id={json.dumps(GOAL)}] "
                                "rect.bg')).stroke")
    assert goal_stroke == "rgb(214, 51, 108)"  # the goal's path is highlighted


def test_clicking_a_topic_shows_its_details(page):
    assert page.evaluate("document.getElementById('details').hidden") is True
    page.click(*node_centre(page, "cnn-fundamentals"))
    page.wait_until("!document.getElementById('details').hidden", 5)
    text = page.evaluate("document.getElementById('details').innerText")
    assert "CNN Fundamentals" in text
    assert "dlstudy start cnn-fundamentals" in text and "dlstudy done cnn-fundamentals" in text
    assert "Learning" in page.evaluate("document.getElementById('details-status').textContent")
    assert "Multilayer Perceptrons (MLPs)" in text  # a prerequisite
    assert "Cards" in text and "Mastery" in text and "35% predicted recall" in text
    links = page.evaluate("Array.from(document.querySelectorAll('#details a')).map(a => a.href)")
    assert links and all(link.startswith("https://") for link in links)
    assert page.evaluate("document.querySelector('#map g.node[data-id=\"cnn-fundamentals\"]')"
                         ".classList.contains('selected')")
    # a prerequisite in the panel is a link to that topic
    page.click_selector("#details button.link[data-i]")
    page.wait_until("document.querySelector('#details h3').textContent !== 'CNN Fundamentals'", 5)
    unlocks_title = page.evaluate("document.querySelector('#details h3').textContent")
    assert unlocks_title in ("Multilayer Perceptrons (MLPs)",)
    page.press("Escape", "Escape", 27)
    page.wait_until("document.getElementById('details').hidden", 5)


def test_the_section_filter_hides_the_other_sections(page, shipped):
    section = shipped.topics[-1].section_title
    expected = sorted(t.id for t in shipped.topics if t.section_title == section)
    page.evaluate(f"(function(){{var s=document.getElementById('f-section');"
                  f"s.value=Array.from(s.options).find(o=>o.textContent==={json.dumps(section)}).value;"
                  "s.dispatchEvent(new Event('change'));})()")
    assert sorted(visible_ids(page)) == expected
    hidden_edge_ends = page.evaluate(
        "Array.from(document.querySelectorAll('#map path.edge')).filter(e => getComputedStyle(e).display !== 'none')"
        ".every(e => [e.dataset.a, e.dataset.b].every(i => getComputedStyle("
        "document.querySelector('#map g.node[data-i=\"' + i + '\"]')).display !== 'none'))")
    assert hidden_edge_ends is True
    assert f"{len(expected)} of 214" in page.evaluate("document.getElementById('filter-info').textContent")
    # a track and a level filter too; clearing brings everything back
    for select, value, keep in (("f-track", "Object Detection", lambda t: "Object Detection" in t.tracks),
                                ("f-level", "Vision 101", lambda t: t.level == "Vision 101")):
        page.evaluate("document.getElementById('f-section').value=''")
        page.evaluate(f"(function(){{var s=document.getElementById({json.dumps(select)});s.value={json.dumps(value)};"
                      "s.dispatchEvent(new Event('change'));})()")
        assert sorted(visible_ids(page)) == sorted(t.id for t in shipped.topics if keep(t))
        page.evaluate(f"document.getElementById({json.dumps(select)}).value=''")
    page.click_selector("#f-clear")
    assert len(visible_ids(page)) == 214


def test_the_search_box_finds_and_centres_a_topic(page):
    page.click_selector("#search")
    page.type_text("transformer-xl")
    page.wait_until("document.querySelectorAll('#map g.node.match').length > 0", 5)
    matches = page.evaluate("Array.from(document.querySelectorAll('#map g.node.match')).map(n => n.dataset.id)")
    assert matches == ["transformer-xl"]
    page.wait_until("(function(){var f=document.getElementById('map').getBoundingClientRect();"
                    "var r=document.querySelector('#map g.node.match rect.bg').getBoundingClientRect();"
                    "return Math.abs((r.left+r.right)/2-(f.left+f.right)/2)<3 && Math.abs((r.top+r.bottom)/2-(f.top+f.bottom)/2)<3;})()", 5)
    assert page.evaluate("document.querySelector('#map g.node.match rect.bg').getBoundingClientRect().width") > 150
    # a title's words work too, and Shift+Enter opens the first match
    page.evaluate("document.getElementById('search').select()")
    page.type_text("Object Detection")
    page.wait_until("document.getElementById('search-info').textContent !== ''", 5)
    first = page.evaluate("document.querySelector('#map g.node.match').dataset.id")
    assert first in ("object-detection",) or "Object Detection" in page.evaluate(
        "document.querySelector('#map g.node.match title').textContent")
    page.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Enter", "code": "Enter",
                                         "windowsVirtualKeyCode": 13, "modifiers": 8})
    page.wait_until("!document.getElementById('details').hidden", 5)


def test_pan_and_zoom(page):
    def view():
        return page.evaluate("[dlstudyMap.view.x, dlstudyMap.view.y, dlstudyMap.view.k]")

    x, y, k = view()
    page.wheel(800, 500, -400)
    page.wait_until(f"dlstudyMap.view.k > {k} * 1.5", 5)
    _, _, zoomed = view()
    page.drag(700, 500, 500, 400)
    page.wait_until("document.getElementById('viewport').getAttribute('transform').indexOf('translate') === 0", 5)
    _x2, _y2, k2 = view()
    assert k2 == zoomed
    page.click_selector("#zoom-out")
    assert view()[2] == pytest.approx(zoomed * 0.8)
    page.click_selector("#zoom-fit")
    assert view() == pytest.approx([x, y, k])
    assert page.evaluate("document.getElementById('details').hidden") is True  # dragging did not select


def test_hostile_text_stays_text_in_the_browser(browser, shipped, tmp_path):
    nasty = '</script><img src=x onerror="window.pwned=1"> & "quotes" \'too\''
    topics = list(shipped.topics)
    topics[0] = replace(topics[0], title=nasty, group_title=nasty, goal=nasty, searches=((nasty, "javascript:window.pwned=2"),))
    path = tmp_path / "nasty.html"
    path.write_text(render_map(replace(shipped, topics=tuple(topics), title=nasty)), encoding="utf-8")
    page = open_map(browser, path)
    page.click(*node_centre(page, topics[0].id))
    page.wait_until("!document.getElementById('details').hidden", 5)
    assert page.evaluate("document.querySelector('#details h3').textContent") == nasty
    assert page.evaluate("document.title").startswith(nasty)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("window.pwned === undefined") is True
    assert page.problems() == []


def test_a_thousand_topic_guide_loads_and_filters(browser, tmp_path):
    data = synthetic_map_data(1000)
    path = tmp_path / "big.html"
    path.write_text(render_map(data), encoding="utf-8")
    page = open_map(browser, path)
    ready = page.evaluate("window.mapReadyAt")
    print(f"\nmap page, 1000 topics: interactive {ready:.0f} ms after navigation start")
    assert ready < 10_000
    assert page.evaluate("document.querySelectorAll('#map g.node').length") == 1000
    started = time.perf_counter()
    page.evaluate("(function(){var s=document.getElementById('f-section');s.value='3';"
                  "s.dispatchEvent(new Event('change'));})()")
    assert sorted(visible_ids(page)) == sorted(t.id for t in data.topics if t.section_id == "s3")
    page.click_selector("#search")
    page.type_text("t999")
    page.evaluate("document.getElementById('f-section').value='';document.getElementById('f-section')"
                  ".dispatchEvent(new Event('change'))")
    page.wait_until("document.querySelectorAll('#map g.node.match').length === 1", 5)
    assert time.perf_counter() - started < 5
    page.screenshot(tmp_path / "big.png")
    assert page.problems() == []


def test_an_empty_map_still_opens(browser, tmp_path):
    path = tmp_path / "empty.html"
    path.write_text(render_map(MapData(title="Empty", generated_at=shipped_map_data().generated_at, topics=())),
                    encoding="utf-8")
    page = open_map(browser, path)
    assert page.evaluate("document.querySelectorAll('#map g.node').length") == 0


def test_a_topic_with_every_status_and_no_mastery(browser, tmp_path):
    topics = tuple(MapTopic(id=f"t{i}", title=f"Topic {status}", section_id="s", section_title="S", group_title="G",
                            level=None, tracks=(), requires=(f"t{i - 1}",) if i else (), status=status,
                            mastery=None, cards=0, goal="", searches=())
                   for i, status in enumerate(STATUSES))
    path = tmp_path / "all.html"
    path.write_text(render_map(MapData(title="All", generated_at=shipped_map_data().generated_at, topics=topics)),
                    encoding="utf-8")
    page = open_map(browser, path)
    fills = page.evaluate("Array.from(document.querySelectorAll('#map g.node rect.bg')).map(r => getComputedStyle(r).fill)")
    assert fills == [COLOURS[s] for s in STATUSES]
