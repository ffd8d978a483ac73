"""Prefect flows and deployments (daily tick, recurring duties, serve/deploy).

Only this package imports Prefect.
"""
