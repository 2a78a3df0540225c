"""Bad input, partial failures and concurrency: every failure is one ``Error:`` line.

CliRunner checks the exact lines and exit codes; real ``kg`` subprocesses check the
same from the outside, and what no in-process test can: a build killed with SIGKILL
while it writes, two builds writing into one folder at once, a write that fails for
the operating system's reasons (a file size limit), and byte-identical output across
hash seeds.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import kg.io
from kg.cli import KGGroup, cli
from kg.errors import InputError, OutputError
from kg.export import DEFAULT_FILES
from kg.io import atomic_write_many, clean_stale_temps, folder_lock

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Acme hired Jane Doe as chief executive.\nJane Doe moved to Paris.\n"


@pytest.fixture
def runner():
    return CliRunner()


def put(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def q(path: Path) -> str:
    return repr(path.as_posix())


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def previous_exports(out: Path) -> dict[str, bytes]:
    """Fill ``out`` with stand-ins for a previous build's exports."""
    out.mkdir(parents=True, exist_ok=True)
    files = {name: f"previous {name}\n".encode() for name in DEFAULT_FILES}
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


def visible(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def temps(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if ".kgtmp-" in p.name]


# ------------------------------------------------------------- bad input, no model needed
@pytest.mark.parametrize("name, data, error", [
    ("empty.txt", b"", "{f} is empty; an article needs some text"),
    ("blank.txt", b" \r\n\t", "{f} is empty; an article needs some text"),
    ("binary.txt", bytes(range(256)),
     "{f} looks like a binary file (it contains NUL bytes); kg reads UTF-8 text (.txt, .md), "
     "HTML and JSON Lines"),
    ("latin1.txt", "Café".encode("latin-1"),
     "{f} is not valid UTF-8 (byte 0xe9 at offset 3); convert it to UTF-8 (e.g. iconv -f "
     "latin1 -t utf-8)"),
    ("scripts.html", b"<html><body>" + b"<script>alert('Acme')</script>" * 100 + b"</body></html>",
     "{f} has no article text once scripts, styles and navigation are removed; give the "
     "page's main text as .txt instead"),
    ("bad.jsonl", b"{not json}\n",
     "{f} line 1: not valid JSON (Expecting property name enclosed in double quotes at column "
     "2); each line must be one JSON object with a \"text\" field"),
])
def test_build_bad_article(runner, tmp_path, name, data, error):
    f = put(tmp_path / name, data)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(f), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: " + error.format(f=q(f))]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()  # nothing written, not even the folder


def test_build_too_big(runner, tmp_path):
    f = tmp_path / "huge.txt"
    with f.open("wb") as fh:
        fh.truncate(50 * 2**20)
    result = runner.invoke(cli, ["build", str(f), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {q(f)} is 50.0 MB; the limit is 10 MB per article: split it into smaller files "
        "or one article per line of a .jsonl file"]


@pytest.mark.parametrize("make, error", [
    (lambda d: d / "missing.txt", "no such file or folder: '{d}/missing.txt'"),
    (lambda d: put(d / "folder" / "notes.pdf", "x").parent,
     "no articles in folder '{d}/folder'; expected files ending in .txt, .md, .html, .htm, .jsonl"),
])
def test_build_bad_path(runner, tmp_path, make, error):
    result = runner.invoke(cli, ["build", str(make(tmp_path)), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: " + error.format(d=tmp_path.as_posix())]


def test_build_nothing_readable(runner, tmp_path):
    a, b = put(tmp_path / "c" / "a.txt", b""), put(tmp_path / "c" / "b.txt", b"\x00\x01")
    result = runner.invoke(cli, ["build", str(tmp_path / "c"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Warning: skipped: {q(a)} is empty; an article needs some text",
        f"Warning: skipped: {q(b)} looks like a binary file (it contains NUL bytes); kg reads "
        "UTF-8 text (.txt, .md), HTML and JSON Lines",
        "Error: none of the 2 articles could be read (see the warnings above); fix or remove them",
    ]


@pytest.mark.parametrize("out, error", [
    ("afile/out", "cannot write to '{d}/afile/out': '{d}/afile' is a file, not a folder; "
                  "choose a writable folder with -o/--out"),
    ("afile/deeper/out", "cannot write to '{d}/afile/deeper/out': '{d}/afile' is a file, not a "
                         "folder; choose a writable folder with -o/--out"),
])
def test_build_unwritable_output_fails_before_the_build(runner, tmp_path, out, error):
    put(tmp_path / "afile", "x")
    article = put(tmp_path / "a.txt", GOOD)
    result = runner.invoke(cli, ["build", str(article), "-o", str(tmp_path / out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["Error: " + error.format(d=tmp_path.as_posix())]


def test_build_read_only_output_folder(runner, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as root: permissions are not enforced")
        result = runner.invoke(cli, ["build", str(put(tmp_path / "a.txt", GOOD)), "-o", str(ro / "x")])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"Error: cannot write to {q(ro / 'x')}: permission denied; choose a writable folder "
            "with -o/--out"]
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("args, code, error", [
    (["export", "{d}/empty.json", "-f", "nt"], 1,
     "Error: '{d}/empty.json' is not a kg graph: invalid JSON at line 1, column 1: Expecting "
     "value; give the graph.json or an RDF file that kg build wrote"),
    (["export", "{d}/list.json", "-f", "nt"], 1,
     "Error: '{d}/list.json' is not a kg graph: not a kg node-link graph (no 'nodes'); give "
     "the graph.json or an RDF file that kg build wrote"),
    (["export", "{d}/latin1.json", "-f", "nt"], 1,
     "Error: '{d}/latin1.json' is not UTF-8 JSON; give the graph.json or an RDF file that kg "
     "build wrote"),
    (["export", "{d}/missing.json", "-f", "nt"], 1,
     "Error: cannot read '{d}/missing.json': No such file or directory"),
    (["export", "{d}/g.ttl", "-f", "nt", "-o", "{d}/empty.json/x.nt"], 1,
     "Error: cannot write to '{d}/empty.json': '{d}/empty.json' is a file, not a folder; "
     "choose a writable folder with -o/--out"),
    (["query", "{d}/g.ttl", "SELEC ?x WHERE {{}}"], 1,
     "Error: invalid SPARQL: line 1, column 1: Expected {{SelectQuery | ConstructQuery | "
     "DescribeQuery | AskQuery}}, found 'SELEC'"),
    (["query", "{d}/g.ttl", "{d}/missing.rq"], 1,
     "Error: cannot read query file '{d}/missing.rq': No such file or directory"),
    (["query", "{d}/broken.ttl", "ASK {{}}"], 1, None),
    (["query", "{d}/g.ttl", "no-such-query"], 1, "Error: unknown bundled query 'no-such-query'"),
    (["export", "{d}/g.ttl", "-f", "docx"], 2,
     "Error: Invalid value for '-f' / '--format': 'docx' is not one of"),
    (["query", "{d}/g.ttl", "ASK {{}}", "-f", "docx"], 2,
     "Error: Invalid value for '-f' / '--format': 'docx' is not one of"),
])
def test_export_and_query_bad_input(runner, tmp_path, small_kg, args, code, error):
    from kg.export import write

    write(small_kg, tmp_path / "g.ttl", "turtle")
    put(tmp_path / "empty.json", b"")
    put(tmp_path / "list.json", b"[1, 2]")
    put(tmp_path / "latin1.json", "{\"é\": 1}".encode("latin-1"))
    put(tmp_path / "broken.ttl", b"<a> <b> .")
    d = tmp_path.as_posix()
    result = runner.invoke(cli, [a.format(d=d) for a in args])
    assert result.exit_code == code
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    if error is None:
        assert lines[0].startswith(f"Error: cannot parse '{d}/broken.ttl' as turtle: ")
    elif error.endswith(("not one of", "'no-such-query'")):
        assert lines[0].startswith(error.format(d=d))
    else:
        assert lines[0] == error.format(d=d)
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------- the CLI's last line of defence
def _group_raising(exc: BaseException) -> click.Group:
    @click.group(cls=KGGroup)
    def group():
        pass

    @group.command("boom")
    def boom():
        raise exc

    return group


@pytest.mark.parametrize("exc, code, line", [
    (InputError("bad\nthing \x1b[31mred"), 1, "Error: bad thing \\x1b[31mred"),
    (OSError(errno.ENOSPC, "No space left on device", "out/x"), 1,
     "Error: cannot access 'out/x': No space left on device"),
    (MemoryError(), 1, "Error: out of memory; give fewer or smaller articles, or fewer --jobs"),
    (KeyboardInterrupt(), 130, "Error: interrupted"),
    (RuntimeError("oops\nsecond line"), 70,
     "Error: internal error (RuntimeError: oops second line); this is a bug in kg, please "
     "report it (KG_DEBUG=1 shows the traceback)"),
])
def test_every_failure_is_one_error_line(runner, monkeypatch, exc, code, line):
    monkeypatch.delenv("KG_DEBUG", raising=False)
    result = runner.invoke(_group_raising(exc), ["boom"])
    assert result.exit_code == code
    assert result.stderr.splitlines() == [line]


def test_closed_pipe_stops_quietly(runner):
    result = runner.invoke(_group_raising(BrokenPipeError(32, "Broken pipe")), ["boom"])
    assert result.exit_code == 1 and result.stderr == ""


def test_kg_debug_shows_the_traceback(runner, monkeypatch):
    monkeypatch.setenv("KG_DEBUG", "1")
    result = runner.invoke(_group_raising(RuntimeError("oops")), ["boom"])
    assert isinstance(result.exception, RuntimeError)


# ------------------------------------------------------------- atomic writes and the lock
def test_write_error_midway_changes_nothing(tmp_path, monkeypatch):
    previous = previous_exports(tmp_path)
    calls = []
    real = os.fsync

    def failing(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(kg.io.os, "fsync", failing)
    names = list(DEFAULT_FILES)
    with pytest.raises(OutputError) as info:
        atomic_write_many({tmp_path / n: f"new {n}" for n in names})
    assert str(info.value) == (f"cannot write {q(tmp_path / names[2])}: No space left on device; "
                               "no output file was changed")
    assert visible(tmp_path) == previous
    assert temps(tmp_path) == []


def test_lock_busy(tmp_path):
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as info:
            with folder_lock(tmp_path, timeout=0.2):
                pass
        assert str(info.value) == (
            f"another kg build is writing to {q(tmp_path)} (waited 0.2 s); wait for it to "
            "finish or choose another folder with -o/--out")
    finally:
        os.close(fd)
    with folder_lock(tmp_path, timeout=0.2):  # free again
        pass


def test_stale_temps_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = put(tmp_path / f".graph.ttl.kgtmp-{dead}-abc.tmp", "half")
    live = put(tmp_path / f".graph.ttl.kgtmp-{os.getppid()}-abc.tmp", "in progress")
    other = put(tmp_path / ".graph.ttl.tmp", "not ours")
    assert clean_stale_temps(tmp_path) == [stale]
    assert live.exists() and other.exists() and not stale.exists()


# ------------------------------------------------------------- with the model (CliRunner)
@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    put(d / "good.txt", GOOD)
    put(d / "crlf-bom.txt", b"\xef\xbb\xbfGlobex makes the Widget phone.\r\nIt sells well in Berlin.\r\n")
    put(d / "empty.txt", b"")
    put(d / "more.jsonl", b'{"text": "Initech hired John Smith.", "title": "Hire", "url": "https://n.example/1"}\n'
                          b"{oops\n")
    return d


def test_corpus_skips_bad_articles_and_builds_the_rest(runner, nlp, corpus, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    d = corpus.as_posix()
    assert [l for l in result.stderr.splitlines() if l.startswith("Warning")] == [
        f"Warning: skipped: '{d}/empty.txt' is empty; an article needs some text",
        f"Warning: skipped: '{d}/more.jsonl' line 2: not valid JSON (Expecting property name "
        "enclosed in double quotes at column 2); each line must be one JSON object with a "
        "\"text\" field",
    ]
    graph = json.loads((out / "graph.json").read_text())
    docs = {doc["source"]: doc for doc in graph["graph"]["documents"]}
    assert sorted(docs) == [f"{d}/crlf-bom.txt", f"{d}/good.txt", f"{d}/more.jsonl#line=1"]
    crlf = docs[f"{d}/crlf-bom.txt"]["text"]
    assert crlf.startswith("Globex") and "\r\n" in crlf  # BOM dropped, CRLF kept
    assert dict(map(tuple, docs[f"{d}/more.jsonl#line=1"]["meta"])) == {"url": "https://n.example/1"}
    assert sorted(visible(out)) == sorted(DEFAULT_FILES)


def test_strict_makes_a_bad_article_fatal(runner, nlp, corpus, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", "--strict", str(corpus), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: '{corpus.as_posix()}/empty.txt' is empty; an article needs some text"]
    assert not out.exists()


@pytest.mark.parametrize("strict", [False, True])
def test_a_document_a_stage_fails_on(runner, nlp, tmp_path, monkeypatch, strict):
    import kg.relations

    real = kg.relations.extract_relations

    def fragile(doc, document, entities):
        if "BOOM" in document.text:
            raise RuntimeError("stage broke")
        return real(doc, document, entities)

    monkeypatch.setattr(kg.relations, "extract_relations", fragile)
    good, bad = put(tmp_path / "c" / "a.txt", GOOD), put(tmp_path / "c" / "b.txt", "BOOM went Acme.")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(tmp_path / "c"), "-o", str(out),
                                 *(["--strict"] if strict else [])])
    line = f"{bad.as_posix()}: RuntimeError: stage broke"
    if strict:
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [f"Error: {line}"]
        assert not out.exists()
    else:
        assert result.exit_code == 0, result.output
        assert [l for l in result.stderr.splitlines() if l.startswith("Warning")] == [
            f"Warning: skipped: {line}"]
        sources = [d["source"] for d in json.loads((out / "graph.json").read_text())["graph"]["documents"]]
        assert sources == [good.as_posix()]


def test_build_write_error_midway_keeps_previous_exports(runner, nlp, tmp_path, monkeypatch):
    out = tmp_path / "out"
    previous = previous_exports(out)
    real, calls = os.fsync, []

    def failing(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(kg.io.os, "fsync", failing)
    result = runner.invoke(cli, ["build", str(put(tmp_path / "a.txt", GOOD)), "-o", str(out)])
    assert result.exit_code == 1
    third = list(DEFAULT_FILES)[2]
    assert error_lines(result.stderr) == [
        f"Error: cannot write {q(out / third)}: No space left on device; no output file was changed"]
    assert visible(out) == previous and temps(out) == []


def test_build_waits_for_the_lock_then_gives_up(runner, nlp, tmp_path, monkeypatch):
    out = tmp_path / "out"
    previous = previous_exports(out)
    monkeypatch.setattr(kg.io, "LOCK_TIMEOUT", 0.3)
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = runner.invoke(cli, ["build", str(put(tmp_path / "a.txt", GOOD)), "-o", str(out)])
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert error_lines(result.stderr) == [
        f"Error: another kg build is writing to {q(out)} (waited 0.3 s); wait for it to finish "
        "or choose another folder with -o/--out"]
    assert visible(out) == previous


def test_a_one_megabyte_line(runner, nlp, tmp_path):
    # beyond spaCy's max_length of 1,000,000 characters: parsed in pieces, offsets kept
    text = ("A" * 999 + " ") * 1050 + "Jane Doe moved to Paris."
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(put(tmp_path / "long.txt", text)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    graph = json.loads((out / "graph.json").read_text())
    mentions = [m for n in graph["nodes"] for m in n.get("mentions", [])]
    assert mentions and all(text[m["start"]:m["end"]] == m["text"] for m in mentions)
    assert any(m["start"] > 1_000_000 for m in mentions)


# ------------------------------------------------------------- real processes
KG = [sys.executable, "-m", "kg"]

SLOW_KG = """
import os, sys, time
# The real kg, with every fsync and rename slowed down and announced on stderr, so the
# test can act while the exports are being written.
delay = float(os.environ["KG_TEST_DELAY"])
real_fsync, real_replace = os.fsync, os.replace
def fsync(fd):
    real_fsync(fd)
    print(f"kg-test: staged {time.monotonic()}", file=sys.stderr, flush=True)
    time.sleep(delay)
def replace(src, dst, *args, **kwargs):
    real_replace(src, dst, *args, **kwargs)
    print(f"kg-test: renamed {time.monotonic()}", file=sys.stderr, flush=True)
    time.sleep(delay)
os.fsync, os.replace = fsync, replace
from kg.cli import main
sys.argv[0] = "kg"
main()
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KG_DEBUG", "PYTHONHASHSEED")}
    env.update(extra)
    return env


def _slow_kg(tmp_path: Path, args: list[str], delay: float) -> subprocess.Popen:
    script = put(tmp_path / "slow_kg.py", SLOW_KG)
    return subprocess.Popen([sys.executable, str(script), *args], cwd=ROOT, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True,
                            env=_env(KG_TEST_DELAY=str(delay)))


def test_real_process_bad_input(tmp_path, small_kg):
    from kg.export import write

    empty = put(tmp_path / "empty.txt", b"")
    proc = subprocess.run([*KG, "build", str(empty), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300)
    assert proc.returncode == 1
    assert proc.stderr == f"Error: {q(empty)} is empty; an article needs some text\n"
    assert proc.stdout == ""
    graph = write(small_kg, tmp_path / "g.ttl", "turtle")
    proc = subprocess.run([*KG, "query", str(graph), "SELEC ?x"],
                          capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: invalid SPARQL: line 1, column 1: ")
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""


@pytest.mark.model
def test_sigkill_while_writing_leaves_previous_exports(tmp_path):
    out = tmp_path / "out"
    previous = previous_exports(out)
    article = put(tmp_path / "a.txt", GOOD)
    proc = _slow_kg(tmp_path, ["build", str(article), "-o", str(out), "--quiet"], delay=1.0)
    killer = threading.Timer(600, proc.kill)  # never hang the suite
    killer.start()
    try:
        seen = []
        while len([s for s in seen if s.startswith("kg-test: staged")]) < 2:
            line = proc.stderr.readline()
            assert line, f"kg ended before writing: {''.join(seen)}"
            seen.append(line)
        proc.send_signal(signal.SIGKILL)  # two exports staged, the rest not yet written
        proc.wait(timeout=60)
    finally:
        killer.cancel()
    assert proc.returncode == -signal.SIGKILL
    assert visible(out) == previous  # every previous export intact, nothing half-written
    left = temps(out)
    assert len(left) >= 2  # it was killed mid-write; its temp files are recognisable...
    assert sorted(clean_stale_temps(out)) == sorted(left)  # ...and cleaned by the next writer
    assert temps(out) == []


@pytest.mark.model
def test_two_builds_into_one_folder(tmp_path):
    out = tmp_path / "out"
    a = put(tmp_path / "a" / "acme.txt", GOOD)
    b = put(tmp_path / "b" / "globex.txt", "Globex makes the Widget phone in Berlin.\n")
    procs = [_slow_kg(tmp_path, ["build", str(p), "-o", str(out), "--quiet"], delay=0.05)
             for p in (a, b)]
    results = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    # each build's writes (staging and renames) happened in one piece, never interleaved
    spans = []
    for err in results:
        stamps = [float(x) for x in re.findall(r"^kg-test: \w+ ([\d.]+)$", err, re.M)]
        assert len(stamps) == 2 * len(DEFAULT_FILES)
        spans.append((min(stamps), max(stamps)))
    (s1, e1), (s2, e2) = sorted(spans)
    assert e1 <= s2
    # and the folder holds one complete build: every file from the same input
    sources = [d["source"] for d in json.loads((out / "graph.json").read_text())["graph"]["documents"]]
    assert sources in ([a.as_posix()], [b.as_posix()])
    loser = b if sources == [a.as_posix()] else a
    for name, data in visible(out).items():
        assert loser.as_posix().encode() not in data, name
    for name in ("graph.ttl", "graph.nt"):
        assert sources[0].encode() in (out / name).read_bytes()
    assert temps(out) == []


@pytest.mark.model
def test_file_size_limit_midway_keeps_previous_exports(tmp_path):
    import resource

    out = tmp_path / "out"
    previous = previous_exports(out)
    limit = 200_000  # the Turtle fits, the HTML view (with its script) does not

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([*KG, "build", str(put(tmp_path / "a.txt", GOOD)), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=600,
                          preexec_fn=limit_file_size)
    assert proc.returncode == 1, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert re.fullmatch(rf"Error: cannot write '{re.escape(out.as_posix())}/graph\.\w+': File too "
                        r"large; no output file was changed", lines[0]), lines[0]
    assert visible(out) == previous and temps(out) == []


@pytest.mark.model
def test_same_input_same_bytes_across_hash_seeds(tmp_path):
    corpus = tmp_path / "corpus"
    put(corpus / "interview.txt", (ROOT / "data" / "interview.txt").read_bytes())
    put(corpus / "page.html", "<html><head><title>Deal</title></head><body><p>Hooli bought "
                              "Pied Piper, its CEO Gavin Belson said in Palo Alto.</p></body></html>")
    put(corpus / "more.jsonl", '{"text": "Initech hired John Smith as chief executive.", '
                               '"date": "2024-05-01"}\n')
    procs = {seed: subprocess.Popen([*KG, "build", str(corpus), "-o", str(tmp_path / seed), "-q"],
                                    cwd=ROOT, env=_env(PYTHONHASHSEED=seed),
                                    stderr=subprocess.PIPE, text=True)
             for seed in ("0", "4242")}
    for seed, p in procs.items():
        assert p.wait(timeout=600) == 0, p.stderr.read()
    first, second = visible(tmp_path / "0"), visible(tmp_path / "4242")
    assert sorted(first) == sorted(DEFAULT_FILES)
    assert [n for n in first if first[n] != second[n]] == []


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
                    reason="needs root to run kg as an unprivileged user (setpriv)")
@pytest.mark.parametrize("case", ["unreadable input", "unwritable output"])
def test_real_permission_errors(case):
    # As root nothing is refused, so kg runs as 'nobody' here, in a world-readable folder.
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp())
    try:
        d.chmod(0o755)
        article = put(d / "a.txt", GOOD)
        (d / "ro").mkdir(mode=0o755)
        if case == "unreadable input":  # inside a folder: a named file is click's to check
            article = put(d / "in" / "a.txt", GOOD)
            (d / "in").chmod(0o755)
            article.chmod(0o600)
            (d / "w").mkdir(mode=0o777)
            (d / "w").chmod(0o777)
            args, error = [str(d / "in"), "-o", str(d / "w" / "out")], \
                f"Error: cannot read {q(article)}: Permission denied\n"
        else:
            article.chmod(0o644)
            args, error = [str(article), "-o", str(d / "ro" / "out")], \
                (f"Error: cannot write to {q(d / 'ro' / 'out')}: permission denied; choose a "
                 "writable folder with -o/--out\n")
        proc = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *KG, "build",
             *args], capture_output=True, text=True, cwd=d, env=_env(HOME=str(d)), timeout=300)
        assert (proc.returncode, proc.stderr) == (1, error)
        assert not (d / "w" / "out").exists() and not (d / "ro" / "out").exists()
    finally:
        shutil.rmtree(d)
