"""Jinja made quicker for the page templates, which call the Renderer's functions some 230,000 times at
10,000 tasks. Relies on Jinja internals (see the table in __init__.py); render/renderer.py uses a stock
Environment when generator.accel does not allow it."""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment
from jinja2.runtime import Context


class _DirectContext(Context):
    """A template context that calls the Renderer's own functions straight away: Context.call first looks
    at every callee for pass_context and the like, which these never take, and pages call them 230,000
    times at 10,000 tasks."""

    def call(self, function, /, *args, **kwargs):
        if function in self.environment.plain_functions:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return function(*args, **kwargs)
        return super().call(function, *args, **kwargs)


class FastEnvironment(Environment):
    """Templates whose contexts call `plain_functions` straight away."""

    context_class = _DirectContext
    plain_functions: frozenset = frozenset()

    def make_globals(self, d: dict | None) -> dict:
        """A template's globals as a dict, not a ChainMap over the environment's: each page copies them all
        into its context, which reads a ChainMap key by key in Python. The Renderer sets every global
        before a template loads."""
        return {**self.globals, **(d or {})}


def call_directly(env: Environment, functions: Iterable) -> None:
    """Have a FastEnvironment's contexts call these functions straight away (no pass_context and the like)."""
    if isinstance(env, FastEnvironment):
        env.plain_functions = frozenset(functions)
