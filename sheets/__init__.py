"""Spreadsheets as both apps read and write them.

`reading` opens an uploaded workbook within limits, `cells` turns its cells into
Python values, `results` collects what an import found (bad cells and counts), and
`writing` holds the formula-safe text cell and the one template writer (a header
sheet and its 说明 guide). Nothing here knows stores or visits.
"""
