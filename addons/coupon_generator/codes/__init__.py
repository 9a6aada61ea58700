"""Coupon code spaces without any database: symbol collections, templates, sampling, check characters.

Nothing here imports the ORM, so every rule about codes can be tested and
benchmarked on its own; the models only decide what to persist.
"""
