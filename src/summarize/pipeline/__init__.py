"""The task drivers every engine plugs into, and the choice of engines.

A text goes through the layers in one direction: the facade (:class:`summarize.Service`)
validates it and picks the implementations once, by configuration (:mod:`.engines`); the
script wrapper (:mod:`summarize.script_handling`) reads and writes Traditional Chinese around
any translator or summarizer; the task driver runs the task over the engine:

- :mod:`.map_reduce`: summaries of any length, for every generating engine (seq2seq, CTranslate2,
  chat model): each engine gives its chunking and its prompts (:class:`.map_reduce.SummaryModel`);
- :mod:`.translation`: document translation, paragraphs kept, batched across documents, streamed
  piece by piece, for every engine: each engine gives its pieces and how it translates them
  (:class:`.translation.PieceTranslator`).
"""
