"""The pond state and its vectorised time step (all arrays have shape (n_ponds,)).

Dissolved oxygen is a mass balance (DOMAIN.md):
    dC/dt = P(light, T) − R_plankton·θ^(T−20) − SOD·θ^(T−20)/depth − R_fish − 4.57·nitrif
            + (kLa + aerator)·(Cs − C)
and the carbon released or fixed by the same terms moves DIC, from which pH follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from firmware_sim.pond import fish
from firmware_sim.pond import params as k
from firmware_sim.pond.carbonate import (
    carbonate_k,
    co2_fraction,
    co2_saturation_mmol,
    dic_from_ph,
    hydrogen_ion,
)
from firmware_sim.pond.params import F64, PondParams
from firmware_sim.pond.sun import WIB_OFFSET_S
from firmware_sim.pond.weather import Forcing
from kolam.science.chemistry import do_saturation_mgl, nh3_fraction

# Rows of PondState.water: everything that mixes when rain or well water comes in.
WATER_ROWS = ("temp_c", "do_mgl", "dic_mmol", "alk_meq", "tan_mgl", "no2_mgl", "tds_ppm",
              "tss_mgl", "bod_mgl")
TEMP, DO, DIC, ALK, TAN, NO2, TDS, TSS, BOD = range(len(WATER_ROWS))
SOLUTES = slice(DIC, BOD + 1)  # concentrated by evaporation (heat and gas are not)
TRUTH_KEYS = ("temp_c", "ph", "do_mgl", "tan_mgl", "no2_mgl", "tds_ppm", "turbidity_ntu",
              "level_cm", "nh3_mgl")
PLANKTON_GROWTH_PER_H = 0.3 / 24.0
BASE_TURBIDITY_NTU = 2.0


@dataclass(slots=True)
class PondState:
    """Mutable state of every pond; `water` stacks the mixed quantities by WATER_ROWS."""

    water: F64
    ph: F64
    chl_ugl: F64
    level_cm: F64
    fish_count: F64
    abw_g: F64
    appetite: F64
    topping_up: NDArray[np.bool_]
    cum_feed_kg: F64
    cum_tan_excreted_g: F64
    ration_pct: F64  # today's ration by the feeding table (% body weight/day)
    meals: list[tuple[float, F64]] = field(default_factory=list)

    @property
    def biomass_kg(self) -> F64:
        """Standing fish biomass of each pond (kg)."""
        return self.fish_count * self.abw_g / 1000.0


def initial_state(p: PondParams, temp_c: float = 28.5) -> PondState:
    """A plausible dawn state; PondSim spins it up for a few days before use."""
    n = p.area_m2.shape[0]
    temp = np.full(n, temp_c) + p.temp_offset_c
    alk = np.full(n, k.BASE_ALK_MEQ)
    ph = np.full(n, 7.4)
    k1, k2 = carbonate_k(temp)
    water = np.stack([
        temp,
        np.full(n, 4.0),
        dic_from_ph(alk, ph, k1, k2),
        alk,
        np.full(n, 0.5),
        np.full(n, 0.05),
        p.source_tds_ppm + 60.0,
        np.full(n, 15.0),
        np.full(n, 2.0),
    ])
    return PondState(
        water=water, ph=ph, chl_ugl=p.chl_capacity_ugl * 0.3, level_cm=p.target_level_cm.copy(),
        fish_count=p.initial_count.copy(), abw_g=p.initial_abw_g.copy(), appetite=np.ones(n),
        topping_up=np.zeros(n, dtype=np.bool_), cum_feed_kg=np.zeros(n),
        cum_tan_excreted_g=np.zeros(n), ration_pct=fish.feeding_rate_pct(p.initial_abw_g),
    )


def meals_in_step(t_s: float, dt_s: float) -> list[float]:
    """UTC instants of the scheduled meals in [t_s, t_s + dt_s).

    Meal instants are whole epoch seconds (WIB midnight plus the meal hour), compared with
    the step's bounds directly: comparing fractional hours instead served a meal twice when
    rounding put it in two consecutive steps (5 meals a day instead of 3).
    """
    first_day = math.floor((t_s + WIB_OFFSET_S) / 86400.0)
    last_day = math.floor((t_s + dt_s + WIB_OFFSET_S) / 86400.0)
    out = []
    for day in range(first_day, last_day + 1):
        midnight_s = day * 86400 - WIB_OFFSET_S
        for meal_h in fish.MEAL_HOURS_WIB:
            meal_t = midnight_s + round(meal_h * 3600.0)
            if t_s <= meal_t < t_s + dt_s:
                out.append(float(meal_t))
    return out


class PondModel:
    """Advances a PondState by one time step under a site Forcing."""

    def __init__(self, params: PondParams, state: PondState) -> None:
        self.p = params
        self.s = state
        n = params.area_m2.shape[0]
        self._dw = np.zeros((len(WATER_ROWS), n))
        self._rain_water = np.zeros(len(WATER_ROWS))
        self._well_water = np.zeros((len(WATER_ROWS), n))
        self.die_off = np.zeros(n)  # share of plankton to kill at the next step (scenarios)
        self._nh3 = np.zeros(n)
        self.rates: dict[str, F64] = {}  # last step's oxygen terms (mg/L/h), for diagnosis

    def step(self, t_s: float, dt_s: float, f: Forcing, aerator_on: NDArray[np.bool_],
             leak_cm_h: F64) -> None:
        """Advance all ponds from t_s to t_s + dt_s (explicit Euler, 1–10 min steps)."""
        p, s, dw = self.p, self.s, self._dw
        dt_h = dt_s / 3600.0
        w = s.water
        temp, c = w[TEMP], w[DO]
        th = temp - 20.0
        th_photo = np.exp(th * math.log(k.THETA_PHOTO))
        th_resp = np.exp(th * math.log(k.THETA_RESP))
        th_nit = np.exp(th * math.log(k.THETA_NITRIF))
        cs = do_saturation_mgl(temp)
        depth_m = s.level_cm / 100.0
        vol_m3 = p.area_m2 * depth_m

        if self.die_off.any():
            dead = s.chl_ugl * self.die_off
            s.chl_ugl -= dead
            w[BOD] += dead * k.CHL_O2_EQUIVALENT
            self.die_off[:] = 0.0

        # Above pH ~9 free CO2 is gone and algae fix carbon slowly (carbon limitation).
        carbon_limit = 1.0 / (1.0 + np.power(10.0, 2.0 * (s.ph - k.PH_CARBON_LIMIT)))
        photo = (k.PMAX20_PER_CHL * np.tanh(f.light / k.LIGHT_SATURATION)) * s.chl_ugl * (
            th_photo * carbon_limit)
        m_resp = c / (c + k.K_DO_RESP) * th_resp
        r_plankton = k.RESP20_PER_CHL * s.chl_ugl * m_resp
        r_sediment = p.sod20_g_m2_h / depth_m * m_resp
        r_bod = k.BOD20_PER_H * w[BOD] * m_resp
        # Fish metabolism from the ration (mg O2/L/h): kg/m³ is g/L, rations are per day.
        fish_kg_m3 = s.fish_count * s.abw_g / 1000.0 / vol_m3
        fish_total = k.O2_PER_FEED * s.ration_pct / 100.0 * fish_kg_m3 * (1000.0 / 24.0)
        r_fish = fish_total * k.AQUATIC_O2_SHARE * c / (c + k.K_DO_FISH)
        c2 = c * c
        aob = (k.NITRIF20_PER_H * p.nitrif_factor * th_nit * w[TAN]
               * c2 / (c2 + k.K_DO_AOB**2))
        nob = k.NOB20_PER_H * p.nitrif_factor * th_nit * w[NO2] * c2 / (c2 + k.K_DO_NOB**2)
        kla = (k.K_L_M_H * f.wind) / depth_m
        kla_aer = aerator_on * (p.aerator_sotr_g_h / k.CS20_MGL) / vol_m3 * np.exp(
            th * math.log(k.THETA_AERATOR))
        kla_tot = kla + kla_aer
        respiration = r_plankton + r_sediment + r_bod + r_fish
        dw[DO] = (photo - respiration - k.O2_PER_N_AOB * aob - k.O2_PER_N_NOB * nob
                  + kla_tot * (cs - c))

        k1, k2 = carbonate_k(temp)
        h = np.power(10.0, -s.ph)
        co2 = w[DIC] * co2_fraction(h, k1, k2)
        fish_co2 = fish_total
        # Dissolving carbonate restores 2 eq of alkalinity per mol of DIC.
        alk_recovery = k.ALK_RECOVERY_PER_H * p.alk_recovery_factor * (k.BASE_ALK_MEQ - w[ALK])
        dw[DIC] = ((r_plankton + r_sediment + r_bod + fish_co2 - photo) / 32.0
                   + 0.5 * alk_recovery
                   + k.K_L_CO2_RATIO * kla_tot * (co2_saturation_mmol(temp) - co2))
        dw[ALK] = alk_recovery - k.ALK_MEQ_PER_MG_N * aob
        tan = w[TAN]
        uptake = k.N_PER_O2 * photo * p.uptake_factor * tan / (tan + k.K_TAN_UPTAKE)
        remin = k.REMINERALISED_FRACTION * k.N_PER_O2 * (r_plankton + r_sediment + r_bod)
        dw[TAN] = remin - uptake - aob
        dw[NO2] = aob - nob
        dw[TSS] = -k.TSS_SETTLING_PER_H * w[TSS]
        # What the bloom fixes and does not respire dies and settles as fresh organic matter,
        # whose decay is most of the sediment's oxygen demand: over days P and R balance.
        dw[BOD] = k.SETTLED_NPP_FRACTION * (photo - r_plankton) - r_bod
        tau = p.tau_h * np.where(np.asarray(f.rain_mm_h) > 0.0, 0.4, 1.0)
        dw[TEMP] = (f.te_c + p.temp_offset_c - temp) / tau
        self._set_inflows(p)
        dw += k.EXCHANGE_PER_H * p.exchange_factor * (self._well_water - w)
        w += dw * dt_h
        np.maximum(w, 0.0, out=w)
        np.maximum(w[ALK], 0.05, out=w[ALK])
        np.maximum(w[DIC], 0.52 * w[ALK], out=w[DIC])
        feed_g_m3_d = fish_kg_m3 * s.ration_pct * 10.0
        capacity = np.maximum(p.chl_capacity_ugl * feed_g_m3_d / (feed_g_m3_d
                                                                  + k.K_FEED_BLOOM_G_M3_D), 5.0)
        s.chl_ugl += PLANKTON_GROWTH_PER_H * dt_h * s.chl_ugl * (1.0 - s.chl_ugl / capacity)
        self.rates = {"photosynthesis": photo, "plankton": r_plankton, "sediment": r_sediment,
                      "organic_matter": r_bod, "fish": r_fish,
                      "nitrification": k.O2_PER_N_AOB * aob + k.O2_PER_N_NOB * nob,
                      "surface": kla * (cs - c), "aerator": kla_aer * (cs - c)}

        self._feed(t_s, dt_s, vol_m3)
        self._excrete(t_s, dt_h, vol_m3)
        self._water_balance(dt_h, f, leak_cm_h)
        s.ph = -np.log10(hydrogen_ion(w[ALK], w[DIC], k1, k2))
        self._fish(dt_h)  # last: it also computes the step's NH3 from the final TAN and pH

    def _feed(self, t_s: float, dt_s: float, vol_m3: F64) -> None:
        s, p, w = self.s, self.p, self.s.water
        for meal_t in meals_in_step(t_s, dt_s):
            cut = (w[TEMP] < fish.FEED_CUT_BELOW_C) | (w[DO] < fish.FEED_CUT_BELOW_DO)
            s.appetite = np.where(cut, fish.FEED_CUT_FACTOR, 1.0)
            s.ration_pct = fish.feeding_rate_pct(s.abw_g)
            ration_kg = (s.biomass_kg * s.ration_pct / 100.0
                         / len(fish.MEAL_HOURS_WIB) * s.appetite * p.feed_factor)
            s.cum_feed_kg += ration_kg
            uneaten = np.minimum(k.UNEATEN_FEED_FRACTION * p.feed_factor, 0.5)
            # Overfeeding does not make fish grow faster: they eat at most the table ration.
            eaten_kg = np.minimum(ration_kg * (1.0 - uneaten),
                                  s.biomass_kg * s.ration_pct / 100.0 / len(fish.MEAL_HOURS_WIB))
            growth = fish.temperature_growth_factor(w[TEMP]) * p.feed_conversion
            s.abw_g += eaten_kg * 1000.0 * growth / np.maximum(s.fish_count, 1.0)
            w[BOD] += ration_kg * 1000.0 * uneaten * k.COD_PER_FEED / vol_m3
            w[TDS] += ration_kg * 1000.0 * k.TDS_PER_FEED / vol_m3
            w[TSS] += ration_kg * 1000.0 * 0.02 / vol_m3  # fines stirred up at feeding
            tan_g = ration_kg * p.feed_protein * k.TAN_PER_FEED_PROTEIN * 1000.0
            s.meals.append((meal_t, tan_g))

    def _excrete(self, t_s: float, dt_h: float, vol_m3: F64) -> None:
        s = self.s
        keep: list[tuple[float, F64]] = []
        for t_meal, tan_g in s.meals:
            since_h = (t_s - t_meal) / 3600.0
            share = fish.excreted_share(since_h, dt_h)
            if share > 0.0:
                released = tan_g * share
                s.water[TAN] += released / vol_m3
                s.cum_tan_excreted_g += released
            if since_h + dt_h < fish.EXCRETION_SPAN_H:
                keep.append((t_meal, tan_g))
        s.meals = keep

    def _fish(self, dt_h: float) -> None:
        s, w = self.s, self.s.water
        dt_d = dt_h / 24.0
        # At market size the farmer harvests and restocks seed in the same water.
        harvest = s.abw_g >= fish.HARVEST_ABW_G
        if harvest.any():
            s.abw_g = np.where(harvest, self.p.seed_abw_g, s.abw_g)
            s.fish_count = np.where(harvest, self.p.stocked_count, s.fish_count)
            s.ration_pct = fish.feeding_rate_pct(s.abw_g)
        nh3 = self._nh3 = w[TAN] * nh3_fraction(w[TEMP], s.ph)
        hazard = (fish.MORTALITY_BASE_PER_D
                  + fish.MORTALITY_HYPOXIA_PER_D * (w[DO] < 1.0)
                  + fish.MORTALITY_NH3_PER_D * (nh3 >= fish.NH3_CRITICAL_MGL))
        s.fish_count *= np.exp(-hazard * dt_d)

    def _water_balance(self, dt_h: float, f: Forcing, leak_cm_h: F64) -> None:
        s, p, w = self.s, self.p, self.s.water
        rain_cm = f.rain_mm_h / 10.0 * dt_h * (1.0 + p.runoff_ratio)
        # Evaporation follows the sun: ~30 % at night, the rest in proportion to light.
        evap_cm = k.EVAPORATION_CM_D / 24.0 * dt_h * (0.3 + 2.3 * f.light)
        out_cm = (p.seepage_cm_h + leak_cm_h) * dt_h
        start_topup = (s.level_cm < p.target_level_cm - k.TOPUP_TRIGGER_CM) & (
            8.0 <= f.local_h < 16.0)
        s.topping_up = (s.topping_up | start_topup) & (s.level_cm < p.target_level_cm)
        kept = np.maximum(s.level_cm - out_cm, 1.0)
        if np.any(np.asarray(f.rain_mm_h) > 0.0) or s.topping_up.any():
            well_cm = s.topping_up * (k.TOPUP_CM_H * dt_h)
            mixed = kept + rain_cm + well_cm
            w *= kept / mixed
            w += self._rain_water[:, None] * (rain_cm / mixed)
            w += self._well_water * (well_cm / mixed)
            s.chl_ugl *= kept / mixed
            kept = mixed
        new_level = kept - evap_cm
        w[SOLUTES] *= kept / new_level
        s.level_cm = np.minimum(new_level, p.max_level_cm)

    def _set_inflows(self, p: PondParams) -> None:
        if self._well_water[TEMP, 0] != 0.0:
            return
        n = p.area_m2.shape[0]
        rain = self._rain_water
        rain[TEMP] = k.RAIN_TEMP_C
        rain[DO] = float(do_saturation_mgl(k.RAIN_TEMP_C))
        rain[DIC] = k.RUNOFF_DIC_MMOL
        rain[TSS] = k.RUNOFF_TSS_MGL
        well = self._well_water
        temp = np.full(n, k.WELL_TEMP_C)
        k1, k2 = carbonate_k(temp)
        well[TEMP] = temp
        well[DO] = k.WELL_DO_MGL
        well[ALK] = k.WELL_ALK_MEQ
        well[DIC] = dic_from_ph(np.full(n, k.WELL_ALK_MEQ), np.full(n, 7.2), k1, k2)
        well[TDS] = p.source_tds_ppm
        well[TSS] = 5.0

    def write_truth(self, out: F64) -> None:
        """Write the true value of each TRUTH_KEYS entry into the rows of out (9, n_ponds)."""
        s, w = self.s, self.s.water
        out[0] = w[TEMP]
        out[1] = s.ph
        out[2] = w[DO]
        out[3] = w[TAN]
        out[4] = w[NO2]
        out[5] = w[TDS]
        out[6] = BASE_TURBIDITY_NTU + k.NTU_PER_CHL * s.chl_ugl + k.NTU_PER_TSS * w[TSS]
        out[7] = s.level_cm
        out[8] = self._nh3
