"""Corpora and incremental builds (kg.corpus): merging across documents, skip/update/delete.

Most tests drive :class:`kg.corpus.Corpus` with a small rule-based extractor (no spaCy),
so they check the store's bookkeeping exactly; the ``nlp`` tests run the real pipeline
through ``kg build --store`` on files written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.config import Config
from kg.corpus import Corpus, build_corpus, decode_extraction, encode_extraction
from kg.errors import StoreError
from kg.graph import KnowledgeGraph
from kg.ids import slugify
from kg.ingest import read_documents
from kg.types import (
    Document, Entity, EntityType, Evidence, Extraction, Mention, Predicate, Relation,
)

# Three short made-up articles that share a company (and a person).
ARTICLES = {
    "one.txt": "Vantorix Group hired Elena Brask in March. Elena Brask joined Vantorix Group "
               "from Quillmoor Bank.\n",
    "two.txt": "Vantorix Group opened an office in Oslo. Analysts said Vantorix Group grew fast.\n",
    "three.txt": "Elena Brask said Vantorix Group competes with Harlow Dynamics.\n",
}

NAME = re.compile(r"\b(?:[A-Z][a-z]+ )+(?:Group|Bank|Dynamics|Brask)\b")


def rule_extract(documents):
    """A tiny deterministic extractor: capitalised names; 'X competes with Y' facts."""
    for doc in documents:
        rule_extract.calls.append(doc.source)
        groups: dict[str, list[Mention]] = {}
        for m in NAME.finditer(doc.text):
            label = EntityType.PERSON if m.group().endswith("Brask") else EntityType.COMPANY
            groups.setdefault(m.group(), []).append(
                Mention(doc.id, m.start(), m.end(), m.group(), label, 0, "test"))
        entities = tuple(sorted(
            (Entity(slugify(n), n, ms[0].label, frozenset(), tuple(ms)) for n, ms in groups.items()),
            key=lambda e: e.id))
        rels = []
        for m in re.finditer(r"(\w+ Group) competes with (\w+ Dynamics)", doc.text):
            ev = Evidence(doc.id, m.group(), m.start(), m.end())
            rels.append(Relation(slugify(m.group(1)), Predicate.COMPETITOR_OF,
                                 slugify(m.group(2)), ev, 0.9, "test"))
        yield Extraction(doc, entities, tuple(rels))


rule_extract.calls = []


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def update(store: Path, folder: Path, config: Config | None = None):
    rule_extract.calls = []
    with Corpus(store, config=config) as corpus:
        report = corpus.update(read_documents([folder]), rule_extract)
        return report, corpus.graph(), list(rule_extract.calls)


def fresh(folder: Path) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    for ex in rule_extract(read_documents([folder])):
        kg.add(ex)
    return kg


def test_codec_round_trips_every_field(sample_extraction):
    data = encode_extraction(sample_extraction)
    assert decode_extraction(data) == sample_extraction
    assert encode_extraction(decode_extraction(data)) == data


@pytest.mark.parametrize("meta", [(), (("date", "2024-01-02"), ("url", "https://x.example/a"))])
def test_codec_keeps_document_metadata(meta):
    doc = Document("doc-1", "Text.", "a.jsonl#line=3", None, meta)
    assert decode_extraction(encode_extraction(Extraction(doc))).document == doc


def test_same_entity_across_documents_is_one_node(tmp_path, corpus_dir):
    _, kg, _ = update(tmp_path / "store", corpus_dir)
    node = kg.graph.nodes["vantorix-group"]
    docs = {d.source.rsplit("/", 1)[1]: d.id for d in kg.documents.values()}
    assert {m["doc"] for m in node["mentions"]} == set(docs.values())
    assert len(node["mentions"]) == 5
    person = kg.graph.nodes["elena-brask"]
    assert {m["doc"] for m in person["mentions"]} == {docs["one.txt"], docs["three.txt"]}
    [(s, p, o, data)] = list(kg.relations())
    assert (s, p, o) == ("harlow-dynamics", "competitorOf", "vantorix-group")
    assert [prov["doc"] for prov in data["provenance"]] == [docs["three.txt"]]


def test_first_build_extracts_all_and_equals_a_fresh_build(tmp_path, corpus_dir):
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert sorted(Path(s).name for s in report.added) == sorted(ARTICLES)
    assert report.extracted == 3 and not report.unchanged and not report.removed
    assert len(calls) == 3
    assert kg == fresh(corpus_dir)


def test_rerun_skips_unchanged_documents(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert calls == [] and report.extracted == 0
    assert len(report.unchanged) == 3 and not (report.added or report.updated or report.removed)
    assert kg == fresh(corpus_dir)


def test_changed_document_is_replaced(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    (corpus_dir / "two.txt").write_text("Harlow Dynamics hired Tomas Brask.\n", encoding="utf-8")
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert [Path(c).name for c in calls] == ["two.txt"]
    assert [Path(s).name for s in report.updated] == ["two.txt"]
    assert "tomas-brask" in kg.graph
    assert len(kg.graph.nodes["vantorix-group"]["mentions"]) == 3  # two.txt's two are gone
    assert kg == fresh(corpus_dir)


def test_deleted_document_loses_its_facts(tmp_path, corpus_dir):
    store = tmp_path / "store"
    update(store, corpus_dir)
    (corpus_dir / "three.txt").unlink()
    report, kg, calls = update(store, corpus_dir)
    assert calls == [] and [Path(s).name for s in report.removed] == ["three.txt"]
    assert kg.facts() == [] and "harlow-dynamics" not in kg.graph
    assert kg == fresh(corpus_dir)
    with Corpus(store) as corpus:
        assert len(corpus) == 2
        ask = "ASK { ?s <https://kg.example.org/ontology#competitorOf> ?o }"
        assert corpus.query(ask) is not None and not bool(corpus.query(ask))
        graphs = corpus.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert len(list(graphs)) == 2


def test_each_document_has_its_own_named_graph(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    with Corpus(tmp_path / "store") as corpus:
        rows = list(corpus.query(
            "SELECT ?g WHERE { GRAPH ?g { ?s <https://kg.example.org/ontology#competitorOf> ?o } }"))
        three = next(d for d in corpus.extractions() if d.document.source.endswith("three.txt"))
        assert [r["g"].value for r in rows] == [f"https://kg.example.org/id/doc/{three.document.id}"]
        n = list(corpus.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"))[0]["n"].value
        assert int(n) > 0


def test_kg_query_reads_the_store(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    # each document's graph repeats the entities it mentions: DISTINCT merges them
    q = "SELECT DISTINCT ?name WHERE { ?c a kg:Company ; rdfs:label ?name } ORDER BY ?name"
    result = CliRunner().invoke(cli, ["query", str(tmp_path / "store" / "oxigraph"), q,
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["name", "Harlow", "Dynamics", "Quillmoor", "Bank",
                                     "Vantorix", "Group"]


def test_renamed_file_is_not_extracted_again(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    (corpus_dir / "one.txt").rename(corpus_dir / "uno.txt")
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert calls == []
    assert [Path(s).name for s in report.added] == ["uno.txt"]
    assert [Path(s).name for s in report.removed] == ["one.txt"]
    assert sorted(Path(d.source).name for d in kg.documents.values()) == ["three.txt", "two.txt", "uno.txt"]
    assert kg == fresh(corpus_dir)


def test_new_settings_re_extract_everything(tmp_path, corpus_dir):
    update(tmp_path / "store", corpus_dir)
    report, _, calls = update(tmp_path / "store", corpus_dir, Config(min_confidence=0.7))
    assert report.rebuilt and len(calls) == 3
    assert "re-extracted" in report.summary()


def test_documents_the_extractor_drops_are_failed_and_retried(tmp_path, corpus_dir):
    def drop_two(docs):
        return rule_extract(d for d in docs if not d.source.endswith("two.txt"))

    with Corpus(tmp_path / "store") as corpus:
        report = corpus.update(read_documents([corpus_dir]), drop_two)
        assert [Path(s).name for s in report.failed] == ["two.txt"] and len(corpus) == 2
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert [Path(c).name for c in calls] == ["two.txt"] and len(report.unchanged) == 2
    assert kg == fresh(corpus_dir)


def test_interrupted_build_keeps_finished_work(tmp_path, corpus_dir):
    def die_after_one(docs):
        for i, ex in enumerate(rule_extract(docs)):
            if i == 1:
                raise KeyboardInterrupt
            yield ex

    with Corpus(tmp_path / "store") as corpus, pytest.raises(KeyboardInterrupt):
        corpus.update(read_documents([corpus_dir]), die_after_one)
    report, kg, calls = update(tmp_path / "store", corpus_dir)
    assert len(calls) == 2 and report.extracted == 2
    assert kg == fresh(corpus_dir)


class CountingFlushes:
    """Wraps the store's Oxigraph store, counting flushes."""

    def __init__(self, inner):
        self.inner, self.flushes = inner, 0

    def flush(self):
        self.flushes += 1
        self.inner.flush()

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("limit, during, at_close", [(1, 3, 0), (None, 0, 1)])
def test_oxigraph_writes_are_flushed_as_they_add_up(tmp_path, corpus_dir, monkeypatch,
                                                     limit, during, at_close):
    # RocksDB holds unflushed writes in memory: a store must flush as it grows, or a
    # build's memory grows with the corpus
    import kg.corpus

    if limit is not None:
        monkeypatch.setattr(kg.corpus, "FLUSH_BYTES", limit)
    corpus = Corpus(tmp_path / "store")
    counting = corpus._ox = CountingFlushes(corpus.oxigraph)
    corpus.update(read_documents([corpus_dir]), rule_extract)
    assert counting.flushes == during
    corpus.close()
    assert counting.flushes == during + at_close
    _, kg, calls = update(tmp_path / "store", corpus_dir)
    assert calls == [] and kg == fresh(corpus_dir)


