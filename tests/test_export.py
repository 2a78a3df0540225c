"""Export registry and atomic writes (no spaCy)."""

from __future__ import annotations

import json
import os

import pytest
import csv
import io
import subprocess
import sys

from rdflib import Dataset, Graph

from kg.config import DEFAULT_BASE_IRI
from kg.errors import OutputError, UnknownFormatError
from kg.export import DEFAULT_FILES, FORMATS, serialize, serialize_many, write
from kg.graph import KnowledgeGraph
from kg.io import atomic_write_text
from kg.rdf import from_rdf, to_rdf
from kg.types import Entity, EntityType, Evidence, Extraction, Predicate, Relation

from .conftest import ROOT
from .test_rdf import assert_isomorphic, hostile_kg


RDF_FORMATS = [("turtle", "turtle"), ("ttl", "turtle"), ("nt", "nt"), ("json-ld", "json-ld"),
               ("rdfxml", "xml"), ("trig", "trig"), ("nquads", "nquads")]


def _parse(text: str, parser: str) -> Graph:
    """Parse ``text``; quad formats give the union of their graphs."""
    if parser in ("trig", "nquads"):
        ds = Dataset().parse(data=text, format=parser)
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    return Graph().parse(data=text, format=parser)


@pytest.mark.parametrize("fmt, parser", RDF_FORMATS)
def test_rdf_formats_parse_to_the_same_triples(small_kg, fmt, parser):
    text = serialize(small_kg, fmt)
    g = Graph().parse(data=text, format=parser) if parser not in ("trig", "nquads") else None
    reference = Graph().parse(data=serialize(small_kg, "nt"), format="nt")
    assert len(_parse(text, parser)) == len(reference) > 50
    if g is not None:
        assert len(g) == len(reference)


@pytest.mark.parametrize("fmt, parser", RDF_FORMATS)
@pytest.mark.parametrize("which", ["small", "hostile"])
def test_every_rdf_format_round_trips_to_an_isomorphic_graph(small_kg, fmt, parser, which):
    kg = small_kg if which == "small" else hostile_kg()
    text = serialize(kg, fmt)
    assert_isomorphic(_parse(text, parser), to_rdf(kg))
    back = from_rdf(_parse(text, parser))
    assert back.facts() == kg.facts()


@pytest.mark.parametrize("fmt", [f for f in FORMATS.names() if f != "html"])
def test_no_output_carries_nul_bom_or_invalid_utf8(fmt):
    data = serialize(hostile_kg(), fmt).encode("utf-8")  # raises on a lone surrogate
    assert b"\x00" not in data
    assert b"\xef\xbb\xbf" not in data  # U+FEFF, as a BOM or anywhere else
    data.decode("utf-8", errors="strict")


def test_jsonld_is_compact_with_a_context(small_kg):
    data = json.loads(serialize(small_kg, "json-ld"))
    assert data["@context"]["kg"] == "https://kg.example.org/ontology#"
    assert data["@context"]["id"] == "https://kg.example.org/id/"
    ids = {node["@id"] for node in data["@graph"]}
    assert "id:acme" in ids and "id:jane-doe" in ids


def test_rdfxml_keeps_carriage_returns():
    text = serialize(hostile_kg(), "rdfxml")
    assert "\r" not in text and "&#13;" in text
    g = Graph().parse(data=text, format="xml")
    assert any("\r\n" in str(o) for o in g.objects())


def test_trig_has_one_named_graph_per_document(small_kg):
    text = serialize(small_kg, "trig")
    (doc,) = small_kg.documents
    assert "@prefix doc: <https://kg.example.org/id/doc/> ." in text
    assert f"\ndoc:{doc} {{\n" in text
    assert text.count("{\n") == 1  # the document's; the default graph's triples come first
    names = {str(g.identifier) for g in Dataset().parse(data=text, format="trig").graphs()
             if len(g)}
    assert f"https://kg.example.org/id/doc/{doc}" in names


