"""`make bench-lighthouse`: Lighthouse's four scores (performance, accessibility, best practices, SEO)
for the heaviest page of each kind of the built site.

The site is served gzipped from 127.0.0.1, as GitHub Pages serves it, and Lighthouse (the npm package,
installed outside the repository's dependencies) drives Debian's chromium ($CHROME_PATH, default
/usr/bin/chromium). The heaviest page of a kind is its largest HTML file. Scores vary from run to run on a
busy machine, so each page is audited three times (`--repeat`) and the median is reported. Figures go to
bench_results/lighthouse.json (lighthouse-desktop.json with `--preset desktop`); each failing audit is
named so that it can be fixed.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.runmeta import load_average

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSED = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")
# Page kind -> the folder whose largest index.html stands for it ("" = that exact page).
KINDS = {
    "home": ("", True),
    "heaviest OS": ("machines/*/index.html", False),
    "heaviest machine": ("machines/*/*/index.html", False),
    "heaviest case": ("operations/*/index.html", False),
    "heaviest run": ("runs/*/index.html", False),
    "comparison": ("frameworks/index.html", True),
    "accuracy": ("accuracy/index.html", True),
    "heaviest architecture": ("accuracy/architectures/*/index.html", False),
    "changes": ("history/changes/index.html", True),
    "heaviest history": ("history/*/index.html", False),
}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it (as GitHub Pages does)."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        if not self.path.split("?")[0].endswith("/") and Path(self.translate_path(self.path)).is_dir():
            return super().send_head()  # the redirect to the folder URL
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=folder)
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def pages(site: Path) -> dict[str, str]:
    """Page kind -> URL path of its heaviest page (kinds the site does not have are left out)."""
    out: dict[str, str] = {}
    for kind, (pattern, exact) in KINDS.items():
        if exact:
            if (site / (pattern or "index.html")).is_file():
                out[kind] = pattern.removesuffix("index.html")
            continue
        exact_pages = {site / p for p, is_exact in KINDS.values() if is_exact and p}  # a kind of its own
        found = sorted(
            (p for p in site.glob(pattern) if p not in exact_pages), key=lambda p: (p.stat().st_size, str(p))
        )
        if found:
            out[kind] = str(found[-1].parent.relative_to(site)) + "/"
    return out


def audit(lighthouse: str, url: str, preset: str | None) -> dict[str, Any]:
    cmd = [lighthouse, url, "--output=json", "--output-path=stdout", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]  # fmt: skip
    if preset:
        cmd.append(f"--preset={preset}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: lighthouse failed on {url}: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    failing = sorted(
        f"{c}: {report['audits'][ref['id']]['title']}"
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if ref.get("weight", 0) > 0
        and report["audits"][ref["id"]].get("score") is not None
        and report["audits"][ref["id"]]["score"] < 0.9
    )
    metrics = {
        name: report["audits"][name].get("displayValue", "")
        for name in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "dom-size",
        )
        if name in report["audits"]
    }
    return {"scores": scores, "failing": failing, "metrics": metrics}


def median_result(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Lighthouse scores vary from run to run on a busy machine: each category's median, the metrics
    and failing audits of the run whose performance is the median, and every run's scores."""
    ordered = sorted(results, key=lambda r: r["scores"]["performance"])
    middle = ordered[(len(ordered) - 1) // 2]
    scores = {c: sorted(r["scores"][c] for r in results)[(len(results) - 1) // 2] for c in CATEGORIES}
    return {**middle, "scores": scores, "runs": [r["scores"] for r in results]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lighthouse", description=__doc__)
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (mkdocs build)")
    parser.add_argument("--lighthouse", default=".cache/lighthouse/node_modules/.bin/lighthouse")
    parser.add_argument("--preset", choices=("desktop", "perf"), default=None, help="default: mobile")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the median is reported")
    parser.add_argument("--kinds", default="", help="comma-separated page kinds (default: all)")
    parser.add_argument(
        "--out", type=Path, default=None, help="default: bench_results/lighthouse[-<preset>].json"
    )
    args = parser.parse_args(argv)
    out = args.out or Path(f"bench_results/lighthouse{'-' + args.preset if args.preset else ''}.json")
    wanted = {k.strip() for k in args.kinds.split(",") if k.strip()}
    results: dict[str, Any] = {}
    load = {"start": load_average()}  # anything else on the CPU lowers performance scores
    with serve(args.site) as base:
        for kind, path in pages(args.site).items():
            if wanted and kind not in wanted:
                continue
            runs = [summary(audit(args.lighthouse, base + path, args.preset)) for _ in range(args.repeat)]
            result = median_result(runs)
            results[kind] = {"page": path or "/", **result}
            scores = " ".join(f"{c} {s:3d}" for c, s in result["scores"].items())
            print(f"{kind:22} {scores}  /{path}")
            print(f"{'':22} performance per run: {[r['performance'] for r in result['runs']]}")
            for line in result["failing"]:
                print(f"{'':22} needs work: {line}")
    out.parent.mkdir(parents=True, exist_ok=True)
    load["end"] = load_average()
    report = {"preset": args.preset or "mobile", "repeat": args.repeat, "load_1min": load, "pages": results}
    out.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
