"""Every command's --help renders (a stray '%' in a help text crashes argparse only when shown)."""

from __future__ import annotations

import argparse

import pytest

from generator.cli import build_parser, main


def _commands(parser: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, [*prefix, name])
    return found


@pytest.mark.parametrize("argv", _commands(build_parser(), []), ids=lambda a: " ".join(a) or "framebench")
def test_help_renders(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out
