"""Outside systems of the accounts module: the residents' identity provider."""
