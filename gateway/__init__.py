"""The pond-side gateway (``kolam gateway``): store and forward, local alarms.

Nodes publish protocol v1 to the site's local broker; the gateway validates it,
commits it to a SQLite outbox before acknowledging it, and forwards it in
batches to the central broker with QoS 1, deleting only what was acknowledged.
See docs/gateway.md.
"""
