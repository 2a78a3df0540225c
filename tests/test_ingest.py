"""Reading articles: formats, metadata, encodings and every bad file (no spaCy)."""

from __future__ import annotations

import codecs
import json
import os

import pytest

from kg import ingest
from kg.errors import InputError
from kg.ingest import expand_inputs, html_to_text, read_document, read_documents, read_jsonl
from kg.types import Document

ARTICLE = "Acme hired Jane Doe as chief executive.\nShe moved to Paris.\n"

PAGE = """<!doctype html><html><head><title>Acme hires a chief | Daily</title>
<meta name="date" content="2024-05-01"><link rel="canonical" href="https://news.example/acme">
<style>p { color: red }</style><script>var x = "<p>Script text</p>"; alert('x');</script>
</head><body><nav><a href="/">Home</a> <a href="/world">World news</a></nav>
<header><a href="/">Daily</a> Subscribe today</header>
<main><article><h1>Acme hires a chief</h1>
<p>Acme Inc. said on Monday that Jane Doe will become its chief executive next month.</p>
<script>document.write("Injected by script")</script>
<p>Doe previously ran the consumer business of Globex Corporation in Springfield.</p>
</article></main><aside>Most read: other stories</aside>
<footer>Copyright Daily. All rights reserved.</footer></body></html>"""


def write(path, data: bytes | str):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------- good files
@pytest.mark.parametrize("name, data, text", [
    ("plain.txt", ARTICLE, ARTICLE),
    ("bom.txt", codecs.BOM_UTF8 + ARTICLE.encode(), ARTICLE),
    ("crlf.txt", ARTICLE.replace("\n", "\r\n"), ARTICLE.replace("\n", "\r\n")),
    ("utf16.txt", ARTICLE.encode("utf-16"), ARTICLE),
    ("utf16be.txt", codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"), ARTICLE),
    ("notes.md", "# Acme news\n\n" + ARTICLE, "# Acme news\n\n" + ARTICLE),
    ("no-suffix", ARTICLE, ARTICLE),
])
def test_text_files_are_read_as_is(tmp_path, name, data, text):
    doc = read_document(write(tmp_path / name, data))
    assert doc.text == text  # offsets point into exactly this
    assert doc.source == (tmp_path / name).as_posix()


def test_markdown_title_is_its_first_heading(tmp_path):
    doc = read_document(write(tmp_path / "n.md", "# Acme news\n\nAcme hired Jane Doe."))
    assert doc.title == "Acme news"
    assert read_document(write(tmp_path / "m.md", "Acme hired Jane Doe.")).title == "m"


def test_html_main_text_title_and_metadata(tmp_path):
    doc = read_document(write(tmp_path / "page.html", PAGE))
    assert "Jane Doe will become its chief executive" in doc.text
    assert "Globex Corporation in Springfield" in doc.text
    for junk in ("Script text", "alert", "color: red", "Injected by script", "World news",
                 "Subscribe today", "All rights reserved", "Most read"):
        assert junk not in doc.text, junk
    assert doc.title == "Acme hires a chief"
    meta = dict(doc.meta)
    assert meta["date"] == "2024-05-01"
    assert meta["url"] == "https://news.example/acme"
    # paragraphs are separated by a blank line so that sentences never run across them
    assert "next month.\n\nDoe previously" in doc.text


@pytest.mark.parametrize("html, text", [
    ("<p>Ben &amp; Jerry&#39;s said &lt;script&gt; &quot;hi&quot;</p>",
     "Ben & Jerry's said <script> \"hi\""),
    ("Acme hired Jane Doe.", "Acme hired Jane Doe."),
    ("<html><body><p>Acme <b>bought</p> Globex <div><p>unclosed", "Acme bought"),
])
def test_html_fragments_and_broken_markup(html, text):
    got, _ = html_to_text(html)
    assert got.startswith(text)


def test_html_declared_charset_is_honoured(tmp_path):
    page = "<html><head><meta charset='windows-1252'></head><body><p>Café Müller opened in Köln.</p></body></html>"
    doc = read_document(write(tmp_path / "old.htm", page.encode("cp1252")))
    assert doc.text == "Café Müller opened in Köln."


def test_html_output_is_the_same_every_time(tmp_path):
    p = write(tmp_path / "page.html", PAGE)
    assert read_document(p) == read_document(p)


def test_jsonl_documents_keep_their_metadata(tmp_path):
    lines = [
        {"text": "Acme hired Jane Doe.", "title": "Hire", "date": "2024-05-01",
         "url": "https://news.example/1", "id": "a-1", "ignored": [1]},
        {"text": "Globex makes the Widget phone.", "id": 7},
    ]
    p = write(tmp_path / "c.jsonl", "\r\n".join(json.dumps(x) for x in lines) + "\r\n\r\n")
    docs = list(read_jsonl(p))
    assert all(isinstance(d, Document) for d in docs)
    assert [d.text for d in docs] == ["Acme hired Jane Doe.", "Globex makes the Widget phone."]
    assert docs[0].title == "Hire"
    assert dict(docs[0].meta) == {"date": "2024-05-01", "url": "https://news.example/1", "id": "a-1"}
    assert dict(docs[1].meta) == {"id": "7"} and docs[1].title is None
    assert [d.source for d in docs] == [f"{p.as_posix()}#line=1", f"{p.as_posix()}#line=2"]


def test_jsonl_with_bom(tmp_path):
    p = write(tmp_path / "c.jsonl", codecs.BOM_UTF8 + b'{"text": "Acme hired Jane Doe."}\n')
    assert [d.text for d in read_jsonl(p)] == ["Acme hired Jane Doe."]


@pytest.mark.parametrize("line, error", [
    (b"not json", 'line 1: not valid JSON (Expecting value at column 1); each line must be '
                  'one JSON object with a "text" field'),
    (b"[1, 2]", 'line 1: expected a JSON object, got list; each line must be one JSON object '
                'with a "text" field'),
    (b'{"title": "x"}', 'line 1: no "text" field; each line must be one JSON object with a '
                        '"text" field'),
    (b'{"text": 5}', 'line 1: "text" must be a string, got int'),
    (b'{"text": "  \\n "}', 'line 1: "text" is empty; an article needs some text'),
    (b'{"text": "a", "title": {"x": 1}}', "line 1: 'title' must be a string, got dict"),
    (b'{"text": "a\\u0000b"}', 'line 1: "text" contains a NUL character (\\u0000); remove it'),
    (b'{"text": "a\\ud800b"}', 'line 1: "text" contains a lone surrogate (\\ud800), which is '
                               "not a character; fix the producer of this file"),
    (b'{"text": "caf\xe9"}', "line 1 is not valid UTF-8 (byte 0xe9 at offset 13); convert it "
                             "to UTF-8 (e.g. iconv -f latin1 -t utf-8)"),
    (b"[" * 100_000, "line 1: JSON nested too deeply; each line must be one JSON object with a "
                     '"text" field'),
])
def test_bad_jsonl_line_names_file_and_line(tmp_path, line, error):
    p = write(tmp_path / "c.jsonl", line + b"\n")
    (item,) = list(read_jsonl(p))
    assert isinstance(item, InputError)
    assert str(item) == f"{p.as_posix()!r} {error}"


def test_one_bad_jsonl_line_does_not_end_the_file(tmp_path):
    p = write(tmp_path / "c.jsonl", b'{"text": "One."}\nnot json\n{"text": "Three."}\n')
    items = list(read_jsonl(p))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "Document"]
    assert "line 2:" in str(items[1])


