"""The ``kg`` command: a thin layer over the library.

Each command lives in its own module (``kg/cli/<command>.py``) and is registered here.
Library errors (:class:`~kg.errors.KGError`) become ``Error: ...`` on stderr with the
error's exit code (1 for bad input); click's usage errors exit 2.

Exit codes: 0 success; 1 bad input or a runtime problem (a ``KGError``, an operating
system error, out of memory); 2 usage error (click); 70 an internal error, i.e. a bug
in kg (``KG_DEBUG=1`` shows its traceback); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys

import click

from .. import __version__
from ..errors import KGError

__all__ = ["main", "cli", "one_line", "EXIT_INTERNAL"]


#: Exit status of an unexpected exception: a bug in kg (sysexits' EX_SOFTWARE).
EXIT_INTERNAL = 70
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(message: str) -> str:
    """A message as one line: line breaks become spaces, control characters are escaped.

    Text quoted from an article or a parser must not break the ``Error:`` line or send
    escape sequences to the terminal.

    Examples:
        >>> one_line("bad\\r\\nthing \\x1b[31m")
        'bad thing \\\\x1b[31m'
    """
    flat = re.sub(r"\s*[\r\n]+\s*", " ", str(message)).strip()
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", flat)


class KGGroup(click.Group):
    """A click group that turns every failure into one ``Error: ...`` line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own: usage errors (exit 2), --help, ctx.exit
        except KGError as exc:
            self._fail(ctx, str(exc), exc.exit_code)
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted", 130)
        except BrokenPipeError:
            # the reader went away (kg query ... | head): nothing left to say, and
            # Python's own flush of stdout at exit must not complain either
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except MemoryError:
            self._fail(ctx, "out of memory; give fewer or smaller articles, or fewer --jobs", 1)
        except OSError as exc:
            where = f" {exc.filename!r}" if exc.filename else ""
            self._fail(ctx, f"cannot access{where}: {exc.strerror or exc}", 1)
        except Exception as exc:  # noqa: BLE001  (the last line of defence)
            if os.environ.get("KG_DEBUG"):
                raise
            self._fail(
                ctx,
                f"internal error ({type(exc).__name__}: {exc}); this is a bug in kg, please "
                "report it (KG_DEBUG=1 shows the traceback)",
                EXIT_INTERNAL,
            )

    @staticmethod
    def _fail(ctx: click.Context, message: str, code: int) -> None:
        click.echo(f"Error: {one_line(message)}", err=True)
        ctx.exit(code)


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Build knowledge graphs from articles; export, query and view them."""


def _register() -> None:
    from . import build, export, query  # noqa: F401  (each adds its command)

    for mod in (build, export, query):
        cli.add_command(mod.command)
    from .eval import command as eval_command
    cli.add_command(eval_command)
    from .validate import command as validate_command; cli.add_command(validate_command)  # noqa: E702
    from . import push, serve; cli.add_command(serve.command); cli.add_command(push.command)  # noqa: E702
    from .view import command as view_command; cli.add_command(view_command)  # noqa: E702


_register()


def main() -> None:
    """Console-script entry point."""
    from ._util import teardown_skipped

    try:
        cli(prog_name="kg")
    except SystemExit as exc:
        if exc.code not in (0, None) or not teardown_skipped():
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            raise exc from None  # let Python's own exit deal with a closed pipe
        # the command's output is complete and closed: end without the teardown
        os._exit(0)
