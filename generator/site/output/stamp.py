"""MkDocs hook (mkdocs.yml `hooks:`): pages written as raw HTML are stamped into one rendered shell
instead of each going through Markdown and the theme.

Run pages are most of a large site (10,000 at 10,000 runs) and MkDocs spends ~10 ms on each (Markdown,
navigation, the Material template). `framebench build` writes them as front matter that starts with
`stamp: true` and a body of raw HTML (generator/site/templates/run.md.j2). This hook

- takes them out of MkDocs' own build (`on_files`: excluded, so Markdown links to them still resolve
  and only log at INFO level) and adds one shell page per folder: the same front matter with a marker
  title and a marker body;
- keeps the shell's rendered HTML instead of writing it (`on_post_page`);
- writes each stamped page as the shell with its title and body put in (`on_post_build`). All pages of
  one folder sit at the same depth, so the shell's relative links (assets, navigation, search) are
  right for every one of them.

Without the hook the same files build the same pages the slow way (raw HTML passes through Markdown),
which is what tests/test_site_stamp.py compares against. Stamped pages must agree on their front
matter except `title`; their title is HTML-escaped into the shell (Material writes it unescaped).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

STAMP_LINE = "stamp: true"
PREFIX = f"---\n{STAMP_LINE}\n".encode()
SHELL = "_stamp.md"  # run ids start with a digit, so no run page has this name
TITLE = "fb-stamp-title-7e3a91"
# The shell's body is a Markdown heading, so the theme makes its "skip to content" link (to the first
# heading of the table of contents) and adds no title heading of its own; the rendered heading is
# replaced by the page's body, the link pointed at the body's first heading.
ANCHOR = "fb-stamp-body-7e3a91"
BODY = re.compile(rf'<h1 id="{ANCHOR}".*?</h1>', re.S)
FIRST_ID = re.compile(r'<h[1-6][^>]* id="([^"]*)"')


@dataclass
class _Folder:
    meta: dict[str, Any]  # the front matter every stamped page of the folder shares (title aside)
    pages: list[File] = field(default_factory=list)
    shell: str | None = None  # the rendered shell page


_folders: dict[str, _Folder] = {}  # per build: `mkdocs serve` rebuilds with the same module


def is_stamped(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(len(PREFIX)) == PREFIX


def read_page(path: str) -> tuple[str, str, dict[str, Any]]:
    """(title, body HTML, the rest of the front matter) of a stamped page."""
    text = Path(path).read_text(encoding="utf-8-sig")
    front = _front_matter(text)
    if front is not None:
        return front
    body, meta = get_data(text)
    title = meta.pop("title", None)
    meta.pop("stamp", None)
    if not isinstance(title, str):
        raise PluginError(f"{path}: a stamped page needs a `title` in its front matter")
    return title, body, meta


_parsed: dict[str, dict[str, Any]] = {}  # front matter without its title line -> its data


def _front_matter(text: str) -> tuple[str, str, dict[str, Any]] | None:
    """The quick way for pages whose title is one JSON-quoted line (as framebench writes them): the
    rest of the front matter, the same on every page, is parsed as YAML once. None: the slow way."""
    end = text.find("\n---\n", 3)
    if not text.startswith("---\n") or end < 0:
        return None
    lines = text[4 : end + 1].splitlines(keepends=True)
    titles = [i for i, line in enumerate(lines) if line.startswith('title: "')]
    if len(titles) != 1:
        return None
    try:
        title = json.loads(lines[titles[0]][len("title: ") :])
    except ValueError:
        return None
    rest = "".join(lines[: titles[0]] + lines[titles[0] + 1 :])
    if rest not in _parsed:
        _, meta = get_data(f"---\n{rest}---\n")
        meta.pop("stamp", None)
        _parsed[rest] = meta
    if not isinstance(title, str) or "title" in _parsed[rest]:
        return None
    return title, text[end + 5 :].lstrip("\n"), dict(_parsed[rest])


def shell_source(meta: dict[str, Any]) -> str:
    # JSON is YAML: the front matter round-trips without a YAML writer.
    front = json.dumps({**meta, "title": TITLE}, sort_keys=True, ensure_ascii=False)
    return f"---\n{front}\n---\n\n# {ANCHOR}\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _folders.clear()
    _parsed.clear()
    for file in list(files):
        if file.generated_by or not file.is_documentation_page() or file.abs_src_path is None:
            continue
        if not is_stamped(file.abs_src_path):
            continue
        file.inclusion = InclusionLevel.EXCLUDED
        folder = posixpath.dirname(file.src_uri)
        if folder not in _folders:
            _folders[folder] = _Folder(read_page(file.abs_src_path)[2])
        _folders[folder].pages.append(file)
    for folder, group in _folders.items():
        uri = posixpath.join(folder, SHELL)
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"{uri}: the name is kept for the shell of the stamped pages")
        source = shell_source(group.meta)
        files.append(File.generated(config, uri, content=source, inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    folder, name = posixpath.split(page.file.src_uri)
    if name == SHELL and folder in _folders and page.file.generated_by:
        _folders[folder].shell = output
        return ""  # not written: MkDocs logs "Page skipped" at INFO level
    return output


def split_shell(shell: str) -> tuple[str, str]:
    """The rendered shell before and after its marker heading."""
    found = list(BODY.finditer(shell))
    if len(found) != 1:
        raise PluginError(f"the stamp shell holds its marker heading {len(found)} times, not once")
    return shell[: found[0].start()], shell[found[0].end() :]


def stamp(head: str, tail: str, title: str, body: str) -> str:
    text = html.escape(title, quote=True)
    first = FIRST_ID.search(body)
    target = f"#{first.group(1)}" if first else "#"
    return (
        head.replace(TITLE, text).replace(f"#{ANCHOR}", target)
        + body
        + tail.replace(TITLE, text).replace(f"#{ANCHOR}", target)
    )


def on_post_build(config: MkDocsConfig) -> None:
    for folder, group in sorted(_folders.items()):
        if group.shell is None:
            raise PluginError(f"{folder}/{SHELL}: the shell page was not rendered")
        head, tail = split_shell(group.shell)
        for file in group.pages:
            assert file.abs_src_path is not None and file.abs_dest_path is not None
            title, body, meta = read_page(file.abs_src_path)
            body = body.strip()  # as Markdown gives the page's content
            if meta != group.meta:
                raise PluginError(f"{file.src_uri}: front matter differs from the other stamped pages")
            dest = Path(file.abs_dest_path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            # As MkDocs writes a page (a lone surrogate becomes a character reference).
            page = stamp(head, tail, title, body)
            dest.write_bytes(page.encode("utf-8", errors="xmlcharrefreplace"))
    _folders.clear()
