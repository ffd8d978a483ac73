"""The plan laid out on the calendar: the schedule of occurrences, its materialisation in the
store, the stored view.
"""
