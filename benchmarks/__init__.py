"""framebench's benchmarks of itself, outside the product package (as asv keeps its own).

Each module is one script that a `make bench-*` target runs as `python -m benchmarks.<name>`, named for
what it measures; none is part of `framebench`, whose only command line is `framebench`:

- `site_scale` (`make bench-site`): `make site` at 100, 1,000 and 10,000 synthetic runs.
- `lighthouse` (`make bench-lighthouse`): Lighthouse's scores for the heaviest page of each kind.
- `timer_agreement` (`make bench-ops`, after the quick suite): our timer against two others.
- `interval_stability` (`make bench-stability`): do the intervals hold from one run to the next?
- `batched_speedup` (`make bench-accuracy`): batched evaluation against the study's batch-1 loop.

`fixtures/` holds the synthetic inputs they and the tests share: never measurements.
"""
