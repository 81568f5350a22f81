"""Call events become calls (being written)."""
