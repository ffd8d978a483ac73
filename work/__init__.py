"""The day's work: sync, reminders, invitations, feeds and the review pack composed into one
run, its run log, shared folders and doctor. Plain functions: Prefect wraps them in
naptip.flows.
"""
