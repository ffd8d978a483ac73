"""Rules of time that know no plan: the settable clock, working days and holidays by state,
recurrence rules, dated duty versions, cadences.
"""
