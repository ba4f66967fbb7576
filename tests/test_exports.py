"""The public surface of the shared core is deliberate: changing it is a decision."""

import kolam


def test_kolam_exports() -> None:
    assert sorted(kolam.__all__) == sorted([
        "METRICS", "Band", "Bucket", "Command", "DeviceRef", "KolamConfig", "KolamError",
        "Latest", "Level", "Limits", "Metric", "PondRef", "ProtocolError", "Reason", "Sample",
        "SeriesKey", "Status", "Telemetry", "TimeSeriesReader", "TimeSeriesWriter",
        "load_config",
    ])
    for name in kolam.__all__:
        assert getattr(kolam, name) is not None
