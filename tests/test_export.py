"""Export registry and atomic writes (no spaCy)."""

from __future__ import annotations

import json
import os

import pytest
from rdflib import Graph

from kg.errors import OutputError, UnknownFormatError
from kg.export import DEFAULT_FILES, FORMATS, serialize, write
from kg.io import atomic_write_text


@pytest.mark.parametrize("fmt, parser", [("turtle", "turtle"), ("ttl", "turtle"),
                                          ("nt", "nt"), ("json-ld", "json-ld")])
def test_rdf_formats_parse_to_the_same_triples(small_kg, fmt, parser):
    text = serialize(small_kg, fmt)
    g = Graph().parse(data=text, format=parser)
    reference = Graph().parse(data=serialize(small_kg, "nt"), format="nt")
    assert len(g) == len(reference) > 50


def test_nt_is_sorted_and_deterministic(small_kg):
    text = serialize(small_kg, "nt")
    lines = text.splitlines()
    assert lines == sorted(lines)
    assert text == serialize(small_kg, "nt")


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
