"""Atomic file output: write to a temp file beside the target, then rename.

A build that dies half-way leaves the previous file intact, never a truncated one.
:class:`Staging` (and :func:`atomic_write_many` on top of it) stages *every* file of a
build before it renames any, so a write error (disk full, quota, a file too large) or
a failing writer leaves all previous exports as they were; a file is staged by a
writer that streams it into its temp file, so no file need be held in memory whole.
:func:`folder_lock` keeps two builds into one folder from interleaving their
renames. Temp files carry the writer's process id, so those left by a killed process
are recognised and removed by the next writer.

Examples:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(d / "a.txt", "hello")
    PosixPath('...a.txt')
    >>> (d / "a.txt").read_text()
    'hello'
    >>> with folder_lock(d):
    ...     sorted(p.name for p in atomic_write_many({d / "b.txt": "B", d / "c.txt": b"C"}))
    ['b.txt', 'c.txt']
    >>> with Staging() as staging:
    ...     tmp = staging.stage(d / "d.txt", lambda fh: fh.write(b"streamed"))
    ...     (d / "d.txt").exists(), tmp.read_bytes()
    ...     [p.name for p in staging.commit()]
    (False, b'streamed')
    ['d.txt']
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError

try:  # POSIX; elsewhere builds simply run without the folder lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "atomic_write_bytes", "atomic_write_text", "atomic_write_many", "atomic_write_streams",
    "Staging", "fill", "scratch_file", "folder_lock", "check_writable", "clean_stale_temps", "LOCK_TIMEOUT",
]

#: Seconds a build waits for another build that is writing into the same folder.
LOCK_TIMEOUT = 120.0

_TEMP = re.compile(r"^\..+\.kgtmp-(\d+)-[^.]*\.tmp$")


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _hint(folder: Path) -> str:
    return f"cannot write to {str(folder)!r}: "


#: Buffer of a staged file: writers stream many small pieces into it.
_BUFFER = 1 << 20

Writer = Callable[[BinaryIO], object]


def _temp_beside(target: Path) -> Path:
    """Create an empty temp file beside ``target``, named so it is known as kg's."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.kgtmp-{os.getpid()}-", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        check_writable(target.parent)  # names a file in the way, if that is the reason
        raise OutputError(
            _hint(target.parent) + f"{_why(exc)}; choose a writable folder with -o/--out"
        ) from None
    os.close(fd)
    return Path(tmp)


def fill(tmp: str | os.PathLike[str], target: str | os.PathLike[str], write: Writer, *,
         sync: bool = True) -> None:
    """Stream ``write``'s output into the temp file ``tmp`` made for ``target``.

    Whatever ``write`` raises (after removing the temp file) propagates as it is, but
    an OSError, which means the disk said no, becomes an OutputError. Any process may
    fill a file another reserved (:meth:`Staging.reserve`).
    """
    try:
        with open(tmp, "wb", buffering=_BUFFER) as fh:
            write(fh)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except OSError as exc:
        _unlink(tmp)
        raise OutputError(
            f"cannot write {str(target)!r}: {_why(exc)}; no output file was changed"
        ) from None
    except BaseException:
        # KeyboardInterrupt included: never leave our temp files behind
        _unlink(tmp)
        raise


def _stage(target: Path, write: Writer, *, sync: bool = True) -> Path:
    """Stream ``write``'s output into a fsync'ed temp file beside ``target``; return it."""
    tmp = _temp_beside(target)
    fill(tmp, target, write, sync=sync)
    return tmp


