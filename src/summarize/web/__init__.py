"""The web layer: the FastAPI app and its routes (:mod:`.api`), the Gradio demo (:mod:`.demo`), the
request guards (:mod:`.guards`) and the server that puts them together (:mod:`.server`); only the CLI
imports it."""
