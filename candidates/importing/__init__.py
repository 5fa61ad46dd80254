"""Candidate imports: CSV (with a column-mapping step), LinkedIn's Connections.csv and JSON Resume.

- `readers`: bytes → text → header and rows, for files as they really come.
- `linkedin`, `jsonresume`: the two known formats.
- `mapping`: column header → candidate field, guessed from the header and editable.
- `jobs`: creating and starting an `ImportJob` (what views, API and the command call).
- `runner`: running a job in batches, with de-duplication; `batch` holds the fast path.
- `failures`: the CSV of rows that failed, each with its reason.
"""
