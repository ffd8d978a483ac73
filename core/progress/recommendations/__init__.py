"""Recommendations follow-up (issue 22): sets of recommendations (a US TIP Report's, an
annual review's, the final evaluation's) as tracked items, linked to the plan activities
that answer them, owned by a lead committee, and brought forward by their leads' reviewed
status updates. The tables are in naptip.store.orm (``Recommendation*``)."""
