"""Simulator helpers for end-to-end tests."""

from __future__ import annotations

from firmware_sim.simple import SimpleModel


class RecordingModel(SimpleModel):
    """The simple model, remembering every reading it handed out (the expected data)."""

    def __init__(self, n: int, seed: int = 3) -> None:
        super().__init__(n, seed=seed)
        self.log: list[tuple[int, list[dict[str, float]]]] = []

    def readings(self, t_ms: int) -> list[dict[str, float]]:
        out = super().readings(t_ms)
        self.log.append((t_ms, out))
        return out
