"""Read-side queries behind the pages: the rankings, a store's page, the overview,
the inspector's and reviewer's lists and the month's plan.

Every function runs a fixed number of queries whatever the number of stores:
rows come from the stored `MonthlyResult`s (never from re-scoring visits) and
are fetched in one go, then grouped in Python, never one query per store.
"""
