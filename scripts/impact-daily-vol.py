#!/usr/bin/env python3
"""Daily volatility of BTC and ETH for presets/impact-default.json (docs/cascade.md, "Market impact").

    python3 scripts/impact-daily-vol.py

Sample standard deviation of daily log returns of the Yahoo closes in ../shared/data (REAL data, read, not copied),
2019-01-01 to 2024-12-31. Prints the values the preset's `dailyVolatility` holds (rounded to 4 decimals).
"""
import csv
import math
import os

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")

for base, name in (("BTC", "btc_usd_daily_ohlcv_yahoo.csv"), ("ETH", "eth_usd_daily_ohlcv_yahoo.csv")):
    with open(os.path.join(DATA, name)) as f:
        rows = [(r["Date"][:10], float(r["Close"])) for r in csv.DictReader(f) if r["Close"]]
    closes = [c for d, c in rows if "2019-01-01" <= d <= "2024-12-31"]
    lr = [math.log(closes[i] / closes[i - 1]) for i in range(1, len(closes))]
    mean = sum(lr) / len(lr)
    sd = math.sqrt(sum((x - mean) ** 2 for x in lr) / (len(lr) - 1))
    print(f"{base}: {len(lr)} daily returns, sigma_day = {sd:.4f}")
