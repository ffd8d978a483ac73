"""Data-only plugins: TOML/JSON/CSV plan files, their schema and their reader.
"""
