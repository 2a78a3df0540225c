"""Read articles from files and folders into :class:`~kg.types.Document` objects.

Text is decoded as UTF-8 (a leading byte-order mark is dropped); anything else is
refused with an :class:`~kg.errors.InputError` that names the file, because silently
replaced characters would corrupt names and evidence. Line endings are kept as they
are, so character offsets always point into the text as read.

Examples:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = p.write_text("Acme hired Jane Doe.", encoding="utf-8")
    >>> [d.text for d in read_documents([p])]
    ['Acme hired Jane Doe.']
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError
from .types import Document

__all__ = ["SUFFIXES", "read_documents", "read_document", "expand_inputs", "MAX_BYTES"]

SUFFIXES = (".txt", ".md")
MAX_BYTES = 50 * 1024 * 1024  # larger files are refused with the limit named


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Turn files and folders into a sorted, de-duplicated list of article files."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not found:
                raise InputError(
                    f"no articles in folder {str(path)!r}; expected files ending in "
                    + ", ".join(SUFFIXES)
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"{str(path)!r} is not a regular file or folder")
        else:
            raise InputError(f"no such file or folder: {str(path)!r}")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read one article file into a Document (title: the file name without suffix)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{str(p)!r} is {size / 1e6:.1f} MB; the limit is {MAX_BYTES // 2**20} MB per "
                "article: split it into smaller files"
            )
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{str(p)!r} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{str(p)!r} looks like a binary file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{str(p)!r} is not valid UTF-8 (byte {exc.start}); convert it, e.g. "
            "iconv -f latin1 -t utf-8"
        ) from None
    if not text.strip():
        raise InputError(f"{str(p)!r} is empty; an article needs some text")
    return Document.from_text(text, source=p.as_posix(), title=p.stem)


def read_documents(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document]:
    """Yield a Document for every article file named by ``paths`` (files or folders)."""
    for path in expand_inputs(paths):
        yield read_document(path)
