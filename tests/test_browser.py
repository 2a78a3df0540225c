"""graph.html in a real browser: Debian's headless Chromium driven by Playwright.

The network is blocked: every request that is not the page's own file is aborted and
recorded, and a test fails if there is any. Never downloads a browser: without
``/usr/bin/chromium`` (or Playwright) these tests skip, except under CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg import viz
from kg.graph import KnowledgeGraph
from kg.types import Document, Entity, EntityType, Evidence, Extraction, Polarity, Predicate, Relation, Stance

from .conftest import DATA, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
SCREENSHOT = ROOT / "docs" / "graph.png"
SETTLED = "() => document.documentElement.dataset.state === 'settled'"
MARKUP = ('<script>window.__pwned = 1</script><img src="x.png" onerror="window.__pwned = 2">'
          '<a href="javascript:window.__pwned=3">x</a>')


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI=true, so browser tests must run (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Page:
    """One loaded graph page plus everything it tried to fetch or complained about."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.blocked: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type in ("error", "assert") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function(SETTLED, timeout=60_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:") and url == getattr(self, "url", url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def assert_clean(self):
        assert self.blocked == [], f"the page tried to fetch {self.blocked}"
        assert self.requests == [self.url], self.requests
        assert self.errors == [], self.errors

    def node_ids(self, *, visible_only: bool = False) -> list[str]:
        return self.js("(v) => network.body.data.nodes.get().filter(n => !v || !n.hidden).map(n => n.id)",
                       visible_only)

    def search(self, text: str, *, found: bool = True):
        self.js("delete document.documentElement.dataset.focused")
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        if found:  # the camera's flight to the node has ended
            self.page.wait_for_function("() => document.documentElement.dataset.focused", timeout=10_000)

    def close(self):
        self.context.close()


def _write(tmp_path: Path, kg: KnowledgeGraph, name: str = "graph.html") -> Path:
    path = tmp_path / name
    path.write_text(viz.render_html(kg), encoding="utf-8")
    return path


@pytest.fixture
def open_page(browser):
    pages: list[Page] = []

    def _open(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield _open
    for p in pages:
        p.close()


# ---------------------------------------------------------------- the interview
@pytest.fixture(scope="module")
def interview_kg(nlp) -> KnowledgeGraph:
    from kg.ingest import read_documents
    from kg.pipeline import extract

    kg = KnowledgeGraph()
    for doc in read_documents([DATA / "interview.txt"]):
        kg.add(extract(doc, nlp=nlp))
    return kg


def test_interview_graph_in_a_browser(interview_kg, open_page, tmp_path):
    kg = interview_kg
    meta = kg.find("Meta")
    people = [n for n, d in kg.graph.nodes(data=True) if d["type"] == "Person"]
    assert meta is not None and people, "the interview graph lost Meta or its people"
    page = open_page(_write(tmp_path, kg))

    # window.network holds exactly the graph's nodes and edges
    assert sorted(page.node_ids()) == sorted(kg.graph.nodes)
    edges = page.js("network.body.data.edges.get().map(e => [e.from, e.kg.predicate, e.to])")
    assert sorted(map(tuple, edges)) == sorted((s, k, o) for s, o, k in kg.graph.edges(keys=True))
    assert page.js("network.physics.options.enabled") is False  # settled and stopped

    # search focuses Meta: selected, centred, its panel open
    page.search("meta")
    assert page.js("network.getSelectedNodes()") == [meta]
    centre = page.js("network.getViewPosition()")
    at = page.js("(id) => network.getPositions([id])[id]", meta)
    assert abs(centre["x"] - at["x"]) < 5 and abs(centre["y"] - at["y"]) < 5
    assert page.page.is_visible("#panel")
    assert page.page.text_content("#panel h2") == kg.graph.nodes[meta]["name"]

    # the screenshot the README shows: the whole graph, Meta's panel open
    page.js("network.fit({animation: false})")
    page.page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOT))

    # the type filter hides every Person, and only them
    page.page.uncheck(".type-filter input[value=Person]")
    hidden = set(page.js("network.body.data.nodes.get().filter(n => n.hidden).map(n => n.id)"))
    assert hidden == set(people)
    person_edges = page.js("(ids) => network.body.data.edges.get().filter(e => ids.includes(e.from) "
                           "|| ids.includes(e.to)).map(e => e.hidden)", people)
    assert all(person_edges)
    page.page.check(".type-filter input[value=Person]")
    assert page.node_ids(visible_only=True) == page.node_ids()
    page.assert_clean()


# ---------------------------------------------------------------- hostile text
@pytest.fixture
def hostile_kg() -> KnowledgeGraph:
    text = f"Evil Corp {MARKUP} said it hired Jane Roe. Jane Roe works for Evil Corp."
    doc = Document.from_text(text, source="evil.html", title=MARKUP)
    ev = Evidence(doc.id, text, 0, len(text))
    evil = Entity("evil", f"Evil {MARKUP}", EntityType.COMPANY, frozenset({MARKUP}))
    jane = Entity("jane", "Jane Roe", EntityType.PERSON)
    topic = Entity("topic", MARKUP, EntityType.TOPIC)
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, (evil, jane, topic),
                      (Relation("jane", Predicate.WORKS_FOR, "evil", ev, 0.9, "rule"),),
                      (Stance("s1", "jane", "topic", MARKUP, Polarity.SUPPORTS, ev),)))
    return kg


