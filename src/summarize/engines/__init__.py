"""Engines that turn text into summaries or translations: Hugging Face seq2seq and the embedded extractive one."""
