"""Chronologies: fuzzy event dates, agency chronology files, merging and who knew what.

Pure Python like the rest of ``analysis``: bytes and plain data in, frozen dataclasses out.
"""
