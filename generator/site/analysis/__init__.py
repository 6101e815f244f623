"""Analysis of the tidy frames: newest results, framework ratios, comparability, summaries."""
