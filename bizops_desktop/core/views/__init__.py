"""Shared derived views of a dataset. The analyses use these instead of re-deriving them:

- ``baskets``: items per order (basket rules, one basket per row files)
- ``ratings``: user x item matrix, explicit or implicit (recommendations)
- ``series``: sales series per product or in total at a frequency (forecast)
- ``prices``: price/quantity panel per product and period (pricing)
- ``customers``: per-customer features with an optional inactivity label (churn risk)
- ``periods``: frequency guessing and period arithmetic shared by the above
"""