def test_graphml_loads_in_networkx_with_every_node_and_edge(small_kg):
    import networkx as nx

    g = nx.read_graphml(io.StringIO(serialize(small_kg, "graphml")), force_multigraph=True)
    assert set(g.nodes) == {n for n, _ in small_kg.entities()} | {n for n, _ in small_kg.stances()}
    facts = sorted((s, d["label"], o) for s, o, d in g.edges(data=True)
                   if d["label"] not in ("hasStance", "about"))
    assert facts == small_kg.facts()
    assert g.nodes["acme"]["label"] == "Acme" and g.nodes["acme"]["type"] == "Company"
    (edge,) = [d for s, o, d in g.edges(data=True) if d["label"] == "productOf"]
    assert edge["confidence"] == 0.85 and "Widget phone" in edge["evidence"]


def test_graphml_of_hostile_text_is_valid_xml():
    import networkx as nx

    g = nx.read_graphml(io.StringIO(serialize(hostile_kg(), "graphml")), force_multigraph=True)
    names = {d["label"] for _, d in g.nodes(data=True)}
    assert "Line\nbreak\r\nCRLF\rCR\u2028LS\u2029PS" in names


def test_csv_has_one_row_per_statement(small_kg):
    rows = list(csv.DictReader(io.StringIO(serialize(small_kg, "csv"))))
    assert [r["predicate"] for r in rows] == [p for _, p, _ in small_kg.facts()]
    row = next(r for r in rows if r["predicate"] == "productOf")
    assert row["subject"] == "https://kg.example.org/id/widget"
    assert row["object_label"] == "Globex" and row["confidence"] == "0.85"
    assert row["source"] == "tests/sample.txt" and row["former"] == "false"
    assert row["evidence"] == "Acme competes with Globex, which makes the Widget phone."


def test_csv_neutralises_spreadsheet_formulas(sample_document):
    d = sample_document
    a = Entity("a", "=HYPERLINK(\"http://x\")", EntityType.PERSON)
    b = Entity("b", "@SUM(1)", EntityType.COMPANY)
    ev = Evidence(d.id, "+cmd|' /C calc'!A0", 0, 5)
    kg = KnowledgeGraph()
    kg.add(Extraction(d, (a, b), (Relation("a", Predicate.WORKS_FOR, "b", ev),)))
    (row,) = csv.DictReader(io.StringIO(serialize(kg, "csv")))
    assert row["subject_label"] == "'=HYPERLINK(\"http://x\")"
    assert row["object_label"] == "'@SUM(1)" and row["evidence"].startswith("'+cmd")


def test_ontology_format_is_the_shipped_file(small_kg):
    from kg.rdf import ontology_text

    assert serialize(small_kg, "ontology") == ontology_text()


SEED_SCRIPT = """
import sys
from tests.conftest import SAMPLE_TEXT
from tests.test_rdf import hostile_kg
from kg.export import FORMATS, serialize
for name in FORMATS.names():
    if name in ("html",):
        continue
    sys.stdout.buffer.write(f"=== {name}\\n".encode())
    sys.stdout.buffer.write(serialize(hostile_kg(), name).encode("utf-8"))
"""


def test_output_is_byte_identical_whatever_the_hash_seed():
    """Two processes with different PYTHONHASHSEED write the same bytes in every format."""
    outs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-c", SEED_SCRIPT], cwd=ROOT, env=env,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert outs[0].count(b"=== ") == len(FORMATS.names()) - 1


@pytest.mark.parametrize("which", ["small", "hostile"])
def test_nt_is_sorted_and_deterministic(small_kg, which):
    kg = small_kg if which == "small" else hostile_kg()
    text = serialize(kg, "nt")
    lines = text.split("\n")
    assert lines[-1] == "" and lines == sorted(lines[:-1]) + [""]
    assert len(lines) == len(set(lines))
    assert text == serialize(kg, "nt")


@pytest.mark.parametrize("which", ["small", "hostile"])
def test_nquads_go_graph_by_graph_each_sorted(small_kg, which):
    kg = small_kg if which == "small" else hostile_kg()
    lines = serialize(kg, "nquads").split("\n")[:-1]
    import pyoxigraph as ox

    by_graph: dict[str, list[str]] = {}
    for line in lines:
        (quad,) = ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS)
        by_graph.setdefault(str(quad.graph_name), []).append(line)
    assert list(by_graph)[0] == "DEFAULT" and len(by_graph) == 1 + len(kg.documents)
    for graph_lines in by_graph.values():
        assert graph_lines == sorted(graph_lines)


