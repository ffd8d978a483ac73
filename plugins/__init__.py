"""The built-in plugins: one per NAPTIP committee, and the NSO MAPO secretariat."""
