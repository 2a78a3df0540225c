"""Read articles from files and folders into :class:`~kg.types.Document` objects.

Supported inputs (a folder is searched recursively for these suffixes; hidden files
and folders are skipped; a file named explicitly is read as plain text whatever its
suffix, unless it is HTML or JSON Lines):

- ``.txt``, ``.md``: the text as it is (a Markdown file's first ``# heading`` is its title);
- ``.html``, ``.htm``: the main text, extracted with trafilatura (scripts, styles,
  navigation, headers and footers dropped), with the page's title, date, URL and author;
- ``.jsonl``: one article per line, a JSON object with ``text`` and optional ``title``,
  ``date``, ``url``, ``id`` (kept in ``Document.meta``); the file is streamed, so it may
  hold a whole corpus.

Text is decoded as UTF-8 (a leading byte-order mark is dropped; a UTF-16 file with a
byte-order mark is decoded too; an HTML page may declare another charset). Invalid
UTF-8 is refused with an :class:`~kg.errors.InputError` naming the file and byte,
because replaced characters would silently corrupt names and evidence. Line endings
are kept as they are, so character offsets always point into the text as read.

Examples:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = p.write_text("Acme hired Jane Doe.", encoding="utf-8")
    >>> [d.text for d in read_documents([p])]
    ['Acme hired Jane Doe.']
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import InputError
from .types import Document

__all__ = [
    "SUFFIXES", "MAX_BYTES", "JSONL_FIELDS", "read_documents", "read_document",
    "read_jsonl", "expand_inputs", "html_to_text",
]

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
#: One article (a file, or a line of a .jsonl file) may be at most this big. A .jsonl
#: file as a whole has no limit: it is read line by line.
MAX_BYTES = 10 * 1024 * 1024
#: Optional fields of a .jsonl line besides ``text``.
JSONL_FIELDS = ("title", "date", "url", "id")

_HTML = (".html", ".htm")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_MD_TITLE = re.compile(r"\A\s*#[ \t]+(.+?)[ \t#]*(?:\r?\n|\Z)")
_CONVERT = "convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)"


def _q(path: Path | str) -> str:
    return repr(Path(path).as_posix())


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _walk(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):  # symlinked folders not followed
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            p = Path(dirpath) / name
            if p.suffix.lower() in SUFFIXES and not _hidden(p, folder) and p.is_file():
                found.append(p)
    return sorted(found)


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Turn files and folders into a sorted, de-duplicated list of article files.

    Raises:
        InputError: a path does not exist, or a folder holds no supported file.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _walk(path)
            if not found:
                raise InputError(
                    f"no articles in folder {_q(path)}; expected files ending in "
                    + ", ".join(SUFFIXES)
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"{_q(path)} is not a regular file or folder")
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


# ---------------------------------------------------------------------------- decoding
def _declared_charset(data: bytes) -> str | None:
    m = _CHARSET.search(data[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _decode(data: bytes, where: str, *, html: bool = False) -> str:
    """Decode article bytes; refuse binary data and invalid UTF-8 with a clear message."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(
        codecs.BOM_UTF32_LE
    ):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{where} starts like UTF-16 but is not valid UTF-16; "
                             + _CONVERT) from None
    else:
        if b"\x00" in data:
            raise InputError(
                f"{where} looks like a binary file (it contains NUL bytes); kg reads UTF-8 "
                "text (.txt, .md), HTML and JSON Lines"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            charset = _declared_charset(data) if html else None
            if charset is None or charset == "utf-8":
                raise InputError(
                    f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start}); {_CONVERT}"
                ) from None
            try:
                text = data.decode(charset)
            except UnicodeDecodeError:
                raise InputError(f"{where} is not valid {charset} as its <meta charset> "
                                 "declares; " + _CONVERT) from None
    if "\x00" in text:
        raise InputError(f"{where} contains NUL characters; kg reads text, not binary data")
    return text


def _read_bytes(p: Path) -> bytes:
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{_q(p)} is {size / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB per "
                "article: split it into smaller files or one article per line of a .jsonl file"
            )
        return p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{_q(p)} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {_q(p)}: {exc.strerror or exc}") from None


