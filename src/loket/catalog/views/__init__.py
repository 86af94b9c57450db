"""Pages of the catalogue: the residents' portal and the back office."""
