"""Outside systems that carry messages: each behind a small protocol (``base``)."""
