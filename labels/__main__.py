"""`python -m labels`."""

from labels.cli import main

main()
