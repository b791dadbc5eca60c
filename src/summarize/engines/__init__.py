"""Engines that turn text into summaries or translations; their contract is in :mod:`.base`.

Generation engines: transformers (:mod:`.seq2seq`) and CTranslate2 (:mod:`.ctranslate2`),
loaded by :mod:`.loader`; summarizers: the embedded extractive one (:mod:`.extractive`).
"""
