"""How work runs: per-county executors (serial, processes, Dask) and stopping from outside."""
