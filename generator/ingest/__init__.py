"""Importers of results measured outside framebench."""
