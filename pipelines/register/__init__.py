"""The register: the system of record of the collection.

Every received file (from the portal's pages, its API, the analyst on a region's
behalf, the inbox folder or `evstats submit`), its verdict and its place in the
lifecycle, the regions' explanations, the analyst's reviews and the releases
live here, in one relational database (SQLite by default, PostgreSQL when
`EVSTATS_DATABASE_URL` names one), reached through the Django ORM by the portal
and the pipeline alike. The DuckDB warehouse holds the analytical tables only
and is rebuilt from this register and the archive.
"""
