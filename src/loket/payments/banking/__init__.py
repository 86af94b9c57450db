"""Bank statements: parsers (``parsing``), import and matching (``services``), the
lists staff work from (``selectors``). ``loket.payments.services`` re-exports the
services; other modules never import this package directly."""
