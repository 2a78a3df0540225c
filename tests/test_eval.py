"""The gold scorer on hand-made gold and hand-made graphs, and the ``kg eval`` command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.eval import (
    PRF, Report, evidence_overlaps, macro_average, normalize_name, parse_gold, score,
)
from kg.export import write
from kg.graph import KnowledgeGraph
from kg.rdf import to_rdf
from kg.types import (
    Document, Entity, EntityType, Evidence, Extraction, Polarity, Predicate, Relation, Stance,
)

TEXT = "Acme's chief Jane Doe said Acme competes with Globex. She believes robots help."
DOC = Document.from_text(TEXT, source="t.txt")
EV = Evidence(DOC.id, TEXT, 0, len(TEXT))


def ent(eid: str, name: str, etype: str, *aliases: str) -> Entity:
    return Entity(eid, name, EntityType(etype), frozenset(aliases))


def rel(s: str, p: str, o: str) -> Relation:
    return Relation(s, Predicate(p), o, EV, 0.9, "test")


def graph(entities, relations=(), stances=()):
    kg = KnowledgeGraph()
    kg.add(Extraction(DOC, tuple(entities), tuple(relations), tuple(stances)))
    return to_rdf(kg)


def gold(entities=(), optional=(), relations=(), optional_relations=(), **extra):
    data = {"entities": list(entities), "optional_entities": list(optional),
            "relations": list(relations), "optional_relations": list(optional_relations),
            **extra}
    return parse_gold(data)


def g_ent(name, etype, aliases=(), alt=()):
    return {"name": name, "type": etype, "aliases": list(aliases), "alt_types": list(alt)}


def g_rel(s, p, o, **kw):
    return {"subject": s, "predicate": p, "object": o, "evidence": "", **kw}


@pytest.mark.parametrize("name, expected", [
    ("Acme", "acme"),
    ("ACME", "acme"),
    ("Acme’s", "acme"),
    ("Acme's", "acme"),
    ("the Acme", "acme"),
    ("The Acme Corp.", "acme"),
    ("Acme, Inc.", "acme"),
    ("Acme Inc", "acme"),
    ("Acme Holdings Ltd", "acme"),
    ("Acme Group plc", "acme"),
    ("Acme LLC", "acme"),
    ("Acme  Co.", "acme"),
    ("Acme Corporation", "acme"),
    ("Group", "group"),           # a suffix alone stays
    ("the", "the"),
    ("Acmeinc", "acmeinc"),       # only a separate word is a suffix
    ("Theodore", "theodore"),     # "the" only as a word
])
def test_normalize_name(name, expected):
    assert normalize_name(name) == expected


def test_entity_untyped_and_typed():
    g = graph([ent("acme", "Acme Inc.", "Company"), ent("globex", "Globex", "Person")])
    r = score(gold([g_ent("Acme", "Company"), g_ent("Globex", "Company")]), g)
    assert (r.entities.found, r.entities.gold, r.entities.tp, r.entities.fp) == (2, 2, 2, 0)
    assert r.entities.f1 == 1.0
    assert (r.entities_typed.found, r.entities_typed.tp, r.entities_typed.fp) == (1, 1, 1)
    assert r.entities_typed.precision == 0.5 and r.entities_typed.recall == 0.5
    assert r.fp_entities == [] and r.fp_entities_typed == ["Globex (Person)"]
    assert r.missed_entities_typed == ["Globex (got Person, want Company)"]


def test_alias_on_either_side_and_alt_types():
    g = graph([ent("jd", "Jane Doe", "Person"), ent("w", "The Widget", "Company", "Widget X")])
    gd = gold([g_ent("Doe", "Person", aliases=["Jane Doe"]),
               g_ent("Widget X", "Product", alt=["Company"])])
    r = score(gd, g)
    assert r.entities_typed.f1 == 1.0


def test_optional_entities_are_neither_required_nor_false_positives():
    g = graph([ent("acme", "Acme", "Company"), ent("us", "U.S.", "Country")])
    r = score(gold([g_ent("Acme", "Company")], optional=[g_ent("United States", "Country",
                                                              aliases=["U.S."])]), g)
    assert (r.entities.gold, r.entities.tp, r.entities.fp) == (1, 2, 0)
    assert r.entities.f1 == 1.0


def test_optional_entity_with_wrong_type_is_a_typed_false_positive():
    g = graph([ent("acme", "Acme", "Company"), ent("us", "U.S.", "Company")])
    r = score(gold([g_ent("Acme", "Company")], optional=[g_ent("U.S.", "Country")]), g)
    assert r.entities.fp == 0 and r.entities_typed.fp == 1


def test_unmatched_node_is_false_positive_and_topics_are_not_counted():
    g = graph([ent("acme", "Acme", "Company"), ent("ai", "AI", "Country"),
               ent("robots", "robots", "Topic"), ent("talk", "the talk", "Event")])
    r = score(gold([g_ent("Acme", "Company")]), g)
    assert (r.entities.tp, r.entities.fp) == (1, 1)
    assert r.fp_entities == ["AI (Country)"]


def test_missed_entity_is_listed():
    r = score(gold([g_ent("Acme", "Company"), g_ent("Globex", "Company")]),
              graph([ent("acme", "Acme", "Company")]))
    assert r.missed_entities == ["Globex"] and r.entities.recall == 0.5


def test_duplicate_nodes_are_reported():
    g = graph([ent("acme", "Acme", "Company"), ent("acme-inc", "Acme Inc.", "Company")])
    r = score(gold([g_ent("Acme", "Company")]), g)
    assert r.duplicate_entities == ["Acme Inc. = Acme"]


PEOPLE = [ent("acme", "Acme", "Company"), ent("globex", "Globex", "Company"),
          ent("jd", "Jane Doe", "Person"), ent("chief", "chief executive", "Position")]
GOLD_PEOPLE = [g_ent("Acme", "Company"), g_ent("Globex", "Company"),
               g_ent("Jane Doe", "Person", aliases=["Doe"]), g_ent("chief executive", "Position")]


@pytest.mark.parametrize("gs, go, symmetric, met", [
    ("Globex", "Acme", None, True),      # competitorOf is symmetric by default
    ("Acme", "Globex", None, True),
    ("Globex", "Acme", False, False),    # unless the gold says otherwise
    ("Acme", "Globex", False, True),
])
def test_symmetric_relations(gs, go, symmetric, met):
    extra = {} if symmetric is None else {"symmetric": symmetric}
    gd = gold(GOLD_PEOPLE, relations=[g_rel(gs, "competitorOf", go, **extra)])
    # kg stores a symmetric fact once, its ends sorted: acme competitorOf globex
    r = score(gd, graph(PEOPLE, [rel("globex", "competitorOf", "acme")]))
    assert (r.relations.found, r.relations.tp, r.relations.fp) == (met, met, not met)


def test_direction_matters_for_other_predicates():
    gd = gold(GOLD_PEOPLE, relations=[g_rel("Jane Doe", "worksFor", "Acme")])
    r = score(gd, graph(PEOPLE, [rel("acme", "worksFor", "jd")]))
    assert r.relations.found == 0 and r.fp_relations == ["Acme worksFor Jane Doe"]


def test_ceo_of_is_met_by_works_for_and_also():
    gd = gold(GOLD_PEOPLE, relations=[
        g_rel("Doe", "ceoOf", "Acme"),
        g_rel("Jane Doe", "founderOf", "Globex", also=["worksFor"]),
    ])
    r = score(gd, graph(PEOPLE, [rel("jd", "worksFor", "acme"), rel("jd", "worksFor", "globex")]))
    assert r.relations.found == 2 and r.relations.tp == 2 and r.relations.fp == 0
    assert r.missed_relations == []
    # a right triple counts for the predicate of the gold fact it meets
    per = {p: (m.tp, m.fp, m.found, m.gold) for p, m in r.per_predicate.items()}
    assert per == {"ceoOf": (1, 0, 1, 1), "founderOf": (1, 0, 1, 1)}


def test_works_for_gold_is_not_met_by_ceo_of():
    gd = gold(GOLD_PEOPLE, relations=[g_rel("Jane Doe", "worksFor", "Acme")])
    r = score(gd, graph(PEOPLE, [rel("jd", "ceoOf", "acme")]))
    assert r.relations.found == 0 and r.fp_relations == ["Jane Doe ceoOf Acme"]


def test_optional_relations_are_ignored_and_per_predicate_numbers():
    gd = gold(GOLD_PEOPLE,
              relations=[g_rel("Jane Doe", "holdsPosition", "chief executive"),
                         g_rel("Jane Doe", "worksFor", "Acme"),
                         g_rel("Acme", "competitorOf", "Globex")],
              optional_relations=[g_rel("Jane Doe", "ceoOf", "Acme")])
    predicted = [rel("jd", "holdsPosition", "chief"), rel("jd", "ceoOf", "acme"),
                 rel("jd", "worksFor", "globex"), rel("acme", "partnerOf", "globex")]
    r = score(gd, graph(PEOPLE, predicted))
    assert (r.relations.tp, r.relations.fp, r.relations.found, r.relations.gold) == (1, 2, 1, 3)
    per = {p: (m.tp, m.fp, m.found, m.gold) for p, m in r.per_predicate.items()}
    assert per == {"holdsPosition": (1, 0, 1, 1), "worksFor": (0, 1, 0, 1),
                   "competitorOf": (0, 0, 0, 1), "partnerOf": (0, 1, 0, 0)}
    assert r.per_predicate["holdsPosition"].f1 == 1.0
    assert r.relations.precision == pytest.approx(1 / 3)
    assert sorted(r.missed_relations) == ["Acme competitorOf Globex", "Jane Doe worksFor Acme"]
    assert sorted(r.fp_relations) == ["Acme partnerOf Globex", "Jane Doe worksFor Globex"]


def test_relations_to_non_entity_nodes_are_not_counted():
    stance = Stance("stance-x", "jd", "robots", "robots help", Polarity.SUPPORTS, EV, "believe")
    g = graph([*PEOPLE, ent("robots", "robots", "Topic")], [], [stance])
    r = score(gold(GOLD_PEOPLE), g)
    assert r.relations.tp + r.relations.fp == 0 and r.relations.f1 == 1.0


def _stance(sid, holder, topic, evidence):
    start = TEXT.index(evidence)
    ev = Evidence(DOC.id, evidence, start, start + len(evidence))
    return Stance(sid, holder, topic, "robots help", Polarity.SUPPORTS, ev, "believe")


@pytest.mark.parametrize("holder, evidence, found", [
    ("jd", "She believes robots help.", True),
    ("jd", "She believes robots help", True),                     # overlap, not equality
    ("jd", "Jane Doe said Acme competes with Globex.", False),   # another sentence
    ("acme", "She believes robots help.", False),                 # another holder
])
def test_stance_recall(holder, evidence, found):
    gd = gold(GOLD_PEOPLE, stances=[{"holder": "Doe", "topic": "robots",
                                     "keywords": ["robot"],
                                     "evidence": "She believes robots help."}])
    g = graph([*PEOPLE, ent("robots", "robots", "Topic")], [],
              [_stance("stance-1", holder, "robots", evidence)])
    r = score(gd, g)
    assert r.stances is not None
    assert (r.stances.found, r.stances.gold) == (found, 1)
    assert r.stances_with_topic == found
    assert r.to_dict()["stances"]["recall"] == float(found)


def test_stance_evidence_parts_are_alternatives():
    gd = gold(GOLD_PEOPLE, stances=[{"holder": "Jane Doe", "topic": "robots",
                                     "evidence": "Jane Doe said Acme competes with Globex. ... "
                                                 "She believes robots help."}])
    g = graph([*PEOPLE, ent("robots", "robots", "Topic")], [],
              [_stance("stance-1", "jd", "robots", "She believes robots help.")])
    assert score(gd, g).stances.found == 1


def test_no_stance_key_means_no_stance_score():
    r = score(gold(GOLD_PEOPLE), graph(PEOPLE))
    assert r.stances is None and "stances" not in r.to_dict()


@pytest.mark.parametrize("a, b, same", [
    ("He said so.", "Then he said so, twice.", True),
    ("He believes that open models win.", "He believes that open models win over time.", True),
    ("He said so.", "She disagreed with everything.", False),
    ("", "He said so.", False),
])
def test_evidence_overlaps(a, b, same):
    assert evidence_overlaps(a, b) is same


@pytest.mark.parametrize("data, message", [
    ([], "not a gold file"),
    ({"entities": [{"name": "A"}]}, "non-empty string 'type'"),
    ({"entities": [{"name": "A", "type": "Thing"}]}, "unknown type 'Thing' for 'A'"),
    ({"entities": [], "relations": [{"subject": "A", "predicate": "owns", "object": "B"}]},
     "unknown predicate 'owns'"),
    ({"entities": [], "relations": {}}, "'relations' must be a list"),
    ({"entities": [{"name": "A", "type": "Company", "aliases": "A Inc"}]},
     "'aliases' must be a list of strings"),
])
def test_parse_gold_rejects_bad_data(data, message):
    with pytest.raises(InputError, match=message):
        parse_gold(data, "g.json")


def test_macro_average():
    a = Report(PRF(1, 0, 1, 1), PRF(1, 0, 1, 1), PRF(1, 0, 1, 1), {})
    b = Report(PRF(0, 1, 0, 1), PRF(0, 1, 0, 1), PRF(0, 0, 0, 1), {})
    macro = macro_average([a, b])
    assert macro["entities"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert macro["relations"]["f1"] == 0.5


# ---------------------------------------------------------------------------- CLI
@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def files(tmp_path):
    g = tmp_path / "gold.json"
    g.write_text(json.dumps({
        "entities": [g_ent("Acme", "Company"), g_ent("Jane Doe", "Person")],
        "relations": [g_rel("Jane Doe", "worksFor", "Acme")]}))
    kg = KnowledgeGraph()
    kg.add(Extraction(DOC, (ent("acme", "Acme", "Company"), ent("jd", "Jane Doe", "Person"),
                            ent("ai", "AI", "Country")), (rel("jd", "worksFor", "acme"),)))
    write(kg, tmp_path / "graph.ttl", "turtle")
    write(kg, tmp_path / "graph.json", "json")
    return tmp_path


@pytest.mark.parametrize("name", ["graph.ttl", "graph.json"])
def test_cli_eval_graph_text(runner, files, name):
    result = runner.invoke(cli, ["eval", str(files / "gold.json"), "--graph", str(files / name)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("entities         P 0.667  R 1.000  F1 0.800")
    assert lines[3].startswith("relations        P 1.000  R 1.000  F1 1.000")
    assert "  - AI (Country)" in lines


def test_cli_eval_json(runner, files):
    result = runner.invoke(cli, ["eval", str(files / "gold.json"), "--graph",
                                 str(files / "graph.ttl"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entities"]["precision"] == pytest.approx(0.6667)
    assert data["per_predicate"]["worksFor"]["f1"] == 1.0
    assert data["fp_entities"] == ["AI (Country)"]


@pytest.mark.parametrize("setup, args, error", [
    (None, ["missing.json", "--graph", "g.ttl"], "Error: no such gold file: 'missing.json'"),
    ("{oops", ["bad.json", "--graph", "g.ttl"],
     "Error: gold file 'bad.json' is not valid JSON: Expecting property name enclosed in "
     "double quotes (line 1)"),
    ("[1]", ["bad.json", "--graph", "g.ttl"], "Error: bad.json: not a gold file "
     "(needs an 'entities' list)"),
    ('{"entities": []}', ["bad.json"], "Error: give the article with --text ARTICLE or a "
     "graph with --graph GRAPH (exactly one)"),
    ('{"entities": []}', ["bad.json", "--graph", "nope.ttl"],
     "Error: no such graph file: 'nope.ttl'"),
    ('{"entities": []}', ["bad.json", "--text", "nope.txt"], "Error: no such article: 'nope.txt'"),
    ("dir", [".", "--text", "a.txt"], "Error: '.' is a folder of gold files; --text and "
     "--graph are for one gold file"),
    ("dir", ["."], "Error: '.' has no gold/*.json files; give a folder with gold/ and "
     "articles/, or one gold file"),
])
def test_cli_eval_errors(runner, tmp_path, monkeypatch, setup, args, error):
    monkeypatch.chdir(tmp_path)
    if setup not in (None, "dir"):
        (tmp_path / "bad.json").write_text(setup)
    result = runner.invoke(cli, ["eval", *args])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [error]


def test_cli_eval_folder_needs_articles(runner, tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text('{"entities": []}')
    result = runner.invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: gold file ") and "has no article" in result.stderr


def test_cli_eval_folder_builds_and_averages(runner, tmp_path, nlp):
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles").mkdir()
    for stem, name in [("a", "Barack Obama"), ("b", "Angela Merkel")]:
        (tmp_path / "articles" / f"{stem}.txt").write_text(f"{name} visited Paris in May.\n")
        (tmp_path / "gold" / f"{stem}.json").write_text(json.dumps(
            {"entities": [g_ent(name, "Person")], "relations": []}))
    result = runner.invoke(cli, ["eval", str(tmp_path), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [a["entities"]["gold"] for a in data["articles"]] == [1, 1]
    assert data["macro"]["entities"]["recall"] == 1.0
