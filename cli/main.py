"""`rakel`: serve, chat, ingest and the commands later skills add. One module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import sys

from core.settings import SettingsError

# Each module has register(subparsers); a subcommand sets args.run(args) -> int.
SUBCOMMANDS = ("cli.serve", "cli.chat", "cli.ingest", "cli.campaign", "cli.tickets", "cli.report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rakel", description="Rakel 2, the Teams assistant of ROR-IKT")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in SUBCOMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SettingsError as error:
        print(f"rakel: bad settings: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