def test_oversized_jsonl_line_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_BYTES", 100)
    big = json.dumps({"text": "word " * 100}).encode()
    p = write(tmp_path / "c.jsonl", big + b"\n" + b'{"text": "Small."}\n')
    items = list(read_jsonl(p))
    assert str(items[0]) == (f"{p.as_posix()!r} line 1 is longer than the limit of 0 MB per "
                             "article; split the article")
    assert items[1].text == "Small."


# ------------------------------------------------------------------- bad files
@pytest.mark.parametrize("name, data, error", [
    ("empty.txt", b"", "is empty; an article needs some text"),
    ("blank.txt", b"  \r\n\t\n", "is empty; an article needs some text"),
    ("bom-only.txt", codecs.BOM_UTF8, "is empty; an article needs some text"),
    ("binary.txt", bytes(range(256)) * 4,
     "looks like a binary file (it contains NUL bytes); kg reads UTF-8 text (.txt, .md), "
     "HTML and JSON Lines"),
    ("latin1.txt", "Café Müller".encode("latin-1"),
     "is not valid UTF-8 (byte 0xe9 at offset 3); convert it to UTF-8 (e.g. iconv -f latin1 "
     "-t utf-8)"),
    ("utf32.txt", "Acme".encode("utf-32"),
     "looks like a binary file (it contains NUL bytes); kg reads UTF-8 text (.txt, .md), "
     "HTML and JSON Lines"),
    ("nul16.txt", "Acme\x00Corp".encode("utf-16"),
     "contains NUL characters; kg reads text, not binary data"),
    ("scripts.html", b"<html><head><script>alert(1)</script></head><body>"
                     + b"<script>var a = '<p>x</p>';</script>" * 50 + b"<style>p{}</style></body></html>",
     "has no article text once scripts, styles and navigation are removed; give the page's "
     "main text as .txt instead"),
])
def test_bad_file_is_refused_with_its_name(tmp_path, name, data, error):
    p = write(tmp_path / name, data)
    with pytest.raises(InputError) as info:
        read_document(p)
    assert str(info.value) == f"{p.as_posix()!r} {error}"


