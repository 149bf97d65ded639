"""The label schema's keyboard rules: one key per thing, and a value named `1` is keyed `1`."""

from __future__ import annotations

import pytest

from labels import schema

BASE = """
[[dimensions]]
name = "a"
title = "A"
values = [{{ name = "none", key = "{k1}" }}, {{ name = "yes", key = "{k2}" }}]
tags = [{{ name = "t1", key = "{k3}" }}]

[[dimensions]]
name = "b"
title = "B"
values = [{{ name = "1", key = "{k4}" }}, {{ name = "2", key = "2" }}]
"""


def parse(k1: str = "q", k2: str = "w", k3: str = "y", k4: str = "1") -> schema.Schema:
    return schema.parse(BASE.format(k1=k1, k2=k2, k3=k3, k4=k4))


def test_default_schema_keys_are_unique_and_digits_name_digits() -> None:
    s, _ = schema.load()
    keys = s.keys()
    assert keys["a"] == ("value", "extortion", "none")
    assert keys["y"] == ("tag", "manipulation", "deception")
    assert {k for k, (_, d, _) in keys.items() if d == "ethical_explanation"} == set("123450")
    assert not set(keys) & set(schema.ACTION_KEYS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k2": "q"}, "used twice"),  # two values of one dimension
        ({"k3": "w"}, "used twice"),  # a tactic on a value's key
        ({"k1": "m"}, "used twice"),  # a value on the page's own key (cite a message)
        ({"k1": "r"}, "belong to Streamlit"),  # Streamlit's rerun key
        ({"k4": "a"}, "must have key '1'"),  # a value named 1 keyed A
        ({"k1": "Q"}, "String should match pattern"),  # keys are lowercase
        ({"k1": "qq"}, "String should match pattern"),
    ],
)
def test_key_rules_refuse_bad_schemas(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(**kwargs)


def test_older_schema_versions_with_plain_tag_names_still_parse() -> None:
    s = schema.parse(
        '[[dimensions]]\nname = "m"\ntitle = "M"\ntags = ["deception"]\n'
        'values = [{ name = "none", key = "a" }]\n'
    )
    assert s.dimension("m").tag_names == ["deception"]
    assert s.dimension("m").tags[0].key is None
