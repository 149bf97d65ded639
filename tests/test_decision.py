"""The one decision rule: strict majority and which gold stands against which writer."""

import numpy as np
import pytest

from labels import decision


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        (["a"], ("a", 1)),
        (["a", "b"], None),
        (["a", "a", "b"], ("a", 2)),
        (["a", "b", "a", "b"], None),
        (["b", "a", "b", "b"], ("b", 3)),
    ],
)
def test_strict_majority(values: list[str], expected: tuple[str, int] | None) -> None:
    assert decision.strict_majority(values) == expected


def test_the_vectorised_test_is_the_scalar_one() -> None:
    rng = np.random.default_rng(0)
    total = rng.integers(0, 9, 500)
    count = rng.integers(0, 9, 500) % (total + 1)
    got = decision.is_strict_majority(count, total)
    assert got.tolist() == [
        bool(decision.is_strict_majority(int(c), int(t))) for c, t in zip(count, total, strict=True)
    ]


@pytest.mark.parametrize(
    ("method", "value", "current", "writes"),
    [
        ("majority", "a", None, True),
        ("majority", "a", ("majority", "a"), False),
        ("majority", "a", ("unanimous", "b"), True),
        ("median", "a", ("majority", "b"), True),
        ("majority", "a", ("audit", "b"), False),
        ("majority", "a", ("adjudicated", "b"), False),
        ("audit", "a", None, True),
        ("audit", "a", ("audit", "a"), False),
        ("audit", "a", ("audit", "b"), True),
        ("audit", "a", ("majority", "b"), False),
        ("audit", "a", ("adjudicated", "b"), False),
        ("adjudicated", "a", ("adjudicated", "a"), True),
        ("adjudicated", "a", ("audit", "b"), True),
        ("majority", "a", ("imported", "b"), False),
    ],
)
def test_one_ranking_of_methods(
    method: str, value: str, current: tuple[str, str] | None, writes: bool
) -> None:
    assert decision.replaces(method, value, current) is writes
