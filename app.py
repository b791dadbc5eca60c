"""The web demo and HTTP API: ``python app.py [--config PATH] [--host HOST] [--port PORT] [--set KEY=VALUE]``.

The same as ``summarize serve``: the Gradio UI at ``/``, the REST API under ``/v1`` and its docs at
``/docs``, on http://127.0.0.1:7860 by default. Nothing happens when this file is imported.
"""

import sys

from summarize.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
