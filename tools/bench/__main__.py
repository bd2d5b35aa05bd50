"""`python -m tools.bench` (make bench)."""

from .bench import main

main()
