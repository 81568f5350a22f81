"""Field rules of roles: which fields of each record type a role may not read or not change (#21 item 10)."""
