#!/usr/bin/env python3
"""Calibrate the crypto SPAN preset (presets/span-crypto.json) and the Greeks-based margin preset
(presets/greeks-default.json) from the real market data in ../shared/data (provenance: ../shared/data/SOURCES.md).

Usage (from the repository root):
    python3 scripts/calibrate-span.py           # write both presets
    python3 scripts/calibrate-span.py --check   # recompute and compare with the committed presets (exit 1 if different)

Needs python3 with numpy and scipy. Deterministic: same data, same output, byte for byte.

Every number and its method (docs/methodology.md "SPAN" and "Greeks-based margin" explain the choices):
- Sample: every UTC day up to AS_OF (2024-12-31, the last day of the Yahoo close file, so all three coins end on the
  same day). Moves are over the margin period of risk, 2 calendar days, on overlapping windows.
- Price scan range (PSR) of a coin: the 99 % quantile of |S(t+2)/S(t) - 1| over its whole history (numpy's default
  linear quantile), rounded UP to 0.001.
- Volatility scan range (VSR): the 99 % quantile of |DVOL(t+2)/DVOL(t) - 1| (Deribit's 30-day implied-vol index,
  daily close), rounded up to 0.001. SOL has no DVOL: it takes the larger of BTC's and ETH's (a proxy, flagged).
- Composite-delta points: the 7 scan prices 0, +-1/3, +-2/3, +-1 of the PSR, weighted by the standard normal density
  at f * z with z = Phi^-1(0.995) (the PSR is read as a two-sided 99 % move), normalised to sum to 1. CME's own
  delta-point weights were not retrieved (classic-methods.md 1.4).
- Calendar (intra-commodity) spread charges, per pair of tenor tiers (a, b): the 99 % quantile of the 2-day change of
  X(t) = A_b(t) * tau_b - A_a(t) * tau_a, where A_tau(t) is the trailing mean over tau days of Binance's BTCUSDT
  annualised funding rate (funding per 8 h * 3 * 365), the proxy for the carry of a future of tenor tau, and tau the
  tier's representative tenor in years. Rounded up to 0.0001. ETH and SOL use BTC's funding (no other funding
  history in the data; a proxy, flagged).
- Delivery tier: both rates are the D/W1 calendar charge (our choice; see the methodology).
- Inter-commodity spreads (SPAN) for each pair (A, B): leg ratios in USD of delta 1 : PSR_A/PSR_B, so each leg scans
  to the same loss; the spread's 2-day loss X = r_A - (PSR_A/PSR_B) r_B over the days both coins trade; credit rate
  = 1 - q99(|X|) / (2 PSR_A), floored at 0 and rounded DOWN to 0.05.
- Greeks model: price shock = PSR; vega shock of a tenor bucket = VSR * (30/tau_days)^p with Deribit's vega powers
  p = 0.30 below 30 days and 0.13 from 30 days (deribit-pm.md 2.4), capped at 0.95; delta correlations = Pearson
  correlations of 2-day log returns on each pair's common days; vega correlations = the same on DVOL (BTC, ETH), and
  the price correlation for pairs with SOL (proxy); vega tenor correlation exp(-0.25 |ln(tau_b / tau_c)|) (policy;
  an exponential kernel in log tenor, positive definite by construction).
"""
import csv
import json
import math
import os
import sys

import numpy as np
from scipy.stats import norm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
AS_OF = "2024-12-31"
EFFECTIVE = "2025-01-01"
VERSION = "2024-12-31.1"
HORIZON_DAYS = 2
QUANTILE = 0.99
COINS = ["BTC", "ETH", "SOL"]
DVOL_FILES = {"BTC": "deribit_dvol_btc_daily.csv", "ETH": "deribit_dvol_eth_daily.csv"}
# Tenor tiers: id, exclusive upper bound in days (None = open), representative tenor in days (the tier's midpoint;
# the last tier's is 300 days, the middle of 200 days and the longest listed expiry, about a year).
TIERS = [("D", 2, 1.0), ("W1", 7, 4.5), ("M1", 35, 21.0), ("Q1", 100, 67.5), ("Q2", 200, 150.0), ("Y1", None, 300.0)]
PERPETUAL_TIER = "W1"
DELIVERY_TIERS = ["D"]
VEGA_BUCKETS = TIERS[1:]  # the Greeks model has no separate delivery bucket: < 7 days is one bucket
SOM_FRACTION = 0.2
INITIAL_TO_MAINTENANCE = 1.1
VEGA_TENOR_DECAY = 0.25


def ceil_to(x, step):
    return round(math.ceil(x / step - 1e-9) * step, 10)


