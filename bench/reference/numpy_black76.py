#!/usr/bin/env python3
"""Vectorised numpy/scipy Black-76 (coin-settled prices) on the real Deribit chain: the orientation figure of the
pricing benchmark, measured on the same machine. Run: python3 bench/reference/numpy_black76.py
Reads ../shared/data/deribit_btc_eth_options_20251230T1731Z.csv (relative to the repository root)."""
import csv, math, pathlib, time
import numpy as np
from scipy.special import ndtr

root = pathlib.Path(__file__).resolve().parents[2]
rows = list(csv.DictReader(open(root.parent / "shared/data/deribit_btc_eth_options_20251230T1731Z.csv")))
F = np.array([float(r["underlying"]) for r in rows]); K = np.array([float(r["strike"]) for r in rows])
T = np.array([float(r["time_to_maturity"]) for r in rows]); V = np.array([float(r["implied_volatility"]) for r in rows])
call = np.array([r["option_type"] == "call" for r in rows])

def price_coin(F, K, T, V, call):
    s = V * np.sqrt(T)
    d1 = np.log(F / K) / s + 0.5 * s
    d2 = d1 - s
    c = F * ndtr(d1) - K * ndtr(d2)
    p = K * ndtr(-d2) - F * ndtr(-d1)
    return np.where(call, c, p) / F

for reps_n, label in ((1, "whole chain (1304 options) per call"), (100, "100 chains concatenated per call")):
    args = [np.tile(a, reps_n) for a in (F, K, T, V, call)]
    n = len(args[0])
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter(); calls = 0
        while time.perf_counter() - t0 < 1.0:
            price_coin(*args); calls += 1
        best = max(best, calls * n / (time.perf_counter() - t0))
    print(f"numpy/scipy Black-76, {label}: {best / 1e6:.2f} M prices/s")
