"""Likely duplicate candidates, computed in the background and read from a table.

- `matching`: the signals that make two records likely the same person, and the queries that find
  them (one candidate's twins through the indexes; every pair of an organisation at once).
- `models`: `DuplicatePair` (the computed pairs) and `DuplicateDismissal` ("not a duplicate").
- `services`: keeping the pairs current (queued after every write that changes a matching field),
  rebuilding an organisation's pairs, dismissing a pair.
- `selectors`: what the profile page and the duplicates page read.
- `views`: the duplicates page, "not a duplicate" and the side-by-side merge.

Imported lazily (no re-exports here): `candidates.models` imports `duplicates.models` to register them.
"""
