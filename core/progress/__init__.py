"""Evidence and what it says about progress: submission and review, progress figures, status.
"""
