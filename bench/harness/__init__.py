"""What every benchmark needs besides its scenario, written once.

- `machine`: CPU and memory from /proc (per process, per process tree, per PostgreSQL backend,
  the whole machine), the load average, percentiles.
- `database`: a scratch database (created, migrated, dropped), one-off admin statements.
- `server`: free ports, and the server as deployed (`python -m server.cli serve`) started,
  waited for, stopped or killed; the sync test that kills a server uses it too.
- `tenant`: a tenant registered through the API, its staff, registers with open shifts, the
  catalog CSV, and the tenant's Redis keys cleaned up.
- `profiler`: py-spy attached to a running process, and summaries of what it recorded.
- `figures`: a phase's CPU per party and its latency percentiles, as the reports print them.
- `metrics`: server-side time per route, from the server's own `/metrics`.
- `inserts`: plain multi-row and `unnest` INSERT statements, for baselines.

A benchmark's `run.py` keeps only its scenario and its baseline. Benchmarks put the repository's
root on `sys.path` before importing this package (they run as scripts).
"""
