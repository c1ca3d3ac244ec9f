"""Seeded, deterministic generator of synthetic municipalities (the bundled demo and benchmark data).

``generate(out_dir, seed=42, scale=1.0, variant="demo")`` writes every source file aigrip reads plus the
ground truth; ``python -m bench.synth --out DIR`` does the same from the command line.
"""

from bench.synth.core import ORGANISATIONS, generate

__all__ = ["generate", "ORGANISATIONS"]
