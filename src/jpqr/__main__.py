"""``python -m jpqr``: the same command line as ``jpqr``."""

from jpqr.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
