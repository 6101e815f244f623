"""`framebench bench ops`: the timer, the case registry, per-framework workers and the runner."""
