"""Run one function in a fresh interpreter: `python -m benchmarks.child module:function JSON`.

The function gets the JSON object as keyword arguments and returns a JSON-able dict,
printed as the last line of stdout. A fresh process gives a clean peak-RSS reading and
keeps one measurement's caches out of the next one.
"""

from __future__ import annotations

import importlib
import json
import sys


def main() -> None:
    target, raw = sys.argv[1], sys.argv[2]
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    print(json.dumps(function(**json.loads(raw))), flush=True)


if __name__ == "__main__":
    main()
