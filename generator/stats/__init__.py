"""Every statistic the project computes, one module per kind, each the only implementation of what
it holds:

- `distributions`: the beta and Student's t distributions (pure Python, the one implementation).
- `timing`: a timing result's samples: its estimate, 95 % interval and descriptive figures (pure
  Python: validation recomputes them with pydantic alone installed).
- `noise`: the noise model: moderated between-process variances, run-to-run noise, comparisons
  across runs and the smallest change they can detect.
- `change`: did a timing figure change between two measurements? (`framebench compare`, history).
- `history`: steps across framework versions, Holm's correction within a series.
- `summary`: the framework summaries' intervals, p-values, false-discovery correction and verdicts.
- `accuracy`: exact intervals of a top-k accuracy, McNemar's paired test, ranks that tie.

`summary` and `accuracy` need NumPy; the rest is standard library only. This file imports none of
them, so validation loads only what it uses.
"""
