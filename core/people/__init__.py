"""People and reminders: contacts, sign-in, the reminder policy and its ledger.
"""
