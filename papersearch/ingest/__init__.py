"""Ingest: digest files into index documents.

:mod:`.digest` parses one day's Markdown into typed entries (file and line for every
problem), :mod:`.markup` turns inline LaTeX and Markdown into display text, and
:mod:`.indexing` merges each paper's entries across days and writes them, a batch per
commit, analysing text with :mod:`papersearch.analysis` (in worker processes for large adds).
"""