def _hover(page: Page, node: str):
    page.page.mouse.move(1, 1)
    dom = page.js("(id) => network.canvasToDOM(network.getPositions([id])[id])", node)
    box = page.page.locator("#graph").bounding_box()
    page.page.mouse.move(box["x"] + dom["x"], box["y"] + dom["y"])
    page.page.wait_for_selector("#tooltip:not([hidden])", timeout=5_000)


def test_article_markup_shows_as_text_and_runs_nothing(hostile_kg, open_page, tmp_path):
    page = open_page(_write(tmp_path, hostile_kg))
    for node in ("evil", "s1", "topic"):
        _hover(page, node)
        assert "<script>window.__pwned = 1</script>" in page.page.text_content("#tooltip")
    for node in ("evil", "s1", "topic"):
        page.js("(id) => window.kgFocus(id)", node)  # as a search would: opens the panel
        panel = page.page.text_content("#panel")
        assert "<script>window.__pwned = 1</script>" in panel and 'onerror="window.__pwned = 2"' in panel
    page.js("(id) => window.kgFocus(id)", "jane")
    # the evidence sentence and the document title (markup) are shown verbatim
    assert MARKUP in page.page.text_content("#panel")
    assert page.js("window.__pwned") is None
    assert page.js("document.querySelectorAll('script').length") == 3
    assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.js("document.querySelectorAll('#panel a, #tooltip a').length") == 0
    page.assert_clean()


# ---------------------------------------------------------------- controls
def test_search_alias_panel_relation_filter_and_fit(small_kg, open_page, tmp_path):
    page = open_page(_write(tmp_path, small_kg))

    page.search("  ACME inc. ")  # an alias, any case and spacing
    assert page.js("network.getSelectedNodes()") == ["acme"]
    panel = page.page.text_content("#panel")
    assert "Also known as: Acme Inc." in panel
    assert "worksFor" in panel and "ceoOf" in panel and "competitorOf" in panel
    assert "confidence 0.90" in panel and "confidence 0.80" in panel
    assert "Acme competes with Globex, which makes the Widget phone." in panel

    page.search("no such thing", found=False)
    assert page.page.text_content("#status") == "No entity matches “no such thing”"

    zoomed = page.js("network.getScale()")
    page.js("network.once('animationFinished', () => { document.documentElement.dataset.fitted = 1; })")
    page.page.click("#fit")
    page.page.wait_for_function("() => document.documentElement.dataset.fitted", timeout=10_000)
    assert page.js("network.getScale()") < zoomed

    # clicking a node opens its panel; the close button shuts it
    dom = page.js("network.canvasToDOM(network.getPositions(['globex']).globex)")
    box = page.page.locator("#graph").bounding_box()
    page.page.mouse.click(box["x"] + dom["x"], box["y"] + dom["y"])
    assert page.page.text_content("#panel h2") == "Globex"
    assert "Widget productOf Globex" in " ".join(page.page.text_content("#panel").split())
    page.page.click("#panel-close")
    assert not page.page.is_visible("#panel")

    page.page.uncheck(".relation-filter input[value=worksFor]")
    states = dict(map(tuple, page.js("network.body.data.edges.get().map(e => [e.kg.predicate, !!e.hidden])")))
    assert states["worksFor"] is True and states["ceoOf"] is False
    # the legend names every type present, with its count
    legend = page.js("[...document.querySelectorAll('.type-filter')].map(li => li.textContent)")
    assert legend == ["Company2", "Person1", "Product1", "Position1", "Topic1", "Stance1"]
    page.assert_clean()


def test_physics_stops_once_settled(small_kg, open_page, tmp_path):
    page = open_page(_write(tmp_path, small_kg))
    assert page.js("network.physics.options.enabled") is False
    before = page.js("network.getPositions()")
    page.page.wait_for_timeout(500)
    assert page.js("network.getPositions()") == before


def test_large_graph_draws_its_precomputed_layout(open_page, tmp_path):
    n = viz.LARGE_GRAPH + 40
    doc = Document.from_text("big", source="t")
    ev = Evidence(doc.id, "big", 0, 3)
    ents = tuple(Entity(f"e{i:04d}", f"Entity {i}", EntityType.COMPANY) for i in range(n))
    rels = tuple(Relation(f"e{i:04d}", Predicate.PARTNER_OF, f"e{(i * 7 + 1) % n:04d}", ev)
                 for i in range(n))
    kg = KnowledgeGraph()
    kg.add(Extraction(doc, ents, rels))
    page = open_page(_write(tmp_path, kg))
    assert len(page.node_ids()) == n
    assert page.js("network.physics.options.enabled") is False
    positions = page.js("network.getPositions()")
    net = viz.build_network(kg)
    assert all(positions[node["id"]] == {"x": node["x"], "y": node["y"]} for node in net.nodes)
    page.search("Entity 17")
    assert page.js("network.getSelectedNodes()") == ["e0017"]
    page.assert_clean()
