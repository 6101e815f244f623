"""`python -m generator` is the same as the `framebench` console script."""

from generator.cli import main

# The guard matters: worker processes (spawn) import the main module without running it.
if __name__ == "__main__":
    raise SystemExit(main())
