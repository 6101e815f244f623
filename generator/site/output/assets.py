"""The site's own script and style, and the vendored Vega bundle (made once by vl-convert, offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.site.cache import RunCache
from generator.site.output.writer import Writer

ASSETS = Path(__file__).resolve().parents[1] / "assets"
BUNDLE = "assets/vendor/vega-bundle.js"
VEGA_LITE = "6.4"  # the Vega-Lite version Altair 6 writes its schema for (v6.4.x)


def write_assets(writer: Writer, manifest: dict[str, Any], cache: RunCache | None = None) -> str:
    """Copy the assets; (re)make the Vega bundle only when vl-convert's versions change (kept in the
    build `cache` too: a fresh checkout's build would spend 3 s making it again)."""
    for asset in sorted(ASSETS.iterdir()):
        if asset.is_file() and asset.suffix in (".js", ".css"):
            writer.bytes(f"assets/{asset.name}", asset.read_bytes())
    import vl_convert

    version = (
        f"vega {vl_convert.get_vega_version()}, vega-embed {vl_convert.get_vega_embed_version()}, "
        f"Vega-Lite {VEGA_LITE}"
    )
    if manifest.get("bundle") == version and writer.keep(BUNDLE):
        return version

    def make() -> str:
        snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
        bundle = vl_convert.javascript_bundle(snippet, vl_version=VEGA_LITE)
        # A function scope keeps the bundle's top-level names out of the page's global scope; the
        # snippet publishes the three globals the chart loader uses. The bundle is minified already.
        header = f"/* Vega, Vega-Lite {VEGA_LITE} and vega-embed (BSD-3-Clause), bundled by {version}. */\n"
        return header + "(function () {\n" + bundle + "\n})();\n"

    writer.text(BUNDLE, cache.kept(f"vega-bundle {version}", make) if cache is not None else make())
    return version
