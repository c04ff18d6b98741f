"""compile / fit / evaluate / predict machinery."""
