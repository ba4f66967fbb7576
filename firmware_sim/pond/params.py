"""Model coefficients (with sources) and the per-pond parameters drawn from the seed.

Rates are per hour and concentrations mg/L unless a name says otherwise. Where a value is
a calibration rather than a measurement, the comment says what it was calibrated to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond import fish

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
# Fish metabolism: ~0.25 kg O2 per kg feed fed (Timmons & Ebeling, Recirculating
# Aquaculture, ch. 3 design rule), i.e. 200–300 mg O2/kg/h for 50–150 g lele on 2–3 %/day
# and ~400 mg/kg/h for fingerlings on 4–5 %/day (the 200–400 mg O2/kg/h of fed warm-water
# fish). The respiratory quotient is taken as 1, and all the CO2 goes into the water: air-
# breathing fish lose CO2 through the gills and skin, not the air-breathing organ.
O2_PER_FEED = 0.25
# Most of a lele's oxygen comes from the air through the arborescent organ (DOMAIN.md;
# Jordan 1976 for Clarias batrachus, Belão et al. 2011): the gills take about a third in
# well-oxygenated water, and less as DO falls (the fish switch to air; half at K_DO_FISH).
AQUATIC_O2_SHARE = 0.35
K_DO_FISH = 1.0
# Respiration of plankton and sediment slows as DO approaches zero (half-saturation, mg/L).
K_DO_RESP = 0.5
# Blooms follow the nutrient load: chlorophyll rises with the feeding rate (Boyd & Tucker
# 1998, channel-catfish ponds), so a pond of fresh seed is nearly clear and the bloom
# reaches its capacity as the ration grows. Half the capacity at this feed load (g/m³/day);
# a pond near harvest is fed 200–350 g/m³/day.
K_FEED_BLOOM_G_M3_D = 150.0
# Bloom capacity (µg/L chl-a) of a well-fed green pond; ±10 % per pond and the variants.
CHL_CAPACITY_UGL = 150.0
# Still-water surface transfer velocity (m/h); kLa = K_L / depth. Wind multiplies it.
K_L_M_H = 0.022
# CO2 crosses the surface a little slower than O2: (D_CO2 / D_O2)^0.5 ≈ 0.89.
K_L_CO2_RATIO = 0.89
# Aerator: blowers with air stones running day and night, as is usual on dense tarpaulin
# ponds; ~1 kg O2/kWh standard aeration efficiency for diffused air in shallow ponds (Boyd
# 1998, Aquacultural Engineering 18:9). The rutan sizes them to the stock: 0.5 g O2/h per
# kg of the biomass expected at harvest (≈ 8 g O2/h per m³, 200 W, for a 25 m³ pond of
# 150 fish/m²), calibrated so that dawn DO stays above ~3 mg/L at harvest, and no stronger.
# Field transfer is SOTR · (Cs − C)/Cs20 · 1.024^(T−20) (ASCE 2-06 convention).
AERATOR_SOTR_G_H_PER_HARVEST_KG = 0.5
EXPECTED_SURVIVAL = 0.85
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
NOB20_PER_H = 60.0 / 24.0  # nitrite oxidisers, more DO-sensitive: NO2-N ~0.02–0.25 mg/L
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
BASE_ALK_MEQ = 1.5
ALK_RECOVERY_PER_H = 1.0 / 12.0

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
WELL_ALK_MEQ = 1.8
WELL_TDS_PPM = 320.0


# --- the rutan's ponds (DOMAIN.md "Production") -------------------------------------------
# Tarpaulin (kolam terpal) and concrete tanks of a few tens of m², 80–110 cm of water,
# stocked at 100–300 fish/m² (DOMAIN.md, tarpaulin); the typical pond takes 120–180/m², the
# "dense stocking" variant 1.3× that. Seed 5–7 cm, 1–2 g (DOMAIN.md).
POND_AREA_M2 = (20.0, 30.0)
POND_LEVEL_CM = (80.0, 110.0)
POND_FISH_PER_M2 = (120.0, 180.0)
DENSE_STOCKING_FACTOR = 1.3
SEED_ABW_G = (1.0, 2.0)
# A run starts this many days into the grow-out cycle unless told otherwise (PondSim).
CYCLE_DAY_AT_START = (10.0, 40.0)
# Biofloc: round tarpaulin tanks of ~3 m diameter, 300–500 fish/m³ (DOMAIN.md), aerated all
# day to keep the floc suspended, almost no water exchange, so alkalinity eaten by
# nitrification is not replaced and pH drifts down over weeks (DOMAIN.md). Little light
# reaches algae through the floc.
BIOFLOC_AREA_M2 = (6.0, 8.0)
BIOFLOC_FISH_PER_M3 = (300.0, 500.0)
BIOFLOC_AERATOR_SOTR_G_M3_H = 15.0
BIOFLOC_EXCHANGE_FACTOR = 0.05
BIOFLOC_NITRIF_FACTOR = 2.0
BIOFLOC_CHL_FACTOR = 0.3
# Concrete leaches lime; tarpaulin has no carbonate of its own and relies on the farmer's
# liming and on well water: a slower pull back to the base alkalinity.
CONCRETE_ALK_RECOVERY_FACTOR = 1.5
BIOFLOC_ALK_RECOVERY_FACTOR = 1.0
SYSTEMS = ("tarpaulin", "concrete", "biofloc")
CONCRETE_SHARE = 0.3


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
    alk_recovery_factor: F64
    source_tds_ppm: F64
    stocked_count: F64
    seed_abw_g: F64
    feed_conversion: F64
    initial_count: F64
    initial_abw_g: F64
    system: NDArray[np.int64]  # index into SYSTEMS
    variant: NDArray[np.int64]  # 0 typical, 1 dense stocking, 2 clear water, 3 heavy bloom


VARIANT_NAMES = ("typical", "dense stocking", "clear water", "heavy bloom")


def draw_params(n_ponds: int, seed: int, feed_factor: float = 1.0,
                nitrif_factor: float = 1.0, uptake_factor: float = 1.0,
                exchange_factor: float = 1.0, stocking_factor: float = 1.0,
                aerator_factor: float = 1.0, bloom_factor: float = 1.0,
                biofloc: bool = False, variants: bool = True,
                cycle_day: float | None = None,
                cycle_days: tuple[float, float] | None = None) -> PondParams:
    """Per-pond parameters: a typical pond with ±10 % jitter, a few variants.

    `variants=False` makes every pond typical. `cycle_day` is the day of the grow-out cycle
    at the start (0: seed just stocked); by default each pond draws one from `cycle_days`
    (or CYCLE_DAY_AT_START).
    """
    rng = np.random.default_rng([seed, 0xB0D])

    def jitter(base: float, rel: float = 0.1) -> F64:
        return base * rng.uniform(1.0 - rel, 1.0 + rel, n_ponds)

    variant = np.where(rng.random(n_ponds) < 0.3, rng.integers(1, 4, n_ponds), 0)
    if n_ponds >= 4 and not variant.any():
        variant[int(rng.integers(n_ponds))] = int(rng.integers(1, 4))
    if not variants:
        variant[:] = 0
    chl = jitter(CHL_CAPACITY_UGL)
    chl = np.where(variant == 2, chl * 0.7, np.where(variant == 3, chl * 1.35, chl))
    chl *= bloom_factor
    target = rng.uniform(*POND_LEVEL_CM, n_ponds)
    concrete = rng.random(n_ponds) < CONCRETE_SHARE
    system = np.where(biofloc, 2, np.where(concrete, 1, 0)).astype(np.int64)
    if biofloc:
        area = rng.uniform(*BIOFLOC_AREA_M2, n_ponds)
        stocked = rng.uniform(*BIOFLOC_FISH_PER_M3, n_ponds) * area * target / 100.0
        chl *= BIOFLOC_CHL_FACTOR
        sotr = BIOFLOC_AERATOR_SOTR_G_M3_H * area * target / 100.0
        exchange = np.full(n_ponds, BIOFLOC_EXCHANGE_FACTOR)
        nitrif = np.full(n_ponds, BIOFLOC_NITRIF_FACTOR)
        alk_recovery = np.full(n_ponds, BIOFLOC_ALK_RECOVERY_FACTOR)
        conversion = np.full(n_ponds, fish.FEED_CONVERSION_BIOFLOC)
    else:
        area = rng.uniform(*POND_AREA_M2, n_ponds)
        stocked = rng.uniform(*POND_FISH_PER_M2, n_ponds) * area
        stocked *= np.where(variant == 1, DENSE_STOCKING_FACTOR, 1.0)
        sotr = (AERATOR_SOTR_G_H_PER_HARVEST_KG * stocked * stocking_factor
                * EXPECTED_SURVIVAL * fish.HARVEST_ABW_G / 1000.0)
        exchange = np.ones(n_ponds)
        nitrif = np.ones(n_ponds)
        alk_recovery = np.where(concrete, CONCRETE_ALK_RECOVERY_FACTOR, 1.0)
        conversion = np.full(n_ponds, fish.FEED_CONVERSION_POND)
    stocked = np.round(stocked * stocking_factor)
    seed_abw = rng.uniform(*SEED_ABW_G, n_ponds)
    days = (np.full(n_ponds, float(cycle_day)) if cycle_day is not None
            else rng.uniform(*(cycle_days or CYCLE_DAY_AT_START), n_ponds))
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
        aerator_sotr_g_h=sotr * aerator_factor,
        feed_protein=rng.uniform(0.30, 0.33, n_ponds),  # lele grower pellets, 30–33 % CP
        feed_factor=np.full(n_ponds, feed_factor),
        nitrif_factor=nitrif * nitrif_factor,
        uptake_factor=np.full(n_ponds, uptake_factor),
        exchange_factor=exchange * exchange_factor,
        alk_recovery_factor=alk_recovery,
        source_tds_ppm=jitter(WELL_TDS_PPM, 0.2),
        stocked_count=stocked,
        seed_abw_g=seed_abw,
        feed_conversion=conversion,
        initial_count=np.round(stocked * np.exp(-fish.MORTALITY_BASE_PER_D * days)),
        initial_abw_g=fish.grow_out(seed_abw, days, conversion),
        system=system,
        variant=variant.astype(np.int64),
    )
