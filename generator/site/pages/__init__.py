"""Page contexts, one module per page kind: what each page shows, formatted, with its links."""
