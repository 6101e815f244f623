"""MkDocs hook (mkdocs.yml `hooks:`): the docs folder's static files are hard-linked into the site
instead of copied.

The docs folder that `framebench build` writes holds, beside the pages, run files, table data and
chart specs: ~2.5 GB at 10,000 runs, which MkDocs would copy byte for byte (half of `mkdocs build`'s
time at 2,000 runs). Both folders are build output and the site folder is emptied before each build,
so a link serves as well as a copy; where the file system refuses one (another device), MkDocs copies.
Nothing may write into the site's static files in place: run files are links to the repository's own
(generator.site.output.writer links them into the docs folder, and replaces, never rewrites, a file).
"""

from __future__ import annotations

import os

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files


class LinkedFile(File):
    """A static file of the docs folder, linked rather than copied into the site."""

    def copy_file(self, dirty: bool = False) -> None:
        source, dest = self.abs_src_path, self.abs_dest_path
        if not dirty and self.generated_by is None and source is not None:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            try:
                if os.path.lexists(dest):
                    os.remove(dest)
                os.link(source, dest)
                return
            except OSError:
                pass
        super().copy_file(dirty)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for file in list(files):
        if type(file) is not File or file.generated_by or file.is_documentation_page():
            continue
        if file.src_dir != config.docs_dir:  # the theme's own assets
            continue
        files.remove(file)
        files.append(
            LinkedFile(
                file.src_uri,
                file.src_dir,
                file.dest_dir,
                config.use_directory_urls,
                dest_uri=file.dest_uri,
                inclusion=file.inclusion,
            )
        )
    return files
