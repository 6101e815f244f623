"""Contributed runs: `framebench submit` (prepare a run for a pull request) and `framebench check`
(plausibility and duplicate checks that CI runs on every submitted file). Pure Python on purpose:
the pull-request job installs only the core package (pydantic), never the frameworks."""