def test_exports_are_current_only_for_the_state_that_wrote_them(tmp_path, corpus_dir):
    store, out = tmp_path / "store", tmp_path / "out"
    out.mkdir()
    update(store, corpus_dir)
    files = [out / "graph.ttl", out / "graph.json"]
    for f in files:
        f.write_text(f.name)
    names = [f.name for f in files]
    with Corpus(store) as corpus:
        assert not corpus.exports_current(out, names)
        corpus.record_exports(out, files)
        assert corpus.exports_current(out, names)
        assert not corpus.exports_current(out, [*names, "graph.nt"])  # another set of formats
        assert not corpus.exports_current(tmp_path / "elsewhere", names)
    update(store, corpus_dir)  # nothing changed
    with Corpus(store) as corpus:
        assert corpus.exports_current(out, names)
    (out / "graph.json").write_text("edited by hand")
    with Corpus(store) as corpus:
        assert not corpus.exports_current(out, names)
        corpus.record_exports(out, files)
    (corpus_dir / "two.txt").write_text("Harlow Dynamics grew.\n")
    update(store, corpus_dir)
    with Corpus(store) as corpus:
        assert not corpus.exports_current(out, names)


def test_build_corpus_skips_the_merge_when_the_exports_are_current(tmp_path, corpus_dir,
                                                                   monkeypatch):
    import kg.parallel
    from kg.corpus import record_exports

    monkeypatch.setattr(kg.parallel, "extract_documents", lambda docs, **kw: rule_extract(docs))
    store, out = tmp_path / "store", tmp_path / "out"
    out.mkdir()
    exports = (out, ["graph.json"])
    graph, report = build_corpus([corpus_dir], store=store, exports=exports)
    assert graph == fresh(corpus_dir) and report.extracted == len(ARTICLES)
    (out / "graph.json").write_text(graph.to_json())
    record_exports(store, out, [out / "graph.json"])
    graph, report = build_corpus([corpus_dir], store=store, exports=exports)
    assert graph is None and report.extracted == 0  # nothing to merge, nothing to write
    graph, _ = build_corpus([corpus_dir], store=store)  # without exports: always a graph
    assert graph == fresh(corpus_dir)
    (out / "graph.json").write_text("edited by hand")
    graph, report = build_corpus([corpus_dir], store=store, exports=exports)
    assert graph == fresh(corpus_dir) and report.extracted == 0


