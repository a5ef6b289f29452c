"""``intygscheck schema``: print the JSON Schema of the certificate model."""

from __future__ import annotations

import json

from ._app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema of the native certificate model (with FK question ids)."""
    from ..model import Certificate

    print(json.dumps(Certificate.model_json_schema(), indent=2, ensure_ascii=False))
