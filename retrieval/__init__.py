"""Pure Arabic sentence retrieval: text in, ranked sentences out.

Nothing in this package imports Telegram or SQLite; ``tests/test_boundaries.py`` enforces it.
"""
