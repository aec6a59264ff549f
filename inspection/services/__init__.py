"""Writes that span models, one module per concern: `visits` (submit, return,
publish, amend), `drafts` (the tablet's autosave, submission and photos), `monthly`
(results and ranks), `bonus` (rule 9 awards) and `planning`; `findings` turns
findings between the scorer's shape and Finding rows.

Every write is a keyword-only `<entity>_<action>` function in one transaction, so a
failure saves nothing half-way.
"""
