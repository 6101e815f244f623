"""What framebench measures, apart from measuring it: plain data and formulas, no framework imports.

The case registry and its variants (`cases`), the model zoos and their speed suite (`zoo_models`,
`zoo_cases`), FLOP counts (`flops`), CPU cores and their peak rates (`cores`, `peaks`), the timing
protocol the timer follows (`protocol`), the accuracy protocols and the study's printed table
(`preprocessing`, `study`), and the names every reader of runs spells the same way (`names`). The
runtime packages (`bench/`, `accuracy/`) import from here; everything that reads runs imports from
here too, never from them.
"""
