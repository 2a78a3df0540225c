"""A small knowledge base of well-known entities, read from ``data/kb.jsonl``.

Each line is one JSON object: ``name`` and ``type`` (a kg entity type), optional
``aliases`` (other names of the same thing), ``weak_aliases`` (names that are also
common words, so they only link a mention found by other means), ``demonyms``
(adjectives such as "Chinese" that point to a country), ``wikidata`` (a Q-id, given
only where it is certain) and ``weak`` (the name itself is ambiguous: never matched in
raw text, and a person-shaped mention keeps its person type).

Lookups go through :func:`normalize_name`, so "the U.S.", "Apple Inc." and
"Microsoft's" find their entries.

Examples:
    >>> kb = load_kb()
    >>> kb.lookup("the U.S.").name, kb.lookup("Apple Inc.").wikidata
    ('United States', 'Q312')
    >>> kb.lookup_demonym("South Korean").name
    'South Korea'
    >>> kb.lookup("Acme Widgets") is None
    True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from .errors import InputError
from .ids import slugify
from .types import EntityType

__all__ = ["CORPORATE_WORDS", "DEFAULT_KB", "KBEntry", "KnowledgeBase", "load_kb", "normalize_name"]

#: The knowledge base shipped with kg. ``kg/kb.jsonl`` is a link to ``data/kb.jsonl`` in the
#: source tree (the file people edit) and becomes a real file in an installed wheel.
DEFAULT_KB = Path(__file__).resolve().parent / "kb.jsonl"

#: Words after a company's short name that still name the company ("Acme Holdings").
CORPORATE_WORDS = frozenset(
    """electronics group holdings holding corporation corp inc technologies technology
    motor motors platforms systems labs international industries enterprises
    communications networks software ventures capital research partners studios energy
    power properties pharmaceuticals pharma bio biosciences biotech therapeutics health
    healthcare medical diagnostics media entertainment financial finance bank bancorp
    insurance resources foods brands airlines airways logistics robotics semiconductor
    semiconductors analytics solutions services materials chemicals mining petroleum oil
    gas utilities telecom automotive aerospace investments management advisors asset
    group""".split()
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|prof|sir)\.?\s+", re.I)
_SUFFIX = re.compile(
    r"[,\s]+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|ag|sa|nv|gmbh)\.?$",
    re.I,
)
_POSSESSIVE = re.compile(r"\w's$|s'$")
_POSSESSIVE_END = re.compile(r"'s?$")
_THE = re.compile(r"^the\s+", re.I)
_SPACES = re.compile(r"\s+")
_QID = re.compile(r"^Q[1-9][0-9]*$")


# Pure, and called for the same few names many times per document (each lookup, merge
# and comparison folds its names again).
@lru_cache(maxsize=1 << 16)
def normalize_name(text: str) -> str:
    """Fold a name for matching: case, quotes, "the", possessive, honorific, company suffix.

    Examples:
        >>> normalize_name("The Wall Street Journal’s")
        'wall street journal'
        >>> normalize_name("Mr. Zhang"), normalize_name("Acme, Inc.")
        ('zhang', 'acme')
        >>> normalize_name("U.S.")
        'u.s.'
    """
    s = text.translate(_QUOTES).strip().strip('"').strip()
    s = _POSSESSIVE_END.sub("", s) if _POSSESSIVE.search(s) else s
    s = _THE.sub("", s)
    s = _HONORIFIC.sub("", s)
    s = _SUFFIX.sub("", s)
    return _SPACES.sub(" ", s).strip(" ,;:").casefold()


@dataclass(frozen=True, slots=True)
class KBEntry:
    """One well-known entity."""

    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    wikidata: str | None = None
    weak: bool = False

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Names that may be matched in raw text (not weak, not demonyms)."""
        return () if self.weak else (self.name, *self.aliases)


class KnowledgeBase:
    """Entries indexed by normalised name, alias and demonym."""

    def __init__(self, entries: list[KBEntry]) -> None:
        self.entries = tuple(entries)
        self._names: dict[str, KBEntry] = {}
        self._demonyms: dict[str, KBEntry] = {}
        for e in self.entries:
            for n in (e.name, *e.aliases, *e.weak_aliases):
                # First entry wins: the file lists the more prominent sense first.
                self._names.setdefault(normalize_name(n), e)
            for d in e.demonyms:
                self._demonyms.setdefault(normalize_name(d), e)
        self._keys = list(self._names)
        self._ids = {e.id: e for e in self.entries}
        self._fuzzy: dict[tuple[str, float], KBEntry | None] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, name: str) -> KBEntry | None:
        """The entry called ``name`` (or with that alias), after normalisation."""
        return self._names.get(normalize_name(name))

    def by_id(self, entry_id: str) -> KBEntry | None:
        """The entry whose id (the slug of its name) is ``entry_id``."""
        return self._ids.get(entry_id)

    def lookup_demonym(self, word: str) -> KBEntry | None:
        """The country (or place) an adjective such as "Japanese" refers to."""
        return self._demonyms.get(normalize_name(word))

    def fuzzy(self, name: str, cutoff: float = 94.0) -> KBEntry | None:
        """Closest entry for a slightly misspelt name; short names must match exactly.

        Examples:
            >>> load_kb().fuzzy("Wikimedia Fundation").name
            'Wikimedia Foundation'
            >>> load_kb().fuzzy("Gogle") is None
            True
        """
        key = normalize_name(name)
        if key in self._names:
            return self._names[key]
        if len(key) < 8:
            return None
        # the entries never change: each name is scored against all keys only once
        cache = self._fuzzy
        if (key, cutoff) not in cache:
            hit = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=cutoff)
            cache[key, cutoff] = self._names[hit[0]] if hit else None
        return cache[key, cutoff]


def _entry(record: object, where: str) -> KBEntry:
    if not isinstance(record, dict) or not isinstance(record.get("name"), str):
        raise InputError(f"{where}: each line must be a JSON object with a 'name' string")
    try:
        etype = EntityType(record.get("type"))
    except ValueError:
        raise InputError(
            f"{where}: unknown type {record.get('type')!r}; choose one of: "
            + ", ".join(t.value for t in EntityType)
        ) from None
    qid = record.get("wikidata")
    if qid is not None and not (isinstance(qid, str) and _QID.match(qid)):
        raise InputError(f"{where}: wikidata must look like 'Q42', got {qid!r}")

    def strings(key: str) -> tuple[str, ...]:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{where}: {key!r} must be a list of strings")
        return tuple(value)

    return KBEntry(
        id=slugify(record["name"]),
        name=record["name"],
        type=etype,
        aliases=strings("aliases"),
        weak_aliases=strings("weak_aliases"),
        demonyms=strings("demonyms"),
        wikidata=qid,
        weak=bool(record.get("weak", False)),
    )


@lru_cache(maxsize=4)
def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Read a knowledge base (JSON Lines); cached per path.

    Args:
        path: the file to read; ``None`` reads :data:`DEFAULT_KB`.

    Raises:
        InputError: the file is missing or a line is not a valid entry (the line is named).
    """
    p = Path(path) if path is not None else DEFAULT_KB
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read knowledge base {str(p)!r}: {exc.strerror}") from None
    entries = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}:{n}: not valid JSON ({exc.msg})") from None
        entries.append(_entry(record, f"{p}:{n}"))
    return KnowledgeBase(entries)
