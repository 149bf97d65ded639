"""A ratings matrix for the agreement benchmarks: items × raters, some ratings missing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labels import schema as schema_mod
from labels.schema import Dimension

AGREE = 0.75  # chance a rater gives the item's true value rather than a random one


@dataclass(frozen=True)
class Ratings:
    """The same ratings in the two shapes the two libraries take."""

    dim: Dimension
    units: list[list[str | None]]  # ours: one row per item, None where missing
    reliability: np.ndarray  # krippendorff's: raters × items, codes as floats, NaN missing

    @property
    def pairable(self) -> list[list[str | None]]:
        """Items with at least two ratings (what the agreement report passes on)."""
        return [u for u in self.units if sum(v is not None for v in u) >= 2]


def extortion() -> Dimension:
    """The default schema's ordinal `extortion` dimension (4 values)."""
    schema, _ = schema_mod.load()
    return schema.dimension("extortion")


def generate(n: int, raters: int, missing: float, seed: int = 4) -> Ratings:
    """`n` items rated by `raters` raters on `extortion`, each rating missing with `missing`."""
    dim = extortion()
    k = len(dim.scale)
    rng = np.random.default_rng(seed)
    truth = rng.choice(k, size=n, p=[0.55, 0.2, 0.15, 0.1])[:, None]
    agrees = rng.random((n, raters)) < AGREE
    codes = np.where(agrees, truth, rng.integers(0, k, (n, raters)))
    absent = rng.random((n, raters)) < missing
    names = np.array(dim.scale, dtype=object)[codes]
    names[absent] = None
    reliability = np.where(absent, np.nan, codes.astype(np.float64)).T.copy()
    return Ratings(dim, names.tolist(), reliability)