def test_file_over_the_limit_is_refused_with_the_limit_named(tmp_path):
    p = tmp_path / "huge.txt"
    with p.open("wb") as fh:  # a sparse 50 MB file: nothing is read before the size check
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError) as info:
        read_document(p)
    assert str(info.value) == (
        f"{p.as_posix()!r} is 50.0 MB; the limit is 10 MB per article: split it into smaller "
        "files or one article per line of a .jsonl file"
    )


def test_unreadable_file(tmp_path):
    p = write(tmp_path / "secret.txt", ARTICLE)
    os.chmod(p, 0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        with pytest.raises(InputError, match="cannot read .*secret.txt.*Permission denied"):
            read_document(p)
    finally:
        os.chmod(p, 0o644)


# ------------------------------------------------------------------- folders
def test_folder_is_searched_recursively_skipping_hidden_and_unsupported(tmp_path):
    for name in ("b.txt", "a.md", "sub/c.html", "sub/d.jsonl", "e.pdf", ".hidden.txt",
                 ".git/x.txt", "sub/.cache/y.txt", "f.TXT"):
        write(tmp_path / name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_inputs([tmp_path])]
    assert found == ["a.md", "b.txt", "f.TXT", "sub/c.html", "sub/d.jsonl"]
    # the same file twice is read once
    assert len(expand_inputs([tmp_path / "b.txt", tmp_path, tmp_path / "b.txt"])) == 5


@pytest.mark.parametrize("setup, error", [
    (lambda d: None, "no such file or folder: '{d}/nope'"),
    (lambda d: write(d / "nope" / "x.pdf", "x"),
     "no articles in folder '{d}/nope'; expected files ending in .txt, .md, .html, .htm, .jsonl"),
])
def test_bad_paths(tmp_path, setup, error):
    setup(tmp_path)
    with pytest.raises(InputError) as info:
        expand_inputs([tmp_path / "nope"])
    assert str(info.value) == error.format(d=tmp_path.as_posix())


# ------------------------------------------------------------------- corpora
@pytest.fixture
def corpus(tmp_path):
    write(tmp_path / "a.txt", "Acme hired Jane Doe.")
    write(tmp_path / "b.txt", b"")
    write(tmp_path / "c.jsonl", b'{"text": "Globex makes the Widget."}\nnot json\n')
    write(tmp_path / "d.txt", "Caf\xe9".encode("latin-1"))
    write(tmp_path / "e.txt", "Acme hired Jane Doe.")  # the same text as a.txt
    return tmp_path


def test_corpus_skips_bad_articles_with_a_warning(corpus):
    warnings: list[str] = []
    docs = list(read_documents([corpus], strict=False, warn=warnings.append))
    assert [d.text for d in docs] == ["Acme hired Jane Doe.", "Globex makes the Widget."]
    d = corpus.as_posix()
    assert warnings == [
        f"Warning: skipped: '{d}/b.txt' is empty; an article needs some text",
        f"Warning: skipped: '{d}/c.jsonl' line 2: not valid JSON (Expecting value at column 1); "
        'each line must be one JSON object with a "text" field',
        f"Warning: skipped: '{d}/d.txt' is not valid UTF-8 (byte 0xe9 at offset 3); convert it "
        "to UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        f"Warning: skipped: '{d}/e.txt' has the same text as '{d}/a.txt'",
    ]


def test_strict_corpus_stops_at_the_first_bad_article(corpus):
    with pytest.raises(InputError, match=r"b\.txt' is empty"):
        list(read_documents([corpus], strict=True))


def test_a_single_bad_article_is_the_error_itself(tmp_path):
    p = write(tmp_path / "only.txt", b" ")
    warnings: list[str] = []
    with pytest.raises(InputError) as info:
        list(read_documents([p], strict=False, warn=warnings.append))
    assert str(info.value) == f"{p.as_posix()!r} is empty; an article needs some text"
    assert warnings == []  # said once, as the error


def test_nothing_readable_is_an_error_after_the_warnings(tmp_path):
    write(tmp_path / "a.txt", b"")
    write(tmp_path / "b.txt", b"\x00\x01")
    warnings: list[str] = []
    with pytest.raises(InputError) as info:
        list(read_documents([tmp_path], strict=False, warn=warnings.append))
    assert str(info.value) == ("none of the 2 articles could be read (see the warnings above); "
                               "fix or remove them")
    assert len(warnings) == 2


def test_blank_jsonl_is_an_error(tmp_path):
    p = write(tmp_path / "c.jsonl", b"\n\n")
    with pytest.raises(InputError, match='no articles in .*c.jsonl.*"text" field per line'):
        list(read_documents([p], strict=False))
