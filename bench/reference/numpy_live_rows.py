#!/usr/bin/env python3
"""The risk-array rows of one underlying, built vectorised with numpy/scipy: the reference the live benchmark's row
rebuild is timed against (npm run bench -- live), in the same run, on the same rows. Independent of the engine's code:
the Deribit vol-shock rule (deribit-pm.md section 2.4), Black-76 for every option in every scenario, futures rows,
weights and coin rescale are written here from their definitions.

Usage: python3 bench/reference/numpy_live_rows.py INPUT.json OUTPUT.json
INPUT (written by bench/live.bench.js): {"options": {F, K, T, vol, call, inverse, rate} arrays, "futures": {inverse,
mark} arrays, "scenarios": {move, slot, weight, rescale} arrays, "shock": {rangeUp, rangeDown, shortPower,
longPower, pivotDays, floorDays, boundary, minUp}, "runs": N}
OUTPUT: {"medianMs": ..., "minMs": ..., "options": [[...S values] per option], "futures": [[...] per future]}
"""
import json, sys, time
import numpy as np
from scipy.special import ndtr

MS_PER_YEAR = 365.25 * 24 * 3600 * 1000
MS_PER_DAY = 24 * 3600 * 1000

inp = json.load(open(sys.argv[1]))
o = inp["options"]
F = np.array(o["F"]); K = np.array(o["K"]); T = np.array(o["T"]); V = np.array(o["vol"])
call = np.array(o["call"], dtype=bool); inverse = np.array(o["inverse"], dtype=bool); R = np.array(o["rate"])
fu = inp["futures"]
fut_inverse = np.array(fu["inverse"], dtype=bool); fut_mark = np.array(fu["mark"])
sc = inp["scenarios"]
move = np.array(sc["move"]); slot = np.array(sc["slot"], dtype=int); weight = np.array(sc["weight"]); rescale = np.array(sc["rescale"])
sh = inp["shock"]


def black76(Fs, K, T, vol, call, df):
    """Undiscounted-then-discounted Black-76 in USD; vol 0 gives the discounted intrinsic value."""
    sd = vol * np.sqrt(T)
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = np.log(Fs / K) / sd + 0.5 * sd
        d2 = d1 - sd
        c = Fs * ndtr(d1) - K * ndtr(d2)
        p = K * ndtr(-d2) - Fs * ndtr(-d1)
    v = np.where(call, c, p)
    intrinsic = np.where(call, np.maximum(Fs - K, 0), np.maximum(K - Fs, 0))
    return df * np.where(sd > 0, v, intrinsic)


def build():
    dte = T * MS_PER_YEAR / MS_PER_DAY
    short = dte < sh["pivotDays"] if sh["boundary"] == "lt" else dte <= sh["pivotDays"]
    power = np.where(short, sh["shortPower"], sh["longPower"])
    scale = (sh["pivotDays"] / np.maximum(dte, sh["floorDays"])) ** power
    up = np.maximum(V * (1 + sh["rangeUp"] * scale), sh["minUp"])
    down = np.maximum(V * (1 - sh["rangeDown"] * scale), 0)
    vols = np.stack([down, V, up], axis=1)[:, slot]            # n x S
    df = np.exp(-R * T)[:, None]
    Fs = F[:, None] * (1 + move)[None, :]                      # n x S
    v = black76(Fs, K[:, None], T[:, None], vols, call[:, None], df)
    v0 = black76(F, K, T, V, call, df[:, 0])[:, None]
    inv = (v / Fs - v0 / F[:, None]) * (weight * rescale)[None, :]
    lin = (v - v0) * weight[None, :]
    opt = np.where(inverse[:, None], inv, lin)
    fut = np.where(fut_inverse[:, None], (move / (1 + move) * weight * rescale)[None, :], fut_mark[:, None] * (move * weight)[None, :])
    return opt, fut


times = []
cpu = []
for _ in range(max(5, int(inp.get("runs", 30)))):
    t0 = time.perf_counter()
    c0 = time.process_time()
    opt, fut = build()
    cpu.append((time.process_time() - c0) * 1000)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
cpu.sort()
# Wall-clock and process CPU time (the latter unaffected by waiting for a core on a shared machine).
json.dump({"medianMs": times[len(times) // 2], "minMs": times[0], "cpuMedianMs": cpu[len(cpu) // 2], "runs": len(times), "options": opt.tolist(), "futures": fut.tolist()}, open(sys.argv[2], "w"))
