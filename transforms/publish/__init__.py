"""Publishing: the algorithm register and everything made from it.

- ``register``: register entries in publication standard 1.0, validation;
- ``formats``: the Eurocities/Eindhoven and Amsterdam layouts;
- ``site``: the public static site;
- ``peers``: other organisations' published registers, change detection;
- ``comparison``: our register against peer municipalities.
"""
