"""Catalog emulation: riffq answers clients' ``pg_catalog`` and
``information_schema`` queries itself (``start(catalog_emulation=True)``).

See docs/catalog.md for the pieces and docs/architecture.md for where
it sits. Nothing here is imported unless catalog emulation is on (DuckDB and
pglast load only then).
"""
