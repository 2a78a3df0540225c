"""The ``kg`` command: a thin layer over the library.

Each command lives in its own module (``kg/cli/<command>.py``) and is registered here.
Library errors (:class:`~kg.errors.KGError`) become ``Error: ...`` on stderr with the
error's exit code (1 for bad input); click's usage errors exit 2.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import KGError

__all__ = ["main", "cli"]


class KGGroup(click.Group):
    """A click group that turns KGError into a one-line ``Error: ...``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)


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
    cli(prog_name="kg")
