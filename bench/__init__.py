"""Loket's benchmark scenarios, run with `loket bench NAME`.

Every public module in this folder (a name without a leading underscore) is one
scenario. It defines:

- ``DESCRIPTION``: one line for `loket bench --list`;
- ``run(options: Options) -> dict``: measure, and return one result (see ``result`` in
  ``_common``) holding the subject's figures, a baseline measured in the same run on the
  same machine, and their ratio.

Absolute numbers depend on the machine; ratios against a baseline from the same run are
what can be compared between machines and over time. Scenarios build their own
temporary Loket site (data folder, SQLite database, server) and remove it afterwards;
they never touch the database of the deployment that runs them.

`loket bench` loads this folder by path, as the package ``loket_bench``: from the
repository root it is found automatically; elsewhere pass ``--bench-dir`` or set
LOKET_BENCH_DIR. Helpers shared by scenarios live in modules starting with ``_``.
"""

from __future__ import annotations


class BenchError(Exception):
    """A scenario cannot run (for instance a function it measures does not exist yet).
    `loket bench` prints the message and exits with status 1."""
