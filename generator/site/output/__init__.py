"""Output: page contexts → Markdown/HTML files, chart specs, table data files, assets and downloads."""
