"""What the results catalogue raises and warns, importable without the catalogue itself (the
command line handles them before it has imported DuckDB or pandas)."""


class CatalogError(RuntimeError):
    """The catalogue cannot be opened or written (locked, corrupt, wrong layout)."""


class CatalogWarning(UserWarning):
    """A run was written but could not be registered in the catalogue."""
