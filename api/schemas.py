"""Response models of the REST API (``/api/v1``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SitePublic(BaseModel):
    slug: str
    name: str
    pond_count: int
    kind: str = Field("other", description="rutan | lapas | lpka | other")
    province: str | None = None
    regency: str | None = None
    lat: float | None = Field(None, description="Degrees north; null until recorded")
    lon: float | None = Field(None, description="Degrees east; null until recorded")
    timezone: str = Field("Asia/Jakarta", description="IANA time zone of the site's days")
    altitude_m: float = 0.0


class DevicePublic(BaseModel):
    slug: str
    online: bool | None = Field(description="From the retained status / Last Will")
    last_status: str | None = Field(description="When the last status arrived (ISO UTC)")
    fw: str | None
    boot: int | None
    battery_v: float | None
    rssi_dbm: float | None
    interval_s: float | None


class LatestValue(BaseModel):
    value: float
    unit: str
    t: str = Field(description="Sample time, ISO 8601 UTC")
    t_ms: int
    age_s: float = Field(description="Seconds between the sample time and now")
    level: str = Field(description="ok | warning | critical against the default bands")
    device: str


class PondSummary(BaseModel):
    site: str
    slug: str
    name: str
    status: str = Field(description="ok | warning | critical | offline: the worst severity "
                                    "of the pond's open alerts (ok when none), or offline "
                                    "when its readings stopped (api.status.PondStatus)")
    last_seen: str | None
    area_m2: float | None = None
    depth_cm: float | None = None
    kind: str | None = Field(None, description="tarpaulin | concrete | earthen | biofloc")
    min_level_cm: float | None = Field(None, description="Below this the level rule alarms")
    active: bool = True


class PondDetail(PondSummary):
    latest: dict[str, LatestValue]
    devices: list[DevicePublic]
    active_alerts: list[dict[str, object]] = Field(
        default_factory=list, description="Open alerts (filled by the alerting engine)")
    current_cycle: dict[str, object] | None = None


class SeriesPoint(BaseModel):
    t: str
    t_ms: int
    value: float


class SeriesBucket(BaseModel):
    t: str
    t_ms: int
    mean: float
    min: float
    max: float
    count: int


class SeriesPublic(BaseModel):
    site: str
    pond: str
    metric: str
    unit: str
    start: str
    end: str
    step: int | None = Field(description="Bucket width in seconds; null for raw points")
    points: list[SeriesPoint] | None = None
    buckets: list[SeriesBucket] | None = None


class DeadLetterPublic(BaseModel):
    id: int
    received_at: str
    source: str
    topic: str
    reason: str
    detail: str
    payload: str


class DeadLetterPage(BaseModel):
    total_by_reason: dict[str, int]
    items: list[DeadLetterPublic]
