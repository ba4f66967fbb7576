"""Simulated sensor nodes speaking protocol v1 (``kolam sim``)."""
