"""`python -m xinyong` runs the CLI."""

import gc

gc.disable()  # importing the CLI makes no garbage either (cli.context.hold_collector)
try:
    from xinyong.cli import main
finally:
    gc.enable()  # `main` holds it again until the command reads its settings

main()
