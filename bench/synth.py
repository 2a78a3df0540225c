"""A synthetic news corpus for benchmarks: sentence templates and made-up names.

Nothing here comes from real articles. Names are built from syllables, so no real
company or person is named; the same seed always gives the same corpus.

Examples:
    >>> docs = articles(3, seed=1)
    >>> len(docs), all(len(text.split()) > 50 for _, text in docs)
    (3, True)
    >>> articles(3, seed=1) == docs
    True
"""

from __future__ import annotations

import random
from pathlib import Path

SYLLABLES = ["var", "lo", "qui", "zen", "tor", "mal", "bri", "dex", "nor", "pha", "sel", "kan",
             "vo", "rin", "tas", "mer", "gul", "ost", "ely", "fen", "dra", "cul", "iso", "wen"]
FIRST = ["Tessa", "Omar", "Ines", "Juno", "Marek", "Sade", "Lior", "Anouk", "Kofi", "Yara",
         "Piet", "Noor", "Dario", "Elif", "Rune", "Mina", "Tavi", "Oskar", "Lena", "Ravi"]
SUFFIX = ["Corp", "Labs", "Systems", "Group", "Holdings", "Networks", "Robotics", "Bank"]
PLACES = ["Lisbon", "Perth", "Quito", "Accra", "Oslo", "Lyon", "Osaka", "Porto", "Tbilisi"]
PRODUCTS = ["Aster", "Nimbus", "Kestrel", "Orca", "Vela", "Lumen", "Quartz", "Sable"]

TEMPLATES = [
    "{company} said on {day} that it had hired {person} as chief executive.",
    "{person}, the chief executive of {company}, said the firm would open an office in {place}.",
    "{company} competes with {other} in the market for cloud software.",
    "{company} agreed to buy {other} for ${money} billion, according to people familiar with the deal.",
    "{person} founded {company} in {place} in {year} with two former colleagues.",
    "The {product} phone is made by {company}, which sold {money} million units last year.",
    "{other} and {company} announced a partnership to build data centres in {place}.",
    "Analysts at {other} said {company} could double its revenue by {year}.",
    "{person} believes that open-source software helps smaller companies compete.",
    "In an interview with {journalist}, {person} said regulation of artificial intelligence should be cautious.",
    "{company} invested ${money} million in {other}, a start-up based in {place}.",
    "Shares of {company} fell {money} percent on {day} after the results were published.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _world(rng: random.Random, companies: int = 400, people: int = 600):
    comps = sorted({f"{_name(rng)} {rng.choice(SUFFIX)}" for _ in range(companies)})
    persons = sorted({f"{rng.choice(FIRST)} {_name(rng)}" for _ in range(people)})
    return comps, persons


def articles(n: int, *, seed: int = 7, sentences: int = 14) -> list[tuple[str, str]]:
    """``n`` (file name, text) pairs of about ``sentences * 16`` words each."""
    rng = random.Random(seed)
    comps, persons = _world(rng)
    out = []
    for i in range(n):
        company, other = rng.sample(comps, 2)
        person, journalist = rng.sample(persons, 2)
        lines = []
        for _ in range(sentences):
            lines.append(rng.choice(TEMPLATES).format(
                company=company, other=other, person=person, journalist=journalist,
                place=rng.choice(PLACES), product=rng.choice(PRODUCTS), day=rng.choice(DAYS),
                money=rng.randint(2, 90), year=rng.randint(2001, 2030)))
            if rng.random() < 0.3:  # the story moves on to another company
                other = rng.choice(comps)
        out.append((f"article-{i:05d}.txt", " ".join(lines) + "\n"))
    return out


def write_corpus(folder: Path, n: int, **kwargs) -> list[Path]:
    """Write ``n`` synthetic articles into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in articles(n, **kwargs):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
