"""Model coefficients (with sources) and the per-pond parameters drawn from the seed.

Rates are per hour and concentrations mg/L unless a name says otherwise. Where a value is
a calibration rather than a measurement, the comment says what it was calibrated to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

# --- oxygen -------------------------------------------------------------------------------
# Light-saturated gross photosynthesis per µg/L chlorophyll-a at 20 °C (~15 mg O2/L/day gross
# in a green pond). Calibrated so a pond with chl-a ~100 µg/L swings from 3–4 mg/L at dawn to
# 11–14 mg/L in mid-afternoon (DOMAIN.md: "exceed saturation in the afternoon (up to ~15)").
PMAX20_PER_CHL = 0.0135
# Photosynthesis halves at this pH, where free CO2 is exhausted; keeps afternoon pH < ~9.5.
PH_CARBON_LIMIT = 9.3
# Irradiance (relative to clear-sky noon) where the P–I curve bends, tanh form of
# Jassby & Platt (1976).
LIGHT_SATURATION = 0.5
THETA_PHOTO = 1.036
# DOMAIN.md: "θ ≈ 1.04–1.08" for respiration and sediment demand.
THETA_RESP = 1.06
# Night respiration split (DOMAIN.md): ~42 % plankton, ~50 % sediment, the rest fish. The
# plankton term and the sediment terms (old sediment below plus the decay of settled bloom,
# BOD20_PER_H) give roughly that split for a 0.8 m green pond with chl-a ~100 µg/L.
RESP20_PER_CHL = 0.0011
SOD20_G_M2_H = 0.03
# Aquatic O2 uptake of lele (mg O2/kg/h at 20 °C): small because the arborescent organ
# carries most of the oxygen (DOMAIN.md; Belão et al. 2011).
FISH_RESP20_MG_KG_H = 14.0
# Respiration slows as DO approaches zero (half-saturation, mg/L); fish switch to air.
K_DO_RESP = 0.5
# Lele breathe air but still release most of their CO2 through the gills into the water:
# total metabolism (mg O2/kg/h at 20 °C, respiratory quotient ~1) feeds pond DIC.
FISH_TOTAL_RESP20_MG_KG_H = 90.0
K_DO_FISH = 1.0
# Still-water surface transfer velocity (m/h); kLa = K_L / depth. Wind multiplies it.
K_L_M_H = 0.022
# CO2 crosses the surface a little slower than O2: (D_CO2 / D_O2)^0.5 ≈ 0.89.
K_L_CO2_RATIO = 0.89
# Aerator standard oxygen transfer rate (g O2/h) of a small blower per 24 m³ pond; field
# transfer is SOTR · (Cs − C)/Cs20 · 1.024^(T−20) (ASCE 2-06 convention). Deliberately weaker
# than night respiration, so DO still falls until dawn (the DOMAIN.md daily cycle) and the
# blower buys ~1 mg/L at dawn; the aerator-failure scenario uses 3× on a 2× stocked site.
AERATOR_SOTR_G_H = 9.0
CS20_MGL = 9.09
THETA_AERATOR = 1.024

# --- nitrogen -----------------------------------------------------------------------------
TAN_PER_FEED_PROTEIN = 0.092  # kg TAN-N per kg feed protein (DOMAIN.md)
# Nitrification uses 4.57 g O2 per g N (DOMAIN.md): 3.43 for NH4→NO2, 1.14 for NO2→NO3.
O2_PER_N_AOB = 3.43
O2_PER_N_NOB = 1.14
# ... and about 7.1 g alkalinity as CaCO3 per g N (DOMAIN.md); 50 mg CaCO3 = 1 meq.
ALK_MEQ_PER_MG_N = 7.14 / 50.0
NITRIF20_PER_H = 4.0 / 24.0  # first-order AOB rate; calibrated to TAN ~0.05–0.5 mg/L
NOB20_PER_H = 6.0 / 24.0  # nitrite oxidisers, more DO-sensitive: NO2-N ~0.05–0.3 mg/L
THETA_NITRIF = 1.07
# Below about 2 mg/L DO nitrification stops (DOMAIN.md): steep Hill switches on DO.
K_DO_AOB = 1.5
K_DO_NOB = 2.0
# Algae take NH4 with the carbon they fix: Redfield 16 N per 106 C, one O2 per C.
N_PER_O2 = 16.0 * 14.0 / (106.0 * 32.0)
K_TAN_UPTAKE = 0.1
# A fifth of the nitrogen in respired organic matter returns as TAN; the rest is buried or
# lost to denitrification in the sediment (calibration).
REMINERALISED_FRACTION = 0.2

# Lime at stocking and carbonate in the sediment hold alkalinity near 150 mg/L CaCO3 against
# nitrification; modelled as a relaxation (time constant ~2 days). The high buffer keeps the
# daily pH swing in DOMAIN.md's 0.5–1.5 units.
BASE_ALK_MEQ = 3.0
ALK_RECOVERY_PER_H = 1.0 / (2.0 * 24.0)

# --- organic matter, solids ---------------------------------------------------------------
UNEATEN_FEED_FRACTION = 0.03
COD_PER_FEED = 1.2  # g O2 demand per g feed decomposing (typical for pelleted feed)
BOD20_PER_H = 1.0 / 24.0
# Share of the bloom's net production that dies and decays in the pond (the rest leaves as
# grown algae, zooplankton, insects and buried sediment). Couples P and R over days, which
# keeps DIC, and so pH, from drifting.
SETTLED_NPP_FRACTION = 0.35
CHL_O2_EQUIVALENT = 0.13  # mg O2 per µg chl-a of dead algae (C:chl ≈ 50, 2.67 g O2/g C)
TDS_PER_FEED = 0.05  # g dissolved solids per g feed (excretion, leached minerals)
NTU_PER_CHL = 0.3  # plankton turbidity; green water ~30 NTU at 100 µg/L chl-a
NTU_PER_TSS = 0.9  # mineral suspended solids
TSS_SETTLING_PER_H = 1.0 / 12.0
# Rain plus runoff from the banks (runoff_ratio per pond): muddy, and carrying soil CO2,
# which is what lowers pH after a storm (DOMAIN.md: rain, pH ~5.6, lowers pond pH).
RUNOFF_TSS_MGL = 150.0
RUNOFF_DIC_MMOL = 1.5

# --- water ---------------------------------------------------------------------------------
EVAPORATION_CM_D = 0.45  # open-water evaporation in lowland West Java, ~4–5 mm/day
TOPUP_CM_H = 4.0  # a small pump from the well
# Lele farmers change water routinely (siphon the sludge, refill from the well); modelled as
# a steady exchange of 15 % of the volume per day.
EXCHANGE_PER_H = 0.15 / 24.0
TOPUP_TRIGGER_CM = 5.0
RAIN_TEMP_C = 24.0
WELL_TEMP_C = 27.5
WELL_DO_MGL = 2.5
WELL_ALK_MEQ = 2.4
WELL_TDS_PPM = 320.0


@dataclass(frozen=True, slots=True)
class PondParams:
    """Fixed properties of each pond (arrays of shape (n_ponds,))."""

    area_m2: F64
    target_level_cm: F64
    max_level_cm: F64
    chl_capacity_ugl: F64
    sod20_g_m2_h: F64
    temp_offset_c: F64
    tau_h: F64
    seepage_cm_h: F64
    runoff_ratio: F64
    aerator_sotr_g_h: F64
    feed_protein: F64
    feed_factor: F64
    nitrif_factor: F64
    uptake_factor: F64
    exchange_factor: F64
    source_tds_ppm: F64
    initial_count: F64
    initial_abw_g: F64
    variant: NDArray[np.int64]  # 0 typical, 1 dense stocking, 2 clear water, 3 heavy bloom


VARIANT_NAMES = ("typical", "dense stocking", "clear water", "heavy bloom")


def draw_params(n_ponds: int, seed: int, feed_factor: float = 1.0,
                nitrif_factor: float = 1.0, uptake_factor: float = 1.0,
                exchange_factor: float = 1.0, stocking_factor: float = 1.0,
                aerator_factor: float = 1.0) -> PondParams:
    """Per-pond parameters: a typical pond with ±10 % jitter, a few variants."""
    rng = np.random.default_rng([seed, 0xB0D])

    def jitter(base: float, rel: float = 0.1) -> F64:
        return base * rng.uniform(1.0 - rel, 1.0 + rel, n_ponds)

    variant = np.where(rng.random(n_ponds) < 0.3, rng.integers(1, 4, n_ponds), 0)
    if n_ponds >= 4 and not variant.any():
        variant[int(rng.integers(n_ponds))] = int(rng.integers(1, 4))
    chl = jitter(100.0)
    chl = np.where(variant == 2, chl * 0.7, np.where(variant == 3, chl * 1.35, chl))
    target = rng.uniform(70.0, 95.0, n_ponds)
    # Rutan ponds: 20–40 m² tanks, 70–95 cm deep, a month into grow-out (18–30 g). Stocked at
    # ~25 fish/m³, below DOMAIN.md's 50–150/m³: with the feed table and no more than 15 %/day
    # water exchange, denser ponds in this model cannot keep dawn DO above 2 mg/L.
    area = rng.uniform(20.0, 40.0, n_ponds)
    density = jitter(25.0) * np.where(variant == 1, 1.15, 1.0) * stocking_factor
    return PondParams(
        area_m2=area,
        target_level_cm=target,
        max_level_cm=target + 15.0,
        chl_capacity_ugl=chl,
        sod20_g_m2_h=jitter(SOD20_G_M2_H, 0.15),
        temp_offset_c=rng.normal(0.0, 0.3, n_ponds),
        tau_h=2.5 * target / 80.0,
        seepage_cm_h=rng.uniform(0.1, 0.6, n_ponds) / 24.0,
        runoff_ratio=rng.uniform(0.2, 0.6, n_ponds),
        aerator_sotr_g_h=AERATOR_SOTR_G_H * aerator_factor * area * target / (30.0 * 80.0),
        feed_protein=rng.uniform(0.30, 0.33, n_ponds),  # lele grower pellets, 30–33 % CP
        feed_factor=np.full(n_ponds, feed_factor),
        nitrif_factor=np.full(n_ponds, nitrif_factor),
        uptake_factor=np.full(n_ponds, uptake_factor),
        exchange_factor=np.full(n_ponds, exchange_factor),
        source_tds_ppm=jitter(WELL_TDS_PPM, 0.2),
        initial_count=np.round(density * area * target / 100.0),
        initial_abw_g=rng.uniform(18.0, 30.0, n_ponds),
        variant=variant.astype(np.int64),
    )
