"""Candidate imports: CSV (with a column-mapping step), LinkedIn's Connections.csv and JSON Resume.

- `readers`: bytes → text → header and rows, for files as they really come (`values` tells
  data from column names when a file has no header).
- `linkedin`, `jsonresume`: the two known formats.
- `mapping`: column header → candidate field, guessed from the header (or the values) and editable.
- `jobs`: creating and starting an `ImportJob` (what views, API and the command call).
- `cleaning`: what a row needs (a name) and what it can do without (the rest, left out with a warning).
- `runner`: running a job in batches, with de-duplication; `batch` holds the fast path.
- `report`: the CSVs of the rows that failed and of the rows with warnings.
"""