def floor_to(x, step):
    return round(math.floor(x / step + 1e-9) * step, 10)


def q99(values):
    return float(np.quantile(np.asarray(values, dtype=float), QUANTILE))


def read_closes():
    """{coin: (dates, closes)} from the derived wide close file, up to AS_OF."""
    out = {c: ([], []) for c in COINS}
    with open(os.path.join(DATA, "crypto_daily_close_wide_2014_2024.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["date"] > AS_OF:
                continue
            for c in COINS:
                if row[c]:
                    out[c][0].append(row["date"])
                    out[c][1].append(float(row[c]))
    return out


def read_dvol(coin):
    with open(os.path.join(DATA, DVOL_FILES[coin]), newline="") as f:
        rows = [(r["date"], float(r["close"])) for r in csv.DictReader(f) if r["date"] <= AS_OF]
    rows.sort()  # the files are newest first
    return [d for d, _ in rows], np.array([v for _, v in rows])


def read_funding_annualised():
    with open(os.path.join(DATA, "binance_btcusdt_funding_daily.csv"), newline="") as f:
        rows = [(r["date"], float(r["funding_mean"])) for r in csv.DictReader(f) if r["date"] <= AS_OF]
    rows.sort()
    return [d for d, _ in rows], np.array([v for _, v in rows]) * 3 * 365


def check_consecutive(dates, what):
    import datetime as dt

    days = [dt.date.fromisoformat(d) for d in dates]
    gaps = [(a, b) for a, b in zip(days, days[1:]) if (b - a).days != 1]
    if gaps:
        raise SystemExit(f"{what}: missing days {gaps[:3]}")


def rel_moves(x, h=HORIZON_DAYS):
    x = np.asarray(x, dtype=float)
    return x[h:] / x[:-h] - 1


def trailing_mean(x, window):
    c = np.concatenate([[0.0], np.cumsum(x)])
    return (c[window:] - c[:-window]) / window  # value at index i + window - 1


def calendar_charges(funding):
    """Charge (decimal of USD delta) per pair of tiers, from the funding proxy."""
    windows = {tid: max(1, int(round(days))) for tid, _, days in TIERS}
    longest = max(windows.values())
    series = {}
    for tid, _, days in TIERS:
        m = trailing_mean(funding, windows[tid])
        series[tid] = m[len(m) - (len(funding) - longest + 1):] * (days / 365.0)  # aligned on the common days
    out = []
    for i in range(len(TIERS)):
        for j in range(i + 1, len(TIERS)):
            a, b = TIERS[i][0], TIERS[j][0]
            x = series[b] - series[a]
            d = x[HORIZON_DAYS:] - x[:-HORIZON_DAYS]
            raw = q99(np.abs(d))
            out.append({"a": a, "b": b, "distance": j - i, "raw": raw, "charge": ceil_to(raw, 0.0001), "days": len(d)})
    # Priority: adjacent tiers first, then wider spreads (CME lists tighter spreads first), ties by tier order.
    out.sort(key=lambda s: (s["distance"], [t[0] for t in TIERS].index(s["a"])))
    return out


def common(closes, a, b):
    da, xa = closes[a]
    db, xb = closes[b]
    ia = {d: i for i, d in enumerate(da)}
    ib = {d: i for i, d in enumerate(db)}
    days = [d for d in da if d in ib]
    return days, np.array([xa[ia[d]] for d in days]), np.array([xb[ib[d]] for d in days])


def calibrate():
    closes = read_closes()
    for c in COINS:
        check_consecutive(closes[c][0], c)
    psr, psr_raw, price_info = {}, {}, {}
    for c in COINS:
        dates, x = closes[c]
        raw = q99(np.abs(rel_moves(x)))
        psr_raw[c] = raw
        psr[c] = ceil_to(raw, 0.001)
        price_info[c] = {"from": dates[0], "to": dates[-1], "windows": len(x) - HORIZON_DAYS, "q99_abs_2d_move": round(raw, 6)}
    vsr, vsr_info = {}, {}
    dvol = {}
    for c in ["BTC", "ETH"]:
        d, v = read_dvol(c)
        check_consecutive(d, f"DVOL {c}")
        dvol[c] = (d, v)
        raw = q99(np.abs(rel_moves(v)))
        vsr[c] = ceil_to(raw, 0.001)
        vsr_info[c] = {"from": d[0], "to": d[-1], "windows": len(v) - HORIZON_DAYS, "q99_abs_2d_relative_dvol_move": round(raw, 6), "source": DVOL_FILES[c]}
    vsr["SOL"] = max(vsr["BTC"], vsr["ETH"])
    vsr_info["SOL"] = {"proxy": "no SOL implied-vol index in the data: the larger of BTC's and ETH's VSR"}

    z = norm.ppf(0.995)
    fractions = [-1.0, -2 / 3, -1 / 3, 0.0, 1 / 3, 2 / 3, 1.0]
    dens = [norm.pdf(f * z) for f in fractions]
    weights = [round(w / sum(dens), 6) for w in dens]
    weights[3] = round(1 - sum(w for i, w in enumerate(weights) if i != 3), 6)  # exact sum 1 after rounding
    delta_points = [{"price_fraction": f, "weight": w} for f, w in zip(fractions, weights)]

    fdates, funding = read_funding_annualised()
    check_consecutive(fdates, "funding")
    cal = calendar_charges(funding)
    delivery_rate = next(s["charge"] for s in cal if {s["a"], s["b"]} == {"D", "W1"})

    inter, pair_info = [], {}
    for a, b in [("BTC", "ETH"), ("BTC", "SOL"), ("ETH", "SOL")]:
        days, xa, xb = common(closes, a, b)
        check_consecutive(days, f"{a}/{b}")
        ratio_b = psr[a] / psr[b]
        x = rel_moves(xa) - ratio_b * rel_moves(xb)
        raw_loss = q99(np.abs(x))
        raw_credit = max(0.0, 1 - raw_loss / (2 * psr[a]))
        rho = float(np.corrcoef(np.log(xa[HORIZON_DAYS:] / xa[:-HORIZON_DAYS]), np.log(xb[HORIZON_DAYS:] / xb[:-HORIZON_DAYS]))[0, 1])
        pair_info[(a, b)] = {"rho": rho, "days": days}
        inter.append(
            {
                "legs": [{"commodity": a, "ratio": 1}, {"commodity": b, "ratio": round(ratio_b, 6)}],
                "credit_rate": floor_to(raw_credit, 0.05),
                "calibration": {
                    "from": days[0],
                    "to": days[-1],
                    "windows": len(days) - HORIZON_DAYS,
                    "q99_abs_spread_2d_move": round(raw_loss, 6),
                    "unrounded_credit_rate": round(raw_credit, 6),
                    "correlation_2d_log_returns": round(rho, 6),
                },
            }
        )
    inter.sort(key=lambda s: -s["credit_rate"])

    span = {
        "$comment": "Crypto SPAN parameter set, calibrated by scripts/calibrate-span.py from ../shared/data (see docs/methodology.md section 'SPAN'). Regenerate with `python3 scripts/calibrate-span.py`; do not edit by hand. Scan ranges are decimals of price (PSR) and relative moves of implied vol (VSR); spread and delivery charges are decimals of USD delta; SOM is a fraction of one coin's outright scan (PSR x index).",
        "model": "span",
        "name": "span-crypto",
        "version": VERSION,
        "effective": EFFECTIVE,
        "source": "scripts/calibrate-span.py over ../shared/data (Yahoo daily closes BTC/ETH/SOL, Deribit DVOL BTC/ETH, Binance BTCUSDT funding), sample up to " + AS_OF,
        "calibration": {
            "as_of": AS_OF,
            "horizon_days": HORIZON_DAYS,
            "quantile": QUANTILE,
            "price_file": "crypto_daily_close_wide_2014_2024.csv",
            "funding_file": "binance_btcusdt_funding_daily.csv",
            "policy_values": "extreme scenarios (CME standard 2 x PSR at 35 %), look_ahead_days, initial_to_maintenance, SOM fraction, tiers, delivery rates = D/W1 calendar charge",
        },
        "scenarios": {"extreme_multiplier": 2, "extreme_cover_fraction": 0.35},
        "look_ahead_days": 1,
        "composite_delta_points": delta_points,
        "initial_to_maintenance": INITIAL_TO_MAINTENANCE,
        "net_option_value": "report",
        "wpr_method": "scan_range_cap",
        "tiers": [{"id": t, "max_days": m} for t, m, _ in TIERS],
        "perpetual_tier": PERPETUAL_TIER,
        "delivery_tiers": DELIVERY_TIERS,
        "commodities": {
            c: {
                "price_scan_range": psr[c],
                "vol_scan_range": vsr[c],
                "som": {"method": "max_side", "fraction_of_outright": SOM_FRACTION},
                "intra_spreads": [
                    {"legs": [{"tier": s["a"], "ratio": 1}, {"tier": s["b"], "ratio": 1}], "charge_decimal": s["charge"]} for s in cal
                ],
                "delivery": {"spread_charge_decimal": delivery_rate, "outright_charge_decimal": delivery_rate},
                "calibration": {
                    "price": price_info[c],
                    "vol": vsr_info[c],
                    "calendar": "Binance BTCUSDT funding proxy" + ("" if c == "BTC" else " (BTC funding used for " + c + ": no other funding history in the data)"),
                },
            }
            for c in COINS
        },
        "inter_spreads": inter,
    }

    def tenor_shock(v, days):
        p = 0.30 if days < 30 else 0.13
        return min(round(v * (30 / days) ** p, 6), 0.95)

    dv_days = sorted(set(dvol["BTC"][0]) & set(dvol["ETH"][0]))
    ib = {d: i for i, d in enumerate(dvol["BTC"][0])}
    ie = {d: i for i, d in enumerate(dvol["ETH"][0])}
    vb = np.array([dvol["BTC"][1][ib[d]] for d in dv_days])
    ve = np.array([dvol["ETH"][1][ie[d]] for d in dv_days])
    rho_vol_btc_eth = float(np.corrcoef(np.log(vb[2:] / vb[:-2]), np.log(ve[2:] / ve[:-2]))[0, 1])
    delta_corr = [{"pair": [a, b], "rho": round(i["rho"], 6)} for (a, b), i in pair_info.items()]
    vega_corr = [{"pair": ["BTC", "ETH"], "rho": round(rho_vol_btc_eth, 6)}] + [
        {"pair": [a, b], "rho": round(i["rho"], 6)} for (a, b), i in pair_info.items() if "SOL" in (a, b)
    ]
    greeks = {
        "$comment": "Greeks-based (SIMM-shaped) margin parameter set, calibrated by scripts/calibrate-span.py from ../shared/data with the SPAN preset (see docs/methodology.md section 'Greeks-based margin'). Regenerate with `python3 scripts/calibrate-span.py`; do not edit by hand. Shocks are decimals: price shock of the forward, vega shock relative to each option's implied vol.",
        "model": "greeks",
        "name": "greeks-default",
        "version": VERSION,
        "effective": EFFECTIVE,
        "source": span["source"],
        "calibration": {
            "as_of": AS_OF,
            "price_shock": "= SPAN price scan range (99 % two-day move)",
            "vega_shock": "DVOL 99 % two-day relative move x (30/tenor_days)^p, p = 0.30 below 30 days, 0.13 from 30 days (Deribit vega powers, deribit-pm.md 2.4), capped at 0.95",
            "vega_tenor_correlation": f"exp(-{VEGA_TENOR_DECAY} |ln(tau_b/tau_c)|) on representative tenors (policy)",
            "delta_correlation": "Pearson correlation of 2-day log returns, each pair on its common days",
            "vega_correlation": "BTC/ETH: DVOL 2-day log changes " + dv_days[0] + ".." + dv_days[-1] + "; pairs with SOL: the price correlation (proxy, no SOL vol index)",
        },
        "initial_to_maintenance": INITIAL_TO_MAINTENANCE,
        "vega_buckets": [{"id": t, "max_days": m, "representative_days": d} for t, m, d in VEGA_BUCKETS],
        "vega_bucket_correlation": [
            [1.0 if i == j else round(math.exp(-VEGA_TENOR_DECAY * abs(math.log(di / dj))), 6) for j, (_, _, dj) in enumerate(VEGA_BUCKETS)]
            for i, (_, _, di) in enumerate(VEGA_BUCKETS)
        ],
        "underlyings": {
            c: {"price_shock": psr[c], "vega_shock": {t: tenor_shock(vsr[c], d) for t, _, d in VEGA_BUCKETS}} for c in COINS
        },
        "delta_correlation": delta_corr,
        "vega_correlation": vega_corr,
    }
    return span, greeks


def dump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main():
    if not os.path.isfile(os.path.join(DATA, "SOURCES.md")):
        # A clone without ../shared/data cannot calibrate: say where the data goes instead of a traceback.
        print(f"calibrate-span: the real market data is not at {DATA} (put ../shared/data beside the repository; see README)", file=sys.stderr)
        sys.exit(2)
    span, greeks = calibrate()
    targets = [(os.path.join(ROOT, "presets", "span-crypto.json"), dump(span)), (os.path.join(ROOT, "presets", "greeks-default.json"), dump(greeks))]
    if "--check" in sys.argv[1:]:
        stale = []
        for path, text in targets:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        if stale:
            print("out of date: " + ", ".join(os.path.relpath(p, ROOT) for p in stale))
            sys.exit(1)
        print("presets reproduce exactly")
        return
    for path, text in targets:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote " + os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
