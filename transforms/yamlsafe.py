"""YAML from files aigrip does not write itself (aigrip.yaml, peer registers): PyYAML's safe
loader with a cap on aliases, so a 400-byte "billion laughs" document fails at once with one
line instead of filling gigabytes of memory when the loaded structure is walked."""

from __future__ import annotations

import yaml

__all__ = ["safe_yaml", "TooManyAliases", "MAX_YAML_ALIASES"]

MAX_YAML_ALIASES = 50  # a config needs a few anchors at most; an alias bomb needs thousands


class TooManyAliases(yaml.YAMLError):
    """The document repeats anchors (``*name``) more often than :data:`MAX_YAML_ALIASES`."""


class _SafeLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: ANN001 — PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise TooManyAliases(
                    f"more than {MAX_YAML_ALIASES} YAML aliases (*name), at line {mark.line + 1}; "
                    "write the values out instead of repeating anchors")
        return super().compose_node(parent, index)


def safe_yaml(text: str):
    """``yaml.safe_load(text)`` with at most :data:`MAX_YAML_ALIASES` aliases."""
    loader = _SafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
