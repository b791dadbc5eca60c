"""The HTTP API's parts: error bodies, document uploads, glossary bodies."""
