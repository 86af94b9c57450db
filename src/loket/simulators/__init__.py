"""Local simulators of outside systems, for the demo and the tests (ARCHITECTURE.md §5).

Each simulator speaks the real protocol on loopback. None of them imports Django models,
and each refuses to start when ``LOKET_ENVIRONMENT=production``.
"""