def test_store_must_be_a_folder_of_kg(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file; give a folder for --store"):
        Corpus(tmp_path / "file")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(StoreError, match="is not empty and not a kg store"):
        Corpus(tmp_path / "other")


@pytest.mark.parametrize("target, code, message", [
    ("file", 2, "Error: Invalid value for '--store': Directory '{p}' is a file."),
    ("other", 1,
     "Error: '{p}' is not empty and not a kg store; give a new or empty folder for --store"),
])
def test_cli_bad_store(tmp_path, corpus_dir, target, code, message):
    path = tmp_path / target
    if target == "file":
        path.write_text("x")
    else:
        path.mkdir()
        (path / "notes.txt").write_text("x")
    result = CliRunner().invoke(cli, ["build", str(corpus_dir), "--store", str(path),
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == code
    assert result.stderr.strip().splitlines()[-1] == message.format(p=path)


# ------------------------------------------------------------- with the real pipeline


def _build(args):
    result = CliRunner().invoke(cli, ["build", *args])
    assert result.exit_code == 0, result.output
    return result


def test_cli_incremental_build_with_the_model(nlp, tmp_path, corpus_dir):
    store, out = tmp_path / "store", tmp_path / "out"
    first = _build([str(corpus_dir), "--store", str(store), "-o", str(out)])
    assert "store: 3 added, 0 updated, 0 unchanged, 0 removed (3 extracted)" in first.stderr
    graph = json.loads((out / "graph.json").read_text())
    vantorix = next(n for n in graph["nodes"] if n["id"] == "vantorix-group")
    assert len({m["doc"] for m in vantorix["mentions"]}) == 3

    again = _build([str(corpus_dir), "--store", str(store), "-o", str(out)])
    assert "store: 0 added, 0 updated, 3 unchanged, 0 removed (0 extracted)" in again.stderr
    assert f"exports in {out} are up to date" in again.stderr
    (out / "graph.nt").write_text("tampered\n")
    repaired = _build([str(corpus_dir), "--store", str(store), "-o", str(out)])
    assert "up to date" not in repaired.stderr and "tampered" not in (out / "graph.nt").read_text()

    (corpus_dir / "two.txt").write_text("Harlow Dynamics makes drones in Bergen.\n")
    (corpus_dir / "one.txt").unlink()
    changed = _build([str(corpus_dir), "--store", str(store), "-o", str(out)])
    assert "store: 0 added, 1 updated, 1 unchanged, 1 removed (1 extracted)" in changed.stderr
    plain = _build([str(corpus_dir), "-o", str(tmp_path / "plain")])
    assert plain.stderr.splitlines()[-4:-1] == changed.stderr.splitlines()[-4:-1]
    for name in ("graph.ttl", "graph.nt", "graph.json"):
        assert (out / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_build_corpus_merges_the_shared_company(nlp, corpus_dir):
    kg, report = build_corpus([corpus_dir])
    assert report is None and len(kg.documents) == 3
    docs_of = {m["doc"] for m in kg.graph.nodes["vantorix-group"]["mentions"]}
    assert docs_of == set(kg.documents)


@pytest.mark.parametrize("flags, line", [
    ([], "SHACL: 0 violation(s), 0 warning(s)"),
    (["--no-validate"], "SHACL: not checked (--no-validate)"),
])
def test_build_can_skip_the_shacl_check(tmp_path, small_kg, monkeypatch, flags, line):
    import kg.cli.build as build_cli
    import kg.validate

    calls = []
    real = kg.validate.start_check_build  # how a --jobs 1 build checks
    monkeypatch.setattr(build_cli, "build_corpus", lambda *a, **k: (small_kg, None))
    monkeypatch.setattr(build_cli, "start_check_build", lambda *a: calls.append(1) or real(*a))
    result = CliRunner().invoke(cli, ["build", "x.txt", "-o", str(tmp_path / "out"), *flags])
    assert result.exit_code == 0, result.output
    assert line in result.stderr.splitlines()
    assert len(calls) == (0 if flags else 1)
    assert (tmp_path / "out" / "graph.ttl").exists()
