"""`python -m generator` is the same as the `framebench` console script."""

from generator.cli import main

raise SystemExit(main())