def _unlink(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


class Staging:
    """Files staged one by one as temp files beside their targets, renamed together.

    :meth:`stage` streams a file into its temp file (the writer gets the open binary
    file); :meth:`commit` renames every staged file over its target. Leaving the
    ``with`` block without a commit (an error, a failed check, Ctrl-C) removes the temp
    files, so no target changes unless all of them were written.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []  # (temp file, target)

    def stage(self, target: str | os.PathLike[str], write: Writer) -> Path:
        """Write ``target``'s new content through ``write(fh)``; return the temp file.

        Raises:
            OutputError: the temp file could not be created or written.
        """
        path = Path(target)
        tmp = _stage(path, write)
        self._staged.append((tmp, path))
        return tmp

    def reserve(self, target: str | os.PathLike[str]) -> Path:
        """Create ``target``'s temp file, empty, for :func:`fill` (in this or another
        process); it is then renamed or removed with the staged files.

        Raises:
            OutputError: the temp file could not be created.
        """
        path = Path(target)
        tmp = _temp_beside(path)
        self._staged.append((tmp, path))
        return tmp

    def commit(self) -> list[Path]:
        """Rename every staged file over its target; return the targets, in order.

        Raises:
            OutputError: a rename failed; the files not yet renamed are removed.
        """
        staged, self._staged = self._staged, []
        done: list[Path] = []
        for i, (tmp, path) in enumerate(staged):
            try:
                os.replace(tmp, path)
            except OSError as exc:
                for rest, _ in staged[i:]:
                    _unlink(rest)
                raise OutputError(f"cannot write {str(path)!r}: {_why(exc)}") from None
            done.append(path)
        return done

    def discard(self) -> None:
        """Remove every staged temp file; no target changes."""
        staged, self._staged = self._staged, []
        for tmp, _ in staged:
            _unlink(tmp)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


@contextlib.contextmanager
def scratch_file(target: str | os.PathLike[str], write: Writer) -> Iterator[Path]:
    """``write``'s output in a temp file beside ``target``, removed when the block ends.

    For a file to be read (checked, copied) before the real one is staged: it is named
    like a staged file, so one left by a killed process is cleaned up the same way, but
    it is never synced to disk nor renamed.

    Raises:
        OutputError: the temp file could not be created or written.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> with scratch_file(d / "a.txt", lambda fh: fh.write(b"draft")) as tmp:
        ...     tmp.read_bytes()
        b'draft'
        >>> list(d.iterdir())
        []
    """
    tmp = _stage(Path(target), write, sync=False)
    try:
        yield tmp
    finally:
        _unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; raise OutputError when it cannot be written."""
    return atomic_write_many({Path(path): data})[0]


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 (no BOM, newlines kept as given) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(files: Mapping[str | os.PathLike[str], str | bytes]) -> list[Path]:
    """Write several files so that either all are replaced or none is.

    Every file is first written to a temp file and flushed to disk; only when all of
    them are staged are they renamed over their targets. ``str`` values are written
    as UTF-8.

    Args:
        files: target path -> content.

    Returns:
        The target paths, in the order given.

    Raises:
        OutputError: a file could not be written; no target was changed.
    """
    return atomic_write_streams(
        {target: (lambda fh, d=data: fh.write(_as_bytes(d))) for target, data in files.items()})


def atomic_write_streams(files: Mapping[str | os.PathLike[str], Writer]) -> list[Path]:
    """Like :func:`atomic_write_many`, each file streamed by its writer ``write(fh)``.

    The writers run one after another, each into its own temp file, so only what one
    writer holds is in memory. Whatever a writer raises leaves every target as it was
    and no temp file behind.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> [p.name for p in atomic_write_streams({d / "a.txt": lambda fh: fh.write(b"a")})]
        ['a.txt']
    """
    with Staging() as staging:
        for target, write in files.items():
            staging.stage(target, write)
        return staging.commit()


def check_writable(folder: str | os.PathLike[str]) -> None:
    """Fail early (before a long build) when ``folder`` cannot be created or written.

    Nothing is created: the nearest existing ancestor is checked instead.

    Examples:
        >>> check_writable("/proc/version/out")
        Traceback (most recent call last):
        ...
        kg.errors.OutputError: cannot write to '/proc/version/out': '/proc/version' is a file, not a folder; choose a writable folder with -o/--out
    """
    target = Path(folder)
    probe = target
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(
            _hint(target) + f"{str(probe)!r} is a file, not a folder; "
            "choose a writable folder with -o/--out"
        )
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(
            _hint(target) + "permission denied; choose a writable folder with -o/--out"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temp files that kg processes which no longer run left in ``folder``."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], *, timeout: float | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if missing) while writing into it.

    The lock is an ``flock`` on the folder itself, so no lock file is left behind and
    a killed process releases it at once. A second writer waits up to ``timeout``
    seconds (default :data:`LOCK_TIMEOUT`), then gives up with an OutputError.
    """
    path = Path(folder)
    wait = LOCK_TIMEOUT if timeout is None else timeout
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(
            _hint(path) + f"{_why(exc)}; choose a writable folder with -o/--out"
        ) from None
    try:
        if fcntl is not None:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OutputError(
                            f"another kg build is writing to {str(path)!r} (waited {wait:g} s); "
                            "wait for it to finish or choose another folder with -o/--out"
                        ) from None
                    time.sleep(0.05)
        clean_stale_temps(path)
        yield path
    finally:
        os.close(fd)  # closing releases the flock
