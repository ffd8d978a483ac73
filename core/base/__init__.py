"""The words every layer shares: errors, the model of a plan, configuration, values and the
types plugins exchange. Imports nothing else of naptip.
"""
