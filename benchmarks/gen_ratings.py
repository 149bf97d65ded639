"""A ratings matrix for the agreement benchmarks: items × raters, some ratings missing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labels import schema as schema_mod
from labels.schema import Dimension

AGREE = 0.75  # chance a rater gives the item's true value rather than a random one


@dataclass(frozen=True)
class Ratings:
    """The same ratings in the shapes the agreement code and `krippendorff` take."""

    dim: Dimension
    frame: pd.DataFrame  # as the store gives them: transcript_id, rater, value
    codes: np.ndarray  # ours, encoded: items × raters scale positions, -1 missing
    reliability: np.ndarray  # krippendorff's: raters × items, codes as floats, NaN missing

    @property
    def pairable(self) -> np.ndarray:
        """Items with at least two ratings (what the agreement report passes on)."""
        kept: np.ndarray = self.codes[(self.codes >= 0).sum(axis=1) >= 2]
        return kept


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
    reliability = np.where(absent, np.nan, codes.astype(np.float64)).T.copy()
    item, rater = np.nonzero(~absent)
    frame = pd.DataFrame(
        {
            "transcript_id": pd.Series(item).map("item-{:06d}".format),
            "rater": pd.Series(rater).map("rater-{}".format),
            "value": np.array(dim.scale, dtype=object)[codes[item, rater]],
        }
    )
    return Ratings(dim, frame, np.where(absent, -1, codes).astype(np.int64), reliability)
