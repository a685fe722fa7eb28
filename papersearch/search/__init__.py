"""Search: from a query's text to ranked, highlighted hits.

:mod:`.query` parses the query language; :mod:`.compiler` analyzes its words and plans
the Whoosh queries (with :mod:`.expansion`, :mod:`.coordination`, :mod:`.intent`,
:mod:`.bm25f` and :mod:`.ranking`); :mod:`.scoring` scores them over cached postings,
:mod:`.columns` filters by dates, votes and authors; :mod:`.searching` runs a search and
builds hits with :mod:`.highlight`, :mod:`.explain` and :mod:`.facets`. :mod:`.pool`
lends searchers to threads; :mod:`.querytree` walks compiled queries.
"""
