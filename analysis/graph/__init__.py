"""The review's systems graph: events, key practice episodes, factors, findings and actions
joined by links, and the analysis and drawings made from it.

``model`` is the contract (frozen dataclasses in, a ``networkx.MultiDiGraph`` out); the
other modules take a ``ReviewGraph`` and return plain data, strings or bytes.
"""