def test_node_link_json(small_kg):
    data = json.loads(serialize(small_kg, "json"))
    assert {"nodes", "edges", "graph"} <= set(data)


def test_unknown_format_lists_the_choices(small_kg):
    with pytest.raises(UnknownFormatError) as info:
        serialize(small_kg, "docx")
    message = str(info.value)
    assert message.startswith("unknown format 'docx'; choose one of:")
    for name in FORMATS.names():
        assert name in message


def test_build_writes_every_default_format():
    assert set(DEFAULT_FILES.values()) <= set(FORMATS.names())


def test_write_replaces_atomically(tmp_path, small_kg):
    target = tmp_path / "graph.ttl"
    target.write_text("old")
    write(small_kg, target, "turtle")
    assert target.read_text().startswith("@prefix")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.txt"
    target.write_text("previous")

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]  # temp file removed


def test_output_folder_that_is_a_file(tmp_path, small_kg):
    blocker = tmp_path / "blocker"
    blocker.write_text("I am a file")
    with pytest.raises(OutputError, match="cannot write to"):
        write(small_kg, blocker / "graph.ttl", "turtle")
    assert blocker.read_text() == "I am a file"


@pytest.mark.model
def test_two_builds_of_the_interview_are_byte_identical(tmp_path):
    """The issue's "done when": the same input gives the same bytes, run after run."""
    outs = []
    for seed in ("0", "977"):
        out = tmp_path / f"build-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-m", "kg", "build", "-q", "-o", str(out)],
                              cwd=ROOT, env=env, capture_output=True, timeout=900)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        outs.append(out)
    for name in DEFAULT_FILES:
        if name != "graph.html":  # the HTML view is not an RDF export
            assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


QUAD_FORMATS = {"trig", "nquads"}


def _statements(text: str, parser: str) -> set[tuple]:
    """Every (s, p, o, graph) of ``text``; kg writes no blank nodes, so equal sets are
    isomorphic graphs (datasets, for the quad formats)."""
    if parser in QUAD_FORMATS:
        ds = Dataset().parse(data=text, format=parser)
        return {(s, p, o, str(g)) for s, p, o, g in ds.quads((None, None, None, None))}
    return {(s, p, o, None) for s, p, o in Graph().parse(data=text, format=parser)}


def _rdflib_text(kg: KnowledgeGraph, parser: str) -> str:
    """What rdflib's own writers make of :func:`to_rdf` / :func:`to_dataset`."""
    from kg.rdf import to_dataset

    if parser in QUAD_FORMATS:
        return to_dataset(kg).serialize(format=parser)
    return to_rdf(kg).serialize(format=parser)


@pytest.mark.parametrize("fmt, parser", RDF_FORMATS)
@pytest.mark.parametrize("which", ["small", "hostile"])
def test_pyoxigraph_writers_agree_with_rdflib_writers(small_kg, fmt, parser, which):
    kg = small_kg if which == "small" else hostile_kg()
    ours = _statements(serialize(kg, fmt), parser)
    assert ours == _statements(_rdflib_text(kg, parser), parser)
    assert len(ours) > 50


EXPORTS = ROOT / "exports"
COMMITTED = {"turtle": "graph.ttl", "nt": "graph.nt", "json-ld": "graph.jsonld",
             "rdfxml": "graph.rdf", "trig": "graph.trig", "nquads": "graph.nq"}


