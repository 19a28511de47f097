"""Django forms, one module per kind: query-string filters (filters.py), contract edits
(edits.py), the audit page's filters (audit.py) and the expiry radar's (radar.py). Forms validate
input and return Python values; they never call fabric (tests/test_boundaries.py enforces it)."""