def _empty(where: str) -> InputError:
    return InputError(f"{where} is empty; an article needs some text")


# ---------------------------------------------------------------------------- HTML
_HAS_BODY = re.compile(r"<(html|body)\b", re.I)
#: Page furniture trafilatura is told to drop before it looks for the main text (a
#: page-level <header>, not an article's own).
_BOILERPLATE = [
    "//nav", "//footer", "//aside", "//noscript", "//form",
    "//header[not(ancestor::article) and not(ancestor::main)]",
    "//*[@role='navigation' or @role='banner' or @role='contentinfo']",
]


def _paragraphs(text: str) -> str:
    lines = (line.strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Return the main text of an HTML page and its metadata (title, date, url, author).

    Boilerplate (scripts, styles, navigation, headers, footers, comments) is dropped
    by trafilatura; paragraphs are separated by blank lines so that sentences never run
    across them. Runs offline.

    Examples:
        >>> text, meta = html_to_text(
        ...     "<html><head><title>Deal</title><script>alert(1)</script></head><body>"
        ...     "<nav>Home | About</nav><p>Acme bought Globex.</p></body></html>")
        >>> text, meta["title"]
        ('Acme bought Globex.', 'Deal')
    """
    import trafilatura

    if not _HAS_BODY.search(html[:65536]):
        html = f"<html><body>{html}</body></html>"  # trafilatura drops bare fragments
    try:
        result = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, favor_recall=True,
            prune_xpath=_BOILERPLATE,
            # no guessing dates from the text, and no "today" in the result: same
            # page, same output, whatever the day
            date_extraction_params={"original_date": True, "extensive_search": False,
                                    "max_date": "2999-12-31"},
        )
        if result is None:  # nothing looked like an article: take all visible text
            return _paragraphs(trafilatura.html2txt(html)), {}
    except Exception as exc:  # noqa: BLE001  (a third-party parser on hostile input)
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = _paragraphs(data.get("text") or "")
    meta = {k: str(data[k]).strip() for k in ("title", "date", "url", "author")
            if data.get(k) and str(data[k]).strip()}
    return text, meta


# ---------------------------------------------------------------------------- files
def read_document(path: str | os.PathLike[str]) -> Document:
    """Read one article file (text, Markdown or HTML) into a Document.

    The title is the HTML page's title, a Markdown file's first heading, else the
    file name without suffix.

    Raises:
        InputError: the file is missing, too big, binary, not UTF-8, or has no text.
    """
    p = Path(path)
    where = _q(p)
    is_html = p.suffix.lower() in _HTML
    text = _decode(_read_bytes(p), where, html=is_html)
    if not text.strip():
        raise _empty(where)
    title: str | None = p.stem
    meta: dict[str, str] = {}
    if is_html:
        try:
            text, meta = html_to_text(text)
        except ValueError as exc:
            raise InputError(f"cannot extract text from {where}: {exc}") from None
        if not text.strip():
            raise InputError(
                f"{where} has no article text once scripts, styles and navigation are "
                "removed; give the page's main text as .txt instead"
            )
        title = meta.pop("title", None) or title
    elif p.suffix.lower() == ".md":
        m = _MD_TITLE.match(text)
        if m:
            title = m.group(1)
    return Document.from_text(text, source=p.as_posix(), title=title, **meta)


def _field(obj: dict, key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"{where}: {key!r} must be a string, got {type(value).__name__}")
    return str(value)


def _jsonl_document(raw: bytes, where: str, source: str) -> Document | None:
    """One line of a .jsonl file -> Document (None for a blank line)."""
    line = _decode(raw, where)
    if not line.strip():
        return None
    hint = 'each line must be one JSON object with a "text" field'
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); {hint}"
                         ) from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply; {hint}") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}; {hint}")
    if "text" not in obj:
        raise InputError(f'{where}: no "text" field; {hint}')
    text = obj["text"]
    if not isinstance(text, str):
        raise InputError(f'{where}: "text" must be a string, got {type(text).__name__}')
    fields = {k: _field(obj, k, where) for k in JSONL_FIELDS}
    for key, value in [("text", text), *fields.items()]:
        if value is None:
            continue
        if "\x00" in value:
            raise InputError(f'{where}: "{key}" contains a NUL character (\\u0000); remove it')
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f'{where}: "{key}" contains a lone surrogate (\\u{ord(value[exc.start]):04x}), '
                "which is not a character; fix the producer of this file"
            ) from None
    if not text.strip():
        raise InputError(f'{where}: "text" is empty; an article needs some text')
    title = fields.pop("title")
    return Document.from_text(text, source=source, title=title, **fields)


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[Document | InputError]:
    """Stream a JSON Lines corpus: a Document per line, or the InputError of a bad line.

    Errors are yielded, not raised, so one bad line does not end the file; blank
    lines are skipped. The source of each document is ``PATH#line=N``.
    """
    p = Path(path)
    try:
        fh = p.open("rb")
    except OSError as exc:
        yield InputError(f"cannot read {_q(p)}: {exc.strerror or exc}")
        return
    with fh:
        n = 0
        while True:
            try:
                raw = fh.readline(MAX_BYTES + 1)
            except OSError as exc:
                yield InputError(f"cannot read {_q(p)}: {exc.strerror or exc}")
                return
            if not raw:
                return
            n += 1
            where = f"{_q(p)} line {n}"
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass  # skip the rest of the oversized line
                yield InputError(f"{where} is longer than the limit of {MAX_BYTES // 2**20} MB "
                                 "per article; split the article")
                continue
            try:
                doc = _jsonl_document(raw, where, f"{p.as_posix()}#line={n}")
            except InputError as exc:
                yield exc
                continue
            if doc is not None:
                yield doc


def _items(files: list[Path]) -> Iterator[Document | InputError]:
    for f in files:
        if f.suffix.lower() == ".jsonl":
            yield from read_jsonl(f)
            continue
        try:
            yield read_document(f)
        except InputError as exc:
            yield exc


def read_documents(
    paths: Iterable[str | os.PathLike[str]],
    *,
    strict: bool = True,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Document]:
    """Yield a Document for every article named by ``paths`` (files or folders).

    Args:
        paths: files and folders.
        strict: the first bad article raises its InputError. With ``strict=False`` a bad
            article is reported through ``warn`` and skipped; only when *no* article can
            be read is it an error (the article's own error when there was just one).
        warn: receives one line per skipped article or duplicate.

    Raises:
        InputError: a path is missing, a folder holds no article, an article is bad
            (``strict``), or nothing could be read.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("Acme hired Jane Doe.")
        >>> _ = (d / "b.txt").write_text("   ")
        >>> [x.title for x in read_documents([d], strict=False, warn=print)]
        Warning: skipped: '.../b.txt' is empty; an article needs some text
        ['a']
    """
    files = expand_inputs(paths)
    say = warn or (lambda message: None)
    pending: list[InputError] = []  # held until an article succeeds (see below)
    seen: dict[str, str] = {}
    ok = 0
    for item in _items(files):
        if isinstance(item, InputError):
            if strict:
                raise item
            if ok:
                say(f"Warning: skipped: {item}")
            else:
                pending.append(item)
            continue
        if item.id in seen:
            say(f"Warning: skipped: {item.source!r} has the same text as {seen[item.id]!r}")
            continue
        seen[item.id] = item.source
        if pending:
            for err in pending:
                say(f"Warning: skipped: {err}")
            pending.clear()
        ok += 1
        yield item
    if not ok:
        if not pending:  # only .jsonl files with nothing but blank lines
            raise InputError(
                "no articles in " + ", ".join(_q(f) for f in files)
                + '; a .jsonl file needs one JSON object with a "text" field per line'
            )
        # A single bad article is reported as the error itself, not as a warning too.
        if len(pending) == 1:
            raise pending[0]
        for err in pending:
            say(f"Warning: skipped: {err}")
        raise InputError(
            f"none of the {len(pending)} articles could be read (see the warnings above); "
            "fix or remove them"
        )
