"""The `framebench` command line: parse arguments, call one plain function, print.

Errors a user can cause are UserError and come out as `error: ...` lines with exit code 1;
bad arguments exit 2 (argparse's convention) with one `error:` line. Heavy imports (frameworks,
pandas, the site toolchain) happen inside the handlers so `framebench --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator import __version__
from generator.bench.options import MODEL_VARIANT_CASES, MODELS_PROCESSES, OpsOptions, models_options
from generator.catalog import protocol
from generator.catalog.names import DEVICES as KNOWN_DEVICES
from generator.catalog.names import FRAMEWORKS, ZOOS
from generator.errors import UserError, needs

DEVICES = ("auto", *KNOWN_DEVICES)
ZOO_HELP = "keras (Keras applications), pytorch (torchvision) or all (default: all)"


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one `error:` line plus a hint, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {self.prog}: {message}\nTry '{self.prog} --help'.\n")
        raise SystemExit(2)


def csv_choice(valid: Sequence[str], *, allow_all: bool = False) -> type:
    """An argparse type for comma-separated names, each checked against `valid`."""

    class CsvChoice:
        def __new__(cls, text: str) -> tuple[str, ...]:  # type: ignore[misc]
            names = tuple(n.strip() for n in text.split(",") if n.strip())
            if allow_all and names == ("all",):
                return tuple(valid)
            bad = [n for n in names if n not in valid]
            if bad or not names:
                raise argparse.ArgumentTypeError(
                    f"unknown name(s) {', '.join(bad) or repr(text)}; valid: {', '.join(valid)}"
                )
            return names

    CsvChoice.__name__ = "list"
    return CsvChoice


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _command_line(argv: Sequence[str]) -> str:
    from generator.machine.privacy import scrub_text

    return scrub_text(shlex.join(["framebench", *argv]))


# --- handlers: each calls one function and prints ---------------------------------------------


def cmd_env(args: argparse.Namespace) -> int:
    with needs("env"):
        from generator.machine.detect import describe, fingerprint

    machine = fingerprint()
    if args.json:
        print(json.dumps(machine.model_dump(mode="json", exclude_none=True), indent=2, sort_keys=True))
    else:
        print(describe(machine))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.schema import run_schema

    print(json.dumps(run_schema(), indent=2, sort_keys=True))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from generator.compare import as_json, as_markdown, as_text, compare_runs, print_rich

    comparison = compare_runs([args.base], [args.new], min_effect=args.min_effect, force=args.force)
    plain = args.json or args.markdown or not sys.stdout.isatty()
    if plain or not print_rich(comparison):
        render = as_json if args.json else as_markdown if args.markdown else as_text
        sys.stdout.write(render(comparison))
    if args.fail_on_regression and comparison.regressions:
        print(f"error: {len(comparison.regressions)} case(s) got significantly slower", file=sys.stderr)
        return 1
    return 0


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < 10:
        raise argparse.ArgumentTypeError(f"must be between 0 and 10 (0.05 = 5 %), got {text}")
    return value


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.schema import load_runs

    runs = load_runs(args.paths or [Path("runs")])
    print(f"ok: {len(runs)} run file(s) valid")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    with needs("site"):
        from generator.site.render import build_site

    if args.runs_url is not None:
        address = urllib.parse.urlsplit(args.runs_url)
        if (
            address.scheme not in ("http", "https")
            or not address.netloc
            or any(c.isspace() for c in args.runs_url)
        ):
            raise UserError(f"--runs-url: {args.runs_url!r} is not an http(s) address")
    cache = None if args.no_cache else args.cache
    built = build_site(args.runs, args.out, cache=cache, runs_url=args.runs_url)
    print(f"wrote {len(built.pages)} page(s) from {built.runs} run(s) into {args.out}")
    return 0


def cmd_bench_ops(args: argparse.Namespace) -> int:
    """`bench ops`, and `bench models`: the ops runner on the zoo cases that models_options picks."""
    with needs("bench"):
        from generator.bench.runner import run_ops

    options = OpsOptions(
        frameworks=getattr(args, "framework", None),  # bench models has --zoo instead
        device=args.device,
        quick=args.quick,
        cases=getattr(args, "cases", None),  # bench models has no --cases
        threads=args.threads,
        out=args.out,
        resume=args.resume,
        command=args.command_line,
        processes=args.processes,
    )
    if args.suite == "models":
        options = models_options(options, zoos=args.zoo, all_models=args.all_models, variants=args.variants)
    print(run_ops(options))
    return 0


def cmd_bench_accuracy(args: argparse.Namespace) -> int:
    with needs("bench"):
        from generator.accuracy.evaluate import AccuracyOptions, run_accuracy

    options = AccuracyOptions(
        data=args.data,
        frameworks=args.zoo,
        models=args.models,
        protocol=args.protocol,
        batch_size=args.batch_size,
        device=args.device,
        weights=args.weights,
        limit=args.limit,
        workers=args.workers,
        out=args.out,
        command=args.command_line,
        resume=args.resume,
    )
    print(run_accuracy(options))
    return 0


def cmd_ingest_top5(args: argparse.Namespace) -> int:
    with needs("bench"):
        from generator.ingest.top5 import ingest_top5

    print(ingest_top5(args.dir, out=args.out, command=args.command_line))
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    from generator.contrib.submit import submit

    submitted = submit(args.runfile, runs_dir=args.runs)
    print("\n".join([*submitted.report, str(submitted.path)]))  # the path last, for scripts
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from generator.contrib.check import check_runs

    checked = check_runs(args.runfiles, runs_dir=args.runs, strict=args.strict)
    print("\n".join(checked.lines))
    return 1 if checked.failed else 0


# --- parser ------------------------------------------------------------------------------------


def _run_file_options() -> Parser:
    """The options every bench suite shares: the device, where the run file goes, and resuming one."""
    parent = Parser(add_help=False)
    shared = parent.add_argument_group("options of every bench suite")
    shared.add_argument(
        "--device", choices=DEVICES, default=None, help="default: auto (a GPU when one is seen)"
    )
    shared.add_argument(
        "--out", type=Path, default=None, help="folder for the run file (default: runs/<os-tag>/)"
    )
    shared.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="FILE",
        help="continue an interrupted run file with its recorded options, skipping finished work",
    )
    return parent


def _worker_options(processes: str) -> Parser:
    """The options of the suites the ops runner measures; `processes` is their --processes default."""
    parent = Parser(add_help=False)
    shared = parent.add_argument_group("options of the ops runner (bench ops, bench models)")
    shared.add_argument(
        "--threads", type=positive_int, default=None, help="intra-op threads (default: all cores)"
    )
    shared.add_argument(
        "--processes",
        type=positive_int,
        default=None,
        help=f"independent worker processes per case (default: {processes}); 2 or more give an interval "
        "that holds between runs",
    )
    return parent


def build_parser() -> Parser:
    parser = Parser(
        prog="framebench",
        description="Benchmark NumPy, TensorFlow/Keras and PyTorch on this machine and publish the runs.",
    )
    parser.add_argument("--version", action="version", version=f"framebench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser, required=True)

    p = sub.add_parser("env", help="print this machine's fingerprint")
    p.add_argument("--json", action="store_true", help="as JSON (the run file's machine block)")
    p.set_defaults(handler=cmd_env)

    p = sub.add_parser("schema", help="print the run-file JSON Schema")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("validate", help="validate run files (default: runs/)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="run files or folders")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser(
        "compare",
        help="NEW vs BASE, case by case: ratio, 95 %% interval, smallest detectable change, verdict",
        description="For every case in both, the time ratio NEW/BASE with a 95 % interval and the smallest "
        "change the comparison could have detected. Each run's case estimate is the mean of its worker "
        "processes' log medians, its noise moderated over the run's cases; each side adds the machine's "
        "run-to-run noise (measured from repeated runs of the same versions among BASE and NEW, else a "
        "stated default). 'slower' or 'faster' needs the interval beyond --min-effect after correcting for "
        "the number of cases; 'can't tell' says how many runs a side would resolve it. Cases measured in "
        "one process on a side get no verdict. Runs on different hardware are refused unless --force.",
    )
    p.add_argument("base", type=Path, metavar="BASE", help="run file or folder of runs")
    p.add_argument("new", type=Path, metavar="NEW", help="run file or folder of runs")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--markdown", action="store_true", help="a table for a pull-request comment")
    p.add_argument(
        "--min-effect",
        type=fraction,
        default=0.05,
        help="the equivalence margin: smaller changes are 'the same' (default 0.05 = 5 %%)",
    )
    p.add_argument(
        "--fail-on-regression", action="store_true", help="exit 1 when any case got slower beyond the margin"
    )
    p.add_argument("--force", action="store_true", help="compare runs of different hardware anyway")
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser("build", help="render the site's Markdown pages from the runs")
    p.add_argument("--runs", type=Path, default=Path("runs"), help="runs folder (default: runs/)")
    p.add_argument(
        "--out", type=Path, default=Path("site_src"), help="MkDocs docs folder (default: site_src/)"
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=Path(".cache/build"),
        help="keep runs read here, keyed by their bytes and the generator's code, so that the next "
        "build reads back the unchanged ones (default: .cache/build/)",
    )
    p.add_argument("--no-cache", action="store_true", help="read and validate every run file again")
    p.add_argument(
        "--runs-url",
        metavar="URL",
        help="link each run page's file to URL/<its path under --runs> (e.g. the repository's runs/ "
        "at this commit) instead of copying run files into the site",
    )
    p.set_defaults(handler=cmd_build)

    bench = sub.add_parser("bench", help="measure this machine").add_subparsers(
        dest="suite", metavar="SUITE", parser_class=Parser, required=True
    )
    run_file = _run_file_options()
    p = bench.add_parser(
        "ops",
        parents=[run_file, _worker_options(f"{protocol.PROCESSES}, {protocol.QUICK_PROCESSES} with --quick")],
        help="tensor ops, gradients, training and inference timings",
        description="Time every case in several independent worker processes (frameworks rotated, "
        "cases shuffled per pass); the 95 % interval comes from the spread between processes. "
        "With --resume, options not given are those the run was started with.",
    )
    p.add_argument(
        "--framework",
        type=csv_choice(FRAMEWORKS, allow_all=True),
        default=None,
        help=f"comma-separated, from {', '.join(FRAMEWORKS)} (default: all)",
    )
    p.add_argument(
        "--quick", action="store_true", default=None, help="a representative subset (minutes, not an hour)"
    )
    p.add_argument(
        "--cases",
        type=lambda s: tuple(c.strip() for c in s.split(",") if c.strip()),
        default=None,
        help="comma-separated case names or families to run (default: all)",
    )
    p.set_defaults(handler=cmd_bench_ops)

    p = bench.add_parser(
        "accuracy", parents=[run_file], help="ImageNet top-1/top-5 and speed of the model zoos"
    )
    p.add_argument(
        "--data",
        type=Path,
        required=True,
        metavar="IMAGENET_VAL_DIR",
        help="ImageNet val folder, one subfolder per synset (torchvision ImageFolder layout)",
    )
    p.add_argument("--zoo", type=csv_choice(ZOOS, allow_all=True), default=None, help=ZOO_HELP)
    p.add_argument(
        "--models",
        type=lambda s: tuple(m.strip() for m in s.split(",") if m.strip()),
        default=None,
        help="comma-separated model names (default: every supported model)",
    )
    p.add_argument(
        "--protocol",
        choices=("original", "standard"),
        default=None,
        help="original: the 34-model study's preprocessing; standard (default): each zoo's documented one",
    )
    p.add_argument("--batch-size", type=positive_int, default=None, help="default: 32")
    p.add_argument(
        "--weights",
        choices=("imagenet", "none"),
        default=None,
        help="imagenet (default) or none: random weights, for testing the pipeline without downloads",
    )
    p.add_argument("--limit", type=positive_int, default=None, metavar="N", help="first N images per class")
    p.add_argument("--workers", type=int, default=None, help="data-loading workers (default: CPU count)")
    p.set_defaults(handler=cmd_bench_accuracy)

    p = bench.add_parser(
        "models",
        parents=[run_file, _worker_options(str(MODELS_PROCESSES))],
        help="inference speed of the Keras and torchvision model zoos (random weights)",
        description="Throughput and latency of every study model (34: 13 Keras, 21 torchvision) at batch 1 "
        "and 32, each at its own input size, with random weights (speed does not depend on them). The ops "
        "runner measures them: several worker processes per case, checkpointed, resumable.",
    )
    p.add_argument("--zoo", type=csv_choice(ZOOS, allow_all=True), default=None, help=ZOO_HELP)
    p.add_argument("--quick", action="store_true", default=None, help="3 models per zoo at batch 1")
    p.add_argument(
        "--all-models",
        action="store_true",
        help="every classifier the installed Keras and torchvision provide",
    )
    p.add_argument(
        "--variants",
        type=csv_choice(tuple(MODEL_VARIANT_CASES)),
        default=None,
        help="also measure these variants: channels-last (torch), graph (Keras), compiled "
        "(torch.compile / XLA)",
    )
    p.set_defaults(handler=cmd_bench_ops)

    ingest = sub.add_parser("ingest", help="import results from outside").add_subparsers(
        dest="source", metavar="SOURCE", parser_class=Parser, required=True
    )
    p = ingest.add_parser("top5", help="import <model>_<keras|pytorch>_imagenet_top5{preds,probs}.npy files")
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--out", type=Path, default=Path("runs/imported"), help="default: runs/imported/")
    p.set_defaults(handler=cmd_ingest_top5)

    p = sub.add_parser("submit", help="check a run file and copy it into runs/ for a pull request")
    p.add_argument("runfile", type=Path, metavar="RUNFILE")
    p.add_argument("--runs", type=Path, default=Path("runs"))
    p.set_defaults(handler=cmd_submit)

    p = sub.add_parser("check", help="plausibility and duplicate check against existing runs")
    p.add_argument("runfiles", type=Path, nargs="+", metavar="RUNFILE")
    p.add_argument("--runs", type=Path, default=Path("runs"))
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.set_defaults(handler=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = _command_line(argv)
    try:
        return int(args.handler(args))
    except UserError as e:
        for line in e.lines:
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
