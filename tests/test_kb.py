"""The knowledge base: loading, validation, look-ups by name, alias, demonym and spelling."""

from __future__ import annotations

from pathlib import Path

import json
import re

import pytest

from kg.errors import InputError
from kg.kb import DEFAULT_KB, KBEntry, KnowledgeBase, load_kb, normalize_name
from kg.types import EntityType


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def test_default_kb_loads_and_is_cached(kb):
    assert len(kb) > 200
    assert load_kb() is kb


def test_every_entry_is_well_formed(kb):
    names = [e.name for e in kb.entries]
    assert len(names) == len(set(names)), "duplicate names"
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids)), "duplicate slugs"
    for e in kb.entries:
        assert isinstance(e.type, EntityType)
        assert e.wikidata is None or re.fullmatch(r"Q[1-9][0-9]*", e.wikidata)


def test_each_qid_is_used_once(kb):
    qids = [e.wikidata for e in kb.entries if e.wikidata]
    assert len(qids) == len(set(qids))


@pytest.mark.parametrize(
    ("query", "name", "etype"),
    [
        ("U.S.", "United States", EntityType.COUNTRY),
        ("the United States", "United States", EntityType.COUNTRY),
        ("USA", "United States", EntityType.COUNTRY),
        ("Apple Inc.", "Apple", EntityType.COMPANY),
        ("Microsoft’s", "Microsoft", EntityType.COMPANY),
        ("NASDAQ", "Nasdaq", EntityType.ORGANIZATION),
        ("Justice Department", "Department of Justice", EntityType.ORGANIZATION),
        ("Gmail", "Gmail", EntityType.PRODUCT),
        ("Harvard", "Harvard University", EntityType.ORGANIZATION),
    ],
)
def test_lookup_by_name_or_alias(kb, query, name, etype):
    entry = kb.lookup(query)
    assert entry is not None and (entry.name, entry.type) == (name, etype)


@pytest.mark.parametrize("query", ["Acme Widgets", "AI", "the company", "", "Internet"])
def test_lookup_misses_unknown_or_generic_names(kb, query):
    assert kb.lookup(query) is None


@pytest.mark.parametrize(
    ("word", "country"),
    [("American", "United States"), ("South Korean", "South Korea"), ("Chinese", "China"),
     ("Japanese", "Japan"), ("British", "United Kingdom")],
)
def test_demonyms_point_to_their_country(kb, word, country):
    assert kb.lookup_demonym(word).name == country


@pytest.mark.parametrize("word", ["Arab", "Democratic", "Muslim", "Western"])
def test_unknown_demonyms_find_nothing(kb, word):
    assert kb.lookup_demonym(word) is None


@pytest.mark.parametrize(
    ("query", "name"),
    [("Wikimedia Fundation", "Wikimedia Foundation"), ("Securities and Exchange Comission",
                                                         "Securities and Exchange Commission")],
)
def test_fuzzy_lookup_forgives_a_typo_in_a_long_name(kb, query, name):
    assert kb.fuzzy(query).name == name


@pytest.mark.parametrize("query", ["Gogle", "Appel", "Metal", "Chinaa"])
def test_fuzzy_lookup_never_guesses_short_names(kb, query):
    assert kb.fuzzy(query) is None


def test_weak_entries_are_not_matched_in_raw_text(kb):
    weak = [e for e in kb.entries if e.weak]
    assert weak and all(e.surface_forms == () for e in weak)
    strong = kb.lookup("Google")
    assert "Google" in strong.surface_forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [("The Wall Street Journal’s", "wall street journal"), ("Mr. Zhang", "zhang"),
     ("Acme, Inc.", "acme"), ("  Acme   Corp. ", "acme"), ("JANE DOE", "jane doe"),
     ("Wei's", "wei"), ("U.S.", "u.s."), ('"Acme"', "acme")],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def _write(tmp_path, lines: list[str]):
    p = tmp_path / "kb.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_custom_kb_file(tmp_path):
    p = _write(tmp_path, [
        json.dumps({"name": "Globex", "type": "Company", "aliases": ["Globex Corp"],
                    "wikidata": "Q1"}),
        "",
        json.dumps({"name": "Freedonia", "type": "Country", "demonyms": ["Freedonian"]}),
    ])
    kb = load_kb(p)
    assert kb.lookup("globex corp") == KBEntry(
        "globex", "Globex", EntityType.COMPANY, ("Globex Corp",), (), (), "Q1", False)
    assert kb.lookup_demonym("Freedonian").name == "Freedonia"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "kb.jsonl:1: not valid JSON"),
        ('["a list"]', "kb.jsonl:1: each line must be a JSON object with a 'name' string"),
        ('{"name": "X", "type": "Planet"}', "kb.jsonl:1: unknown type 'Planet'; choose one of:"),
        ('{"name": "X", "type": "Company", "wikidata": "42"}',
         "kb.jsonl:1: wikidata must look like 'Q42', got '42'"),
        ('{"name": "X", "type": "Company", "aliases": "X Corp"}',
         "kb.jsonl:1: 'aliases' must be a list of strings"),
    ],
)
def test_bad_lines_name_the_line_and_the_problem(tmp_path, line, message):
    with pytest.raises(InputError, match=re.escape(message)):
        load_kb(_write(tmp_path, [line]))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read knowledge base"):
        load_kb(tmp_path / "nope.jsonl")


def test_default_path_is_the_data_file_shipped_in_the_package():
    # kg/kb.jsonl links to data/kb.jsonl in the source tree, so both are one file
    assert DEFAULT_KB.name == "kb.jsonl" and DEFAULT_KB.parent.name == "kg"
    data_file = Path(__file__).resolve().parent.parent / "data" / "kb.jsonl"
    assert DEFAULT_KB.resolve() == data_file
