"""Automated graders against the human reference, and spot-audits of them.

`map` (which grader field answers which dimension; thresholds, score scales),
`metrics` (the maths on confusion tables), `figures` (figures with intervals from one
table), `calibration` (grader versus gold or majority, joined to the store), `views`
(tables the graders page and CLI show), `audit_design` and `audit` (spot-audit draws
and population error estimates).

Import the submodule you need (`from labels.graders import calibration`): this package
imports nothing itself, so importing it does not pull in scikit-learn.
"""
