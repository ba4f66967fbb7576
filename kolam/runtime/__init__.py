"""What every service process is built from: logging (``logs``), stopping on a signal
(``shutdown``), retrying transient errors (``retry``), the hand-over from the MQTT thread
to a worker (``inbox``) and dead letters (``deadletter``)."""
