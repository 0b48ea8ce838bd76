"""`python -m xinyong` runs the CLI."""

from xinyong.cli import main

main()
