"""The ``roster`` command group: options as users type them.

* ``-v``/``--verbose`` works before or after the command (``roster plan -v`` as ``roster -v plan``).
* A flag also takes an explicit value: ``--quiet true`` / ``--quiet=false`` (``true``, ``yes``,
  ``on``, ``1`` and ``false``, ``no``, ``off``, ``0``), as scripts often write it.
* Flags show no value type in ``--help``: they are switches.
"""

from __future__ import annotations

from typer.core import TyperCommand, TyperGroup

GLOBAL_FLAGS = ("-v", "--verbose")
TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}


def _bool_flags(command) -> dict[str, object]:
    """Every option string of ``command``'s boolean flags, to its parameter."""
    return {opt: p for p in command.params if getattr(p, "is_bool_flag", False) for opt in p.opts}


def _flag_values(args: list[str], flags: dict) -> list[str]:
    """``--flag true`` → ``--flag``; ``--flag false`` → nothing (or the flag's ``--no-…`` form)."""
    out, i = [], 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            return out + args[i:]
        name, eq, value = tok.partition("=")
        if name in flags and (eq or (i + 1 < len(args) and args[i + 1].lower() in TRUE_WORDS | FALSE_WORDS)):
            if not eq:
                value = args[i + 1]
                i += 1
            word = value.lower()
            param = flags[name]
            if word in TRUE_WORDS:
                out.append(name)
            elif word in FALSE_WORDS:
                if param.secondary_opts:
                    out.append(param.secondary_opts[0])
            else:
                out.append(tok)  # not a yes/no word: let the parser name the mistake
            i += 1
            continue
        out.append(tok)
        i += 1
    return out


def _switches(params: list) -> list:
    for p in params:
        if getattr(p, "is_bool_flag", False):
            p.metavar = ""  # a switch: no "<bool>" in the help
    return params


class RosterCommand(TyperCommand):
    """A command whose flags (``--help`` too) show as switches in its help."""

    def get_params(self, ctx):
        return _switches(super().get_params(ctx))


class RosterGroup(TyperGroup):
    """A typer group that accepts global flags after the command and values on flags (see module doc)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        args = list(args)
        at = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
        if at is not None:
            command = self.get_command(ctx, args[at])
            if command is not None:
                head, tail = _flag_values(args[:at], _bool_flags(self)), args[at + 1:]
                own = {o for p in command.params for o in p.opts}
                cut = tail.index("--") if "--" in tail else len(tail)
                moved = [a for a in tail[:cut] if a in GLOBAL_FLAGS and a not in own]
                tail = [a for a in tail[:cut] if a not in moved] + tail[cut:]
                args = head + moved + [args[at]] + _flag_values(tail, _bool_flags(command))
        return super().parse_args(ctx, args)

    def get_command(self, ctx, cmd_name: str):
        command = super().get_command(ctx, cmd_name)
        if type(command) is TyperCommand:  # every registered command, whoever added it
            command.__class__ = RosterCommand
        return command

    def get_params(self, ctx):
        return _switches(super().get_params(ctx))
