"""kg.speedups: the look-up matcher gives exactly what spaCy's attribute ruler matches."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from spacy.lookups import Lookups  # noqa: E402
from spacy.pipeline import AttributeRuler  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from kg.speedups import LemmaCache, RuleApplier, RuleMatcher, speed_up  # noqa: E402

#: One rule per kind of test the look-up reads, in an order where later rules
#: override earlier ones on the same token.
RULES = [
    ([[{"TAG": "NN"}]], {"POS": "NOUN"}, 0),
    ([[{"TAG": "VBZ", "LOWER": {"IN": ["is", "'s"]}}]], {"LEMMA": "be", "POS": "AUX"}, 0),
    ([[{"TAG": {"NOT_IN": ["DT", ""]}, "DEP": {"IN": ["nsubj", "dobj"]}}]],
     {"MORPH": "Case=Nom"}, 0),
    ([[{"LOWER": {"REGEX": "^n[ou]thin'?$"}}]], {"LEMMA": "nothing"}, 0),
    ([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "go"}, 0),
    ([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "to"}, -1),
    ([[{"TEXT": "Acme"}], [{"ORTH": "ACME"}]], {"POS": "PROPN"}, 0),
    ([[{"IS_SPACE": True}]], {"TAG": "_SP", "POS": "SPACE"}, 0),
    ([[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "are"]}}]], {"POS": "VERB"}, 1),
    ([[{}]], {"MORPH": "Any=Yes"}, 0),
    ([[{"TAG": "NN"}]], {"POS": "X"}, 0),
    # a quantifier: not for the look-up, spaCy's Matcher keeps it
    ([[{"LOWER": "very", "OP": "+"}, {"TAG": "JJ"}]], {"LEMMA": "much"}, -1),
]

# "gon" before "buy" and "there" (expl) before "na" start a two-token pattern that fails
WORDS = ["there", "is", "nothin'", "Acme", "is", "gon", "na", "buy", "ACME", "very", "very",
         "big", "\n", "acme", "gon", "buy", "there", "na", "gon"]
TAGS = ["EX", "VBZ", "NN", "NNP", "VBZ", "VBG", "TO", "VB", "NNP", "RB", "RB", "JJ", "_SP",
        "NNP", "VBG", "VB", "EX", "DT", "NN"]
DEPS = ["expl", "ROOT", "nsubj", "nsubj", "aux", "ROOT", "aux", "xcomp", "dobj", "advmod",
        "advmod", "amod", "dep", "dobj", "dep", "dep", "expl", "det", ""]
HEADS = [1, 1, 1, 5, 5, 5, 7, 5, 7, 11, 11, 8, 11, 7, 7, 7, 7, 18, 18]


def make_ruler(rules=RULES):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    for patterns, attrs, index in rules:
        ruler.add(patterns, attrs, index=index)
    return nlp, ruler


def make_doc(vocab, deps=DEPS):
    return Doc(vocab, words=WORDS, tags=TAGS, deps=deps, heads=HEADS)


def annotations(doc):
    return [(t.pos_, t.tag_, t.dep_, t.lemma_, str(t.morph)) for t in doc]


def test_matches_are_the_attribute_rulers():
    _, ruler = make_ruler()
    doc = make_doc(ruler.vocab)
    stock = AttributeRuler.match(ruler, doc)
    fast = RuleMatcher(ruler)
    assert fast(doc) == stock
    assert fast(doc) == stock  # again, from the look-up's cache
    assert {rule for rule, *_ in stock} == set(range(len(RULES)))  # the text reaches every rule
    # the quantified pattern went to spaCy's Matcher, the others to the look-up
    assert len(fast.rest) == 1


@pytest.mark.parametrize("deps", [DEPS, ["dep"] * len(WORDS)])
def test_a_sped_up_ruler_annotates_as_spacys(deps):
    stock_nlp, stock = make_ruler()
    fast_nlp, fast = make_ruler()
    assert speed_up(fast_nlp) == ["attribute_ruler"]
    assert isinstance(fast.set_annotations, RuleApplier)
    stock_doc = stock(make_doc(stock_nlp.vocab, deps))
    fast_doc = fast(make_doc(fast_nlp.vocab, deps))
    assert annotations(fast_doc) == annotations(stock_doc)
    # the later rule wins on the same token, as in spaCy's ruler
    assert fast_doc[2].pos_ == "X" and fast_doc[5].lemma_ == "go" and fast_doc[6].lemma_ == "to"


def test_speed_up_is_idempotent_and_needs_a_ruler():
    nlp, ruler = make_ruler()
    assert speed_up(nlp) == ["attribute_ruler"]
    first = ruler.match
    assert isinstance(first, RuleMatcher)
    assert speed_up(nlp) == ["attribute_ruler"] and ruler.match is first
    assert speed_up(spacy.blank("en")) == []


def test_a_ruler_that_sets_lexeme_attributes_keeps_spacys_order_of_writes():
    rules = [([[{"LOWER": "acme"}]], {"NORM": "acme inc"}, 0),
             ([[{"TAG": "NNP"}]], {"NORM": "x"}, 0), *RULES[:3]]
    stock_nlp, stock = make_ruler(rules)
    fast_nlp, fast = make_ruler(rules)
    speed_up(fast_nlp)
    assert isinstance(fast.match, RuleMatcher) and "set_annotations" not in vars(fast)
    stock_doc, fast_doc = stock(make_doc(stock_nlp.vocab)), fast(make_doc(fast_nlp.vocab))
    assert [t.norm_ for t in fast_doc] == [t.norm_ for t in stock_doc]
    assert annotations(fast_doc) == annotations(stock_doc)


def test_a_bad_index_fails_as_in_spacy():
    nlp, ruler = make_ruler([([[{"LOWER": "acme"}]], {"POS": "PROPN"}, 3)])
    speed_up(nlp)
    with pytest.raises(ValueError, match="E1001"):
        ruler(make_doc(nlp.vocab))


def test_a_ruler_without_patterns_matches_nothing():
    nlp, ruler = make_ruler([])
    speed_up(nlp)
    doc = ruler(make_doc(nlp.vocab))
    assert ruler.match(doc) == [] and doc[0].pos_ == ""


def rule_lemmatizer(nlp):
    lookups = Lookups()
    lookups.add_table("lemma_rules", {"noun": [["s", ""]], "verb": [["ing", ""], ["ed", ""]]})
    lookups.add_table("lemma_index", {"noun": ["walk", "cat"], "verb": ["walk"]})
    lookups.add_table("lemma_exc", {"verb": {"went": ["go"]}})
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    lemmatizer.initialize(lookups=lookups)
    return lemmatizer


# the same word under another POS or morphology is lemmatized again
LEMMA_WORDS = ["cats", "walks", "walks", "walking", "walking", "went", "Cats", "cats", "walked"]
LEMMA_POS = ["NOUN", "NOUN", "VERB", "VERB", "VERB", "VERB", "PROPN", "NOUN", "VERB"]
LEMMA_MORPHS = ["Number=Plur", "Number=Plur", "", "", "VerbForm=Inf", "", "", "Number=Plur", ""]


def test_cached_lemmas_are_the_lemmatizers():
    stock_nlp, fast_nlp = spacy.blank("en"), spacy.blank("en")
    stock, fast = rule_lemmatizer(stock_nlp), rule_lemmatizer(fast_nlp)
    assert speed_up(fast_nlp) == ["lemmatizer"]
    calls = []
    inner = fast.lemmatize.lemmatize
    fast.lemmatize.lemmatize = lambda token: calls.append(token.i) or inner(token)

    def lemmas(nlp, component):
        doc = Doc(nlp.vocab, words=LEMMA_WORDS, pos=LEMMA_POS, morphs=LEMMA_MORPHS)
        return [t.lemma_ for t in component(doc)]

    assert lemmas(fast_nlp, fast) == lemmas(stock_nlp, stock)
    assert lemmas(fast_nlp, fast)[:6] == ["cat", "walk", "walks", "walk", "walking", "go"]
    assert calls == [0, 1, 2, 3, 4, 5, 6, 8]  # "cats" as a plural noun came from the cache


def test_only_spacys_own_lemmatizers_are_cached():
    nlp = spacy.blank("en")
    lemmatizer = rule_lemmatizer(nlp)
    lemmatizer.lemmatize = lambda token: [token.tag_]  # reads more than word, POS, morphology
    assert speed_up(nlp) == [] and not isinstance(lemmatizer.lemmatize, LemmaCache)


TRICKY = [
    "There's nothin' we ain't gonna do, y'all. Let's go, c'mon!",
    "They gave it to me and I told you: it is what it is.\n\nAcme Corp. hires   a CEO.",
    "Do you have it? We did, and that is why those were sold; whether or not they'd come.",
    "He gets paid. She got ta leave because of the rain, tho it wasn't raining.",
]


def test_the_models_components_annotate_as_spacys(nlp, monkeypatch):
    """The trained pipeline's own rules and lemmatizer, on text that reaches rare rules."""
    ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    # load_nlp sped both up
    assert isinstance(ruler.match, RuleMatcher) and isinstance(ruler.set_annotations, RuleApplier)
    assert isinstance(lemmatizer.lemmatize, LemmaCache)
    fast = [annotations(doc) for doc in nlp.pipe(TRICKY * 2)]
    with monkeypatch.context() as patch:
        patch.delattr(ruler, "match")
        patch.delattr(ruler, "set_annotations")
        patch.setattr(lemmatizer, "lemmatize", lemmatizer.lemmatize.lemmatize)
        stock = [annotations(doc) for doc in nlp.pipe(TRICKY * 2)]
    assert fast == stock
    before = nlp.pipe_names[:nlp.pipe_names.index("attribute_ruler")]
    with nlp.select_pipes(enable=before):
        for doc in nlp.pipe(TRICKY):
            matches = AttributeRuler.match(ruler, doc)
            assert ruler.match(doc) == matches
            assert len(matches) >= len(doc)  # every token has a tag rule at least
