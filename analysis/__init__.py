"""Pure-Python analysis: taxonomies, Markdown, dates, bundle validation and (later) the graph.

Nothing here imports Flask, SQLAlchemy, ``models`` or ``app``: it takes plain data and gives
plain data back, so it can be tested and reused alone.
"""
