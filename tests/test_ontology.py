"""kg's ontology (TBox): complete, aligned, and loaded as OWL by an independent tool."""

from __future__ import annotations

import os
import shutil

import pytest
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import OWL

from kg.rdf import KG, ONTOLOGY_IRI, SCHEMA, ontology_graph, ontology_text, to_rdf
from kg.types import ENTITY_TYPES, Predicate

from .test_rdf import hostile_kg

ONT = ontology_graph()
KG_TERMS = sorted({s for s in ONT.subjects() if str(s).startswith(str(KG))})


def test_ontology_is_one_owl_ontology_without_blank_nodes():
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ONT
    assert not any(isinstance(t, BNode) for triple in ONT for t in triple)


@pytest.mark.parametrize("term", KG_TERMS, ids=[str(t).split("#")[1] for t in KG_TERMS])
def test_every_kg_term_has_label_comment_and_for_properties_domain_and_range(term):
    assert list(ONT.objects(term, RDFS.label)), "no rdfs:label"
    assert list(ONT.objects(term, RDFS.comment)), "no rdfs:comment"
    kinds = set(ONT.objects(term, RDF.type))
    assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, kinds
    if kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
        assert list(ONT.objects(term, RDFS.domain)), "no rdfs:domain"
        assert list(ONT.objects(term, RDFS.range)), "no rdfs:range"


@pytest.mark.parametrize("which", ["small", "hostile"])
def test_every_kg_term_the_data_uses_is_declared(small_kg, which):
    g = to_rdf(small_kg if which == "small" else hostile_kg())
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(KG))}
    assert used and used <= set(KG_TERMS), used - set(KG_TERMS)


def test_every_entity_type_and_predicate_is_in_the_ontology():
    for cls in ENTITY_TYPES:
        assert (KG[cls], RDF.type, OWL.Class) in ONT
    for p in Predicate:
        assert (KG[p.value], RDF.type, OWL.ObjectProperty) in ONT


@pytest.mark.parametrize("triple", [
    (KG.competitorOf, RDF.type, OWL.SymmetricProperty),
    (KG.partnerOf, RDF.type, OWL.SymmetricProperty),
    (KG.Company, RDFS.subClassOf, SCHEMA.Corporation),
    (KG.Company, RDFS.subClassOf, KG.Organization),
    (KG.Organization, RDFS.subClassOf, SCHEMA.Organization),
    (KG.Person, RDFS.subClassOf, SCHEMA.Person),
    (KG.Product, RDFS.subClassOf, SCHEMA.Product),
    (KG.Country, RDFS.subClassOf, SCHEMA.Country),
    (KG.Place, RDFS.subClassOf, SCHEMA.Place),
    (KG.Event, RDFS.subClassOf, SCHEMA.Event),
    (KG.worksFor, RDFS.subPropertyOf, SCHEMA.worksFor),
    (KG.subsidiaryOf, RDFS.subPropertyOf, SCHEMA.parentOrganization),
    (KG.Role, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")),
    (KG.Position, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Role")),
    (KG.hasProduct, OWL.inverseOf, KG.productOf),
    (KG.hasStance, OWL.inverseOf, KG.holder),
])
def test_alignment_and_property_characteristics(triple):
    assert triple in ONT


def test_data_imports_the_ontology(small_kg):
    g = to_rdf(small_kg)
    assert (URIRef("https://kg.example.org/id/"), OWL.imports, ONTOLOGY_IRI) in g


def test_ontology_text_is_what_the_package_ships():
    from importlib.resources import files

    assert ontology_text() == files("kg").joinpath("ontology.ttl").read_text(encoding="utf-8")
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("1.0")) in ONT


# ---------------------------------------------------------------------------- an independent OWL tool
def _need_owl_reasoner():
    """owlready2 (its own RDF parser, and the HermiT OWL reasoner in Java) or skip/fail."""
    missing = []
    try:
        import owlready2  # noqa: F401
    except ImportError:
        missing.append("owlready2 (pip install -e '.[test]')")
    if shutil.which("java") is None:
        missing.append("java (apt-get install default-jre-headless)")
    if missing:
        message = "OWL check needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _world_with(tmp_path, *graphs):
    import owlready2

    world = owlready2.World()
    for i, (iri, g) in enumerate(graphs):
        path = tmp_path / f"g{i}.nt"
        g.serialize(path, format="nt", encoding="utf-8")
        with open(path, "rb") as fh:
            world.get_ontology(iri).load(fileobj=fh, format="ntriples")
    return world


@pytest.mark.interop
def test_ontology_loads_as_owl_and_the_data_is_consistent(tmp_path, small_kg):
    """owlready2 parses the ontology and HermiT finds ontology + data consistent."""
    _need_owl_reasoner()
    import owlready2

    world = _world_with(tmp_path, (str(ONTOLOGY_IRI), ONT),
                        ("https://kg.example.org/id/", to_rdf(small_kg)))
    kg = world.get_namespace(str(KG))
    assert {c.name for c in world.classes()} >= set(ENTITY_TYPES) | {"Role", "Stance", "Document"}
    assert owlready2.SymmetricProperty in kg.competitorOf.is_a
    assert kg.Organization in kg.Company.is_a
    assert kg.worksFor.domain == [kg.Person] and kg.worksFor.range == [kg.Organization]
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    jane = world["https://kg.example.org/id/jane-doe"]
    assert kg.Agent in jane.INDIRECT_is_a  # inferred by the reasoner from the TBox


@pytest.mark.interop
def test_reasoner_rejects_data_that_breaks_the_ontology(tmp_path, small_kg):
    """The check above has teeth: a confidence that is not a decimal is inconsistent."""
    _need_owl_reasoner()
    import owlready2

    g = to_rdf(small_kg)
    st = next(g.subjects(RDF.predicate, KG.productOf))
    g.set((st, KG.confidence, Literal("high")))
    world = _world_with(tmp_path, (str(ONTOLOGY_IRI), ONT), ("https://kg.example.org/id/", g))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
