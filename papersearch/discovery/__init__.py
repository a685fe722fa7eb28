"""Discovery: finding what the user did not type.

:mod:`.similar` finds a paper's neighbours; :mod:`.vocabulary` holds the index's words
with their paper counts; :mod:`.suggestions` completes the last word of a search box,
ranked by the words before it; :mod:`.spelling` corrects a query towards the vocabulary
(did-you-mean, and the correction searched when a query finds nothing).
"""
