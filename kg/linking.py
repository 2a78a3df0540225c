"""Group mentions into entities: one :class:`~kg.types.Entity` per real thing."""

from __future__ import annotations

from collections import Counter, defaultdict

from .ids import slugify
from .types import Document, Entity, Mention

__all__ = ["link_mentions"]


def link_mentions(mentions: list[Mention], document: Document) -> list[Entity]:
    """Merge mentions with the same name (surnames join the full name) into entities."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    full_names = sorted({m.text for m in mentions if " " in m.text}, key=len, reverse=True)
    for m in mentions:
        name = m.text
        if " " not in name:
            name = next((f for f in full_names if f.split()[-1] == name), name)
        groups[name].append(m)
    entities = []
    for name, ms in groups.items():
        label = Counter(m.label for m in ms).most_common(1)[0][0]
        aliases = frozenset(m.text for m in ms if m.text != name)
        entities.append(Entity(slugify(name), name, label, aliases, tuple(ms)))
    return sorted(entities, key=lambda e: e.id)