@pytest.mark.parametrize("fmt, parser", [p for p in RDF_FORMATS if p[0] in COMMITTED])
def test_interview_exports_hold_the_committed_statements(fmt, parser, monkeypatch):
    """A fresh serialisation of the committed interview graph (graph.json, no spaCy
    needed) holds exactly the statements of the committed export of that format."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    committed = (EXPORTS / COMMITTED[fmt]).read_text(encoding="utf-8")
    if "prov:endedAtTime" in committed or "#endedAtTime" in committed:
        pytest.skip("the committed exports record a build time")
    kg = KnowledgeGraph.from_json((EXPORTS / "graph.json").read_text(encoding="utf-8"))
    assert _statements(serialize(kg, fmt), parser) == _statements(committed, parser)


def test_serialize_many_shares_one_emission_and_matches_serialize(small_kg, monkeypatch):
    import kg.rdf

    made = []
    real = kg.rdf.Statements.__init__

    def counting(self, *args, **kwargs):
        made.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(kg.rdf.Statements, "__init__", counting)
    names = [f for f in FORMATS.names() if f != "html"]
    texts = serialize_many(small_kg, names)
    assert len(made) == 1
    assert texts == {f: serialize(small_kg, f) for f in names}


def test_serialize_many_refuses_an_unknown_format_before_any_work(small_kg):
    with pytest.raises(UnknownFormatError, match="unknown format 'docx'"):
        serialize_many(small_kg, ["nt", "docx"])


def test_write_many_writes_every_file(tmp_path, small_kg):
    from kg.export import write_many

    files = {tmp_path / "a.ttl": "turtle", tmp_path / "a.nq": "nquads", tmp_path / "b.ttl": "ttl"}
    assert write_many(small_kg, files) == list(files)
    for path, fmt in files.items():
        assert path.read_text(encoding="utf-8") == serialize(small_kg, fmt)


@pytest.mark.parametrize("which", ["small", "hostile"])
@pytest.mark.parametrize("fmt", ["nt", "nquads"])
def test_line_formats_are_what_pyoxigraph_writes(small_kg, which, fmt):
    """kg writes N-Triples/N-Quads from its own canonical lines; pyoxigraph, parsing
    them strictly and writing them again, gives back the same bytes."""
    import pyoxigraph as ox

    kg = small_kg if which == "small" else hostile_kg()
    text = serialize(kg, fmt)
    syntax = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS
    again = ox.serialize(ox.parse(text.encode("utf-8"), syntax), format=syntax)
    assert again.decode("utf-8") == text


@pytest.mark.parametrize("field, value", [("type", "Not A Type"), ("key", "works for>")])
def test_a_graph_with_a_bad_ontology_term_is_an_input_error(small_kg, field, value):
    from kg.errors import InputError

    data = small_kg.to_dict()
    if field == "type":
        data["nodes"][0]["type"] = value
    else:
        data["edges"][0]["key"] = value
    kg = KnowledgeGraph.from_dict(data)
    with pytest.raises(InputError, match="is not a kg ontology term"):
        serialize(kg, "turtle")


def _networkx_graphml(kg: KnowledgeGraph) -> str:
    """The GraphML networkx's own writer makes of kg's nodes and edges (the reference)."""
    import networkx as nx

    from kg.rdf import clean_text, entity_iri

    g = nx.MultiDiGraph()
    for node, data in kg.entities():
        g.add_node(node, label=clean_text(data["name"]), name=clean_text(data["name"]),
                   type=data["type"], iri=str(entity_iri(node)),
                   aliases=clean_text("; ".join(data["aliases"])),
                   wikidata=data.get("wikidata") or "", mentions=len(data["mentions"]))
    for node, data in kg.stances():
        g.add_node(node, label=clean_text(data["claim"]), name=clean_text(data["claim"]),
                   type="Stance", iri=str(entity_iri(node)), polarity=data["polarity"],
                   confidence=float(data["confidence"]))
        g.add_edge(data["holder"], node, key="hasStance", label="hasStance")
        g.add_edge(node, data["topic"], key="about", label="about")
    for s, p, o, data in kg.relations():
        prov = data["provenance"]
        g.add_edge(s, o, key=p, label=p, confidence=float(data["confidence"]),
                   former=bool(data.get("former")),
                   evidence=clean_text(" | ".join(x["evidence"] for x in prov)),
                   docs=clean_text(" ".join(sorted({x["doc"] for x in prov}))))
    buf = io.BytesIO()
    nx.write_graphml_xml(g, buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8").replace("\r", "&#13;")


@pytest.mark.parametrize("which", ["small", "hostile"])
def test_graphml_reads_back_as_networkx_own_writer(small_kg, which):
    import networkx as nx

    kg = small_kg if which == "small" else hostile_kg()

    def read(text):
        g = nx.read_graphml(io.StringIO(text), force_multigraph=True)
        return (sorted(g.nodes(data=True)),
                sorted((s, o, k, sorted(d.items())) for s, o, k, d in g.edges(keys=True, data=True)))

    assert read(serialize(kg, "graphml")) == read(_networkx_graphml(kg))


def test_shared_emission_emits_once_across_serialize_calls(small_kg, monkeypatch):
    import kg.rdf
    from kg.export import shared_emission

    made = []
    real = kg.rdf.Statements.__init__
    monkeypatch.setattr(kg.rdf.Statements, "__init__",
                        lambda self, *a, **k: (made.append(1), real(self, *a, **k))[1])
    with shared_emission():
        texts = {f: serialize(small_kg, f) for f in ("turtle", "nt", "trig", "json-ld")}
    assert len(made) == 1
    serialize(small_kg, "nt")  # outside the block: a fresh emission
    assert len(made) == 2 and texts["nt"] == serialize(small_kg, "nt")


# ----------------------------------------------------------------------------- streaming
# The exports stream into files piece by piece, and a large graph's statements are
# sorted on disk. The references below are how kg made the same text in memory, whole.
def _interview_kg() -> KnowledgeGraph:
    return KnowledgeGraph.from_json((EXPORTS / "graph.json").read_text(encoding="utf-8"))


GRAPHS = {"small": None, "hostile": hostile_kg, "interview": _interview_kg,
          "empty": KnowledgeGraph}


def _graph(which: str, small_kg: KnowledgeGraph) -> KnowledgeGraph:
    return small_kg if GRAPHS[which] is None else GRAPHS[which]()


def _reference_lines(kg: KnowledgeGraph, base: str = DEFAULT_BASE_IRI) -> tuple[str, str]:
    """N-Triples and N-Quads with every statement in memory: each graph's lines sorted."""
    from kg.rdf import _emit, _segment, build_time

    graphs: dict = {None: []}
    _emit(kg, base, lambda doc, lines: graphs.setdefault(doc, []).extend(lines), build_time())
    graphs = {doc: sorted(set(lines)) for doc, lines in graphs.items()}
    nt = "".join(sorted({line for lines in graphs.values() for line in lines}))
    named = sorted((f" <{base}doc/{_segment(doc)}> .\n", lines)
                   for doc, lines in graphs.items() if doc is not None)
    nq = "".join(graphs[None]) + "".join(line[:-3] + tail for tail, lines in named
                                         for line in lines)
    return nt, nq


