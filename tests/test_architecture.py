"""The package's shape, checked on its import graph (every import, inside functions too): no import
circles; the site pipeline flows one way; what reads runs never imports what runs frameworks; the
site build never loads PIL, TensorFlow or PyTorch; the build cache's key covers the code that reduces
runs and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.site import cache

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RUNS = ROOT / "tests" / "data" / "runs"

# Every top-level part of generator/ in one layer. A layer imports only the layers it names here, so
# an arrow never runs back up: the shared homes know nothing of their readers, the two suites that run
# frameworks know nothing of each other, and nothing that reads runs imports either suite.
SHARED = {"errors", "catalog", "stats", "machine", "schema"}
SHARED |= {"runmeta", "progress"}
READERS = {"site", "compare", "contrib", "ingest"}
LAYERS: dict[str, set[str]] = {
    **{part: SHARED for part in SHARED},
    "bench": SHARED | {"bench"},
    "accuracy": SHARED | {"accuracy"},
    **{part: SHARED | READERS for part in READERS},
    "cli": SHARED | READERS | {"bench", "accuracy"},
    "__main__": {"cli"},
}
FRAMEWORK_PACKAGES = ("PIL", "torch", "torchvision", "tensorflow", "keras", "jax")


def import_graph(package: Path = cache.PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (itself left out), read as the cache key reads
    them (cache.module_imports)."""
    modules = cache.package_modules(package)
    return {name: cache.module_imports(path, modules) - {name} for name, path in modules.items()}


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_sees_lazy_and_from_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "leaf.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import leaf\n")
    (pkg / "b.py").write_text("import pkg.a\nfrom pkg import sub\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub.leaf"} and graph["pkg.b"] == {"pkg.a", "pkg.sub"}
    modules = cache.package_modules(pkg)
    assert cache.import_closure("pkg.a", modules) == {"pkg", "pkg.a", "pkg.sub", "pkg.sub.leaf"}
    (pkg / "c.py").write_text("from . import a\n")
    with pytest.raises(ValueError, match="relative import"):
        import_graph(pkg)


def test_generator_has_no_import_cycles() -> None:
    graph = import_graph()
    assert "generator.site.load" in graph["generator.site.render"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_every_import_stays_within_its_layer() -> None:
    graph = import_graph()
    unknown = sorted({_part(m) for m in graph} - set(LAYERS) - {""})
    assert not unknown, f"modules in no layer of LAYERS: {unknown}"
    upward = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if _part(a)
        for b in targets
        if _part(b) and _part(b) != _part(a) and _part(b) not in LAYERS[_part(a)]
    )
    assert not upward, upward


def test_the_layer_check_would_catch_a_reader_importing_a_suite() -> None:
    # The rule the test above applies, on the arrow the catalog removed (the site read bench/flops).
    assert "bench" not in LAYERS["site"] and "accuracy" not in LAYERS["ingest"]
    assert "accuracy" not in LAYERS["bench"] and "bench" not in LAYERS["accuracy"]


def test_the_site_pipeline_flows_one_way() -> None:
    """load → tidy ← analysis ← pages → output; output never reaches back into pages or analysis."""
    graph = import_graph()
    stage = {"cache": 0, "tidy": 0, "load": 1, "analysis": 1, "output": 2, "pages": 3, "render": 4}

    def stage_of(module: str) -> int | None:
        parts = module.split(".")
        return stage.get(parts[2]) if len(parts) > 2 and parts[1] == "site" else None

    backwards = [
        (a, b)
        for a, targets in graph.items()
        for b in targets
        if (sa := stage_of(a)) is not None and (sb := stage_of(b)) is not None and sb > sa
    ]
    assert not backwards, backwards
    assert {stage_of(m) for m in graph} >= set(stage.values())  # every stage has its modules


def _third_party(module: str) -> set[str]:
    """Top-level packages outside generator that a module imports anywhere in its code."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(cache.package_modules()[module].read_bytes())):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found - {"generator"}


def test_the_site_build_reaches_no_framework_and_no_pil() -> None:
    modules = cache.package_modules()
    reached = cache.import_closure("generator.site.render", modules)
    assert "generator.site.pages.docs" in reached  # the methodology page quotes the catalog
    heavy = {m: sorted(_third_party(m) & set(FRAMEWORK_PACKAGES)) for m in reached}
    assert not {m: h for m, h in heavy.items() if h}


@pytest.mark.slow
def test_framebench_build_imports_no_framework(tmp_path: Path) -> None:
    """The real command, in a fresh interpreter: after a whole build none of them is loaded."""
    args = ["build", "--runs", str(SAMPLE_RUNS), "--out", str(tmp_path / "docs"), "--no-cache"]
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        f"code = main({args!r})\n"
        f"print(sorted(m for m in {FRAMEWORK_PACKAGES!r} if m in sys.modules), code)\n"
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[] 0"


def test_the_cache_key_covers_the_reducer_and_nothing_else() -> None:
    reduced = cache.import_closure(cache.REDUCER, cache.package_modules())
    assert {"generator.site.tidy", "generator.schema.models", "generator.catalog.flops"} <= reduced
    assert not {m for m in reduced if _part(m) in ("bench", "accuracy", "cli")}
    assert not {m for m in reduced if m.startswith(("generator.site.pages", "generator.site.output"))}
