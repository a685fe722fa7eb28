"""Discovery: finding what the user did not type.

:mod:`.similar` finds a paper's neighbours; :mod:`.vocabulary` holds the index's words
with their paper counts and completes a prefix (suggest); :mod:`.spelling` corrects a
query towards those words (did-you-mean).
"""