def _reference_ox(kg: KnowledgeGraph, fmt: str, base: str = DEFAULT_BASE_IRI) -> str:
    """pyoxigraph's whole text of Turtle, TriG or RDF/XML, tidied as one string."""
    import re

    import pyoxigraph as ox

    from kg.export import _ox_prefixes

    nt, nq = _reference_lines(kg, base)
    quads = fmt == "TRIG"
    data = ox.serialize(ox.parse((nq if quads else nt).encode(),
                                 ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES),
                        format=getattr(ox.RdfFormat, fmt), prefixes=_ox_prefixes(base))
    text = data.decode("utf-8")
    if fmt == "RDF_XML":
        return text.replace("\r", "&#13;")
    while text.startswith("@prefix "):
        text = text[text.index("\n") + 1:]
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in _ox_prefixes(base).items())
    return head + "\n" + re.sub(r"\n(?=[^\t\n}])", "\n\n", text)


def _reference_json(kg: KnowledgeGraph) -> str:
    """graph.json from the whole :meth:`KnowledgeGraph.to_dict`, one item a line."""
    import re

    data = kg.to_dict()
    parts = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            text = "[\n" + ",\n".join(
                "  " + json.dumps(v, ensure_ascii=False, sort_keys=True) for v in value) + "\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f" {json.dumps(key)}: {text}")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    unsafe = re.compile("[\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")
    return unsafe.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _reference(kg: KnowledgeGraph, fmt: str) -> str | None:
    nt, nq = _reference_lines(kg)
    return {"nt": nt, "nquads": nq, "turtle": _reference_ox(kg, "TURTLE"),
            "trig": _reference_ox(kg, "TRIG"), "rdfxml": _reference_ox(kg, "RDF_XML"),
            "json": _reference_json(kg)}.get(fmt)


@pytest.fixture
def spill_everything(monkeypatch, tmp_path):
    """Statements spill to disk every few lines and merge two runs at a time."""
    import tempfile

    import kg.extsort
    import kg.rdf

    monkeypatch.setattr(kg.rdf, "SPILL_CHARS", 2000)
    monkeypatch.setattr(kg.extsort, "FAN_IN", 2)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def _streamed(kg: KnowledgeGraph, fmt: str, path) -> bytes:
    from kg.export import write_to

    with open(path, "wb") as fh:
        write_to(kg, fh, fmt)
    return path.read_bytes()


@pytest.mark.parametrize("fmt", [f for f in FORMATS.names()])
@pytest.mark.parametrize("which", list(GRAPHS))
def test_streamed_exports_are_the_in_memory_texts_byte_for_byte(small_kg, which, fmt, tmp_path,
                                                                monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    kg = _graph(which, small_kg)
    text = serialize(kg, fmt)
    assert _streamed(kg, fmt, tmp_path / "out") == text.encode("utf-8")
    reference = _reference(kg, fmt)
    if reference is not None:
        assert text == reference


@pytest.mark.parametrize("which", ["small", "hostile", "interview"])
def test_statements_sorted_on_disk_give_the_same_bytes(small_kg, which, tmp_path,
                                                       spill_everything, monkeypatch):
    """With the statements spilled every 2,000 characters (dozens of runs, merged two at
    a time), every export is byte for byte what the in-memory path makes."""
    import kg.rdf

    kg_ = _graph(which, small_kg)
    with monkeypatch.context() as m:
        m.setattr(kg.rdf, "SPILL_CHARS", 10**9)
        with kg.rdf.Statements(kg_) as st:
            assert not st.on_disk
        in_memory = {fmt: serialize(kg_, fmt) for fmt in FORMATS.names()}
    with kg.rdf.Statements(kg_) as st:
        assert st.on_disk
        (folder,) = spill_everything.iterdir()
        assert sorted(p.name for p in folder.iterdir()) == ["statements.nq", "statements.nt"]
    assert list(spill_everything.iterdir()) == []  # closed: its temp files are gone
    for fmt, text in in_memory.items():
        streamed = _streamed(kg_, fmt, tmp_path / "out")
        assert streamed == text.encode("utf-8"), fmt
        reference = _reference(kg_, fmt)
        if reference is not None:
            assert streamed == reference.encode("utf-8"), fmt
    assert list(spill_everything.iterdir()) == []


def test_write_many_shares_the_spilled_statements_and_removes_them(small_kg, tmp_path,
                                                                   spill_everything):
    from kg.export import write_many

    files = {tmp_path / name: fmt for name, fmt in DEFAULT_FILES.items()}
    assert write_many(small_kg, files) == list(files)
    for path, fmt in files.items():
        assert path.read_bytes() == serialize(small_kg, fmt).encode("utf-8"), fmt
    assert list(spill_everything.iterdir()) == []


def _failing_format(monkeypatch, fmt: str, error: BaseException) -> list[int]:
    """Make ``fmt`` write part of its file, then raise ``error``; return bytes written."""
    import dataclasses

    real = FORMATS.get(fmt)
    written: list[int] = []

    def broken(kg, base_iri, fh):
        buf = io.BytesIO()
        real.stream(kg, base_iri, buf)
        half = buf.getvalue()[: len(buf.getvalue()) // 2]
        fh.write(half)
        written.append(len(half))
        raise error

    monkeypatch.setitem(FORMATS._items, fmt, dataclasses.replace(real, stream=broken))
    return written


@pytest.mark.parametrize("error, message", [
    (OSError(28, "No space left on device"),
     "cannot write '{path}': No space left on device; no output file was changed"),
    (UnknownFormatError("docx", {}), None),
    (KeyboardInterrupt(), None),
])
def test_an_export_failing_midway_leaves_previous_files_and_no_temp_files(
        small_kg, tmp_path, monkeypatch, spill_everything, error, message):
    from kg.export import write_many

    out = tmp_path / "out"
    out.mkdir()
    files = {out / name: fmt for name, fmt in DEFAULT_FILES.items()}
    for path in files:
        path.write_text(f"previous {path.name}\n")
    written = _failing_format(monkeypatch, "json", error)
    with pytest.raises(OutputError if isinstance(error, OSError) else type(error)) as info:
        write_many(small_kg, files)
    assert written and written[0] > 0  # it failed mid-stream, after writing some
    if message:
        assert str(info.value) == message.format(path=out / "graph.json")
    assert sorted(p.name for p in out.iterdir()) == sorted(DEFAULT_FILES)  # no temp files
    for path in files:
        assert path.read_text() == f"previous {path.name}\n"
    assert list(spill_everything.iterdir()) == []  # nor the statements' temp files


def test_write_streams_one_file_and_keeps_the_previous_one_on_failure(small_kg, tmp_path,
                                                                     monkeypatch):
    target = tmp_path / "graph.nt"
    write(small_kg, target, "nt")
    assert target.read_text(encoding="utf-8") == serialize(small_kg, "nt")
    _failing_format(monkeypatch, "nt", OSError(5, "Input/output error"))
    with pytest.raises(OutputError, match="Input/output error; no output file was changed"):
        write(small_kg, target, "nt")
    assert target.read_text(encoding="utf-8") == serialize(small_kg, "nt")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nt"]


@pytest.mark.parametrize("fmt", ["TURTLE", "TRIG"])
def test_tidy_writer_is_independent_of_chunk_boundaries(small_kg, fmt):
    """pyoxigraph hands the writer 8 KB chunks; any cut (one byte at a time, inside
    a prefix line, between a line break and the next line) gives the same text."""
    import pyoxigraph as ox

    from kg.export import _ox_prefixes, _Tidy

    kg = hostile_kg()
    nt, nq = _reference_lines(kg)
    parsed = (ox.parse(nq.encode(), ox.RdfFormat.N_QUADS) if fmt == "TRIG"
              else ox.parse(nt.encode(), ox.RdfFormat.N_TRIPLES))
    data = ox.serialize(parsed, format=getattr(ox.RdfFormat, fmt),
                        prefixes=_ox_prefixes(DEFAULT_BASE_IRI))
    expected = _reference_ox(kg, fmt).encode("utf-8")
    for size in (1, 2, 7, 64, 1000, len(data)):
        buf = io.BytesIO()
        tidy = _Tidy(buf, DEFAULT_BASE_IRI)
        for i in range(0, len(data), size):
            tidy.write(data[i:i + size])
        tidy.close()
        assert buf.getvalue() == expected, size


@pytest.mark.parametrize("size", [1, 200, 1 << 20])
@pytest.mark.parametrize("which", ["small", "hostile", "interview"])
def test_turtle_and_rdfxml_written_block_by_block_are_pyoxigraph_whole_text(
        small_kg, which, size, monkeypatch):
    """Parsed and written a block of subjects at a time (one subject a block, at size
    1), Turtle and RDF/XML are what pyoxigraph writes of all the triples at once."""
    import kg.rdf

    blocks = kg.rdf.Statements.subject_blocks
    monkeypatch.setattr(kg.rdf.Statements, "subject_blocks",
                        lambda self, size_=size: blocks(self, size_))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    kg_ = _graph(which, small_kg)
    assert serialize(kg_, "turtle") == _reference_ox(kg_, "TURTLE")
    assert serialize(kg_, "rdfxml") == _reference_ox(kg_, "RDF_XML")


def test_subject_blocks_split_no_subject(small_kg, spill_everything):
    """On disk or in memory, the blocks join to the N-Triples and each subject's lines
    are in one block."""
    import kg.rdf

    for budget in (None, 10**9):
        with kg.rdf.Statements(hostile_kg(), budget=budget) as st:
            for size in (1, 100, 5000, 1 << 20):
                blocks = list(st.subject_blocks(size))
                assert b"".join(blocks) == st.ntriples.encode("utf-8")
                subjects = [{line.split(b" ")[0] for line in block.splitlines()}
                            for block in blocks]
                assert sum(map(len, subjects)) == len(set().union(*subjects)), size


def _count_nt_parses(monkeypatch) -> list[int]:
    import pyoxigraph as ox

    import kg.export

    calls = [0]
    real = ox.parse

    def parse(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ox, "parse", parse)
    monkeypatch.setattr(kg.rdf.Statements, "subject_blocks",
                        lambda self: iter([self.ntriples.encode("utf-8")]))
    assert kg.export  # the exporters look pyoxigraph's parse up when they run
    return calls


@pytest.mark.parametrize("formats, parses", [
    (None, 1), (["rdf", "ttl", "nt"], 1), (["ttl"], 1), (["xml"], 2), (["nt", "json"], 2),
])
def test_shared_emission_parses_the_triples_once_for_turtle_and_rdfxml(
        small_kg, formats, parses, monkeypatch):
    """When the block will write the other one, the first of Turtle and RDF/XML
    (RDF/XML here) writes it from the same parse into a temp file, which its own export
    copies; otherwise nothing is made ahead (each is still written when asked for)."""
    import tempfile

    import kg.rdf
    from kg.export import shared_emission

    expected = {f: serialize(small_kg, f) for f in ("turtle", "rdfxml")}
    spares = []
    real = tempfile.TemporaryFile

    def spare(*args, **kwargs):
        spares.append(real(*args, **kwargs))
        return spares[-1]

    calls = _count_nt_parses(monkeypatch)
    monkeypatch.setattr(tempfile, "TemporaryFile", spare)
    with shared_emission(formats):
        for fmt in ("rdfxml", "turtle"):
            assert serialize(small_kg, fmt) == expected[fmt]
    assert calls[0] == parses
    assert len(spares) == (2 - parses)
    assert all(fh.closed for fh in spares)


def test_a_spare_format_never_asked_for_is_removed_with_the_session(small_kg, monkeypatch):
    import tempfile

    from kg.export import shared_emission

    spares = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile",
                        lambda *a, **k: spares.append(real(*a, **k)) or spares[-1])
    with shared_emission():
        assert serialize(small_kg, "ttl").startswith("@prefix")
        assert len(spares) == 1 and not spares[0].closed  # RDF/XML, kept for later
    assert spares[0].closed


def test_shared_emission_refuses_an_unknown_format(small_kg):
    from kg.export import shared_emission

    with pytest.raises(UnknownFormatError, match="unknown format 'xml2'"):
        with shared_emission(["ttl", "xml2"]):
            pass  # pragma: no cover


def _all_str_keys(value) -> bool:
    """The plain recursive walk that kg.export._str_keys must agree with."""
    if isinstance(value, dict):
        return all(type(k) is str for k in value) and all(map(_all_str_keys, value.values()))
    if isinstance(value, (list, tuple)):
        return all(map(_all_str_keys, value))
    return True


@pytest.mark.parametrize("value", [
    {}, [], "x", 3, None, {"a": 1}, {1: "a"}, [{"a": 1}, {"b": None}], [{"a": 1}, {2: 1}],
    [{"a": {"b": 1}}], [{"a": {1: "b"}}], [{"a": [{"b": 1}]}], [{"a": [{(1, 2): 1}]}],
    ({"a": 1},), [{"a": 1}, "x"], [{"a": 1}, {True: 1}], {"a": [{"b": [1, {None: 2}]}]},
    [{"a": (1, {"b": 2})}], {"mentions": [{"doc": "d", "start": 1}] * 3, "votes": {"X": 2}},
])
def test_str_keys_agrees_with_a_plain_walk(value):
    from kg.export import _str_keys

    assert _str_keys(value) == _all_str_keys(value)


@pytest.mark.parametrize("text", ["plain", "caf\u00e9", "del\x7f", "c1\x85", "bom\ufeff", "\u2603"])
def test_json_escapes_exactly_the_unsafe_characters(text):
    from kg.export import _encode

    out = _encode({"t": text})
    assert json.loads(out) == {"t": text}
    assert all(c not in out for c in "\x7f\x85\ufeff")
    assert ("\u2603" in out) == ("\u2603" in text) and ("\u00e9" in out) == ("\u00e9" in text)
