"""Parse connector configurations with ZenML's own connector types (no cloud call).

Usage: .venv/bin/python test/support/zenml_connector_config_check.py '<json list>'
Input: [{"type": "azure", "method": "implicit", "configuration": {...}}, ...]
Prints one JSON line: {"results": [...]}, a list of {"ok": true, "fields": [...]} or {"ok": false, "error": "..."},
one per input, from the auth method's `config_class` in ZenML's connector registry
(the pydantic model ZenML itself builds the connector's config with).
"""

import json
import sys

from zenml.service_connectors.service_connector_registry import (
    service_connector_registry,
)


def check(item):
    spec = service_connector_registry.get_service_connector_type(item["type"])
    method = spec.auth_method_dict[item["method"]]
    try:
        config = method.config_class(**item["configuration"])
    except Exception as e:  # pydantic ValidationError and friends
        return {"ok": False, "error": str(e).splitlines()[0] + " " + str(e)[:300]}
    return {"ok": True, "fields": sorted(config.model_dump(exclude_none=True).keys())}


def main() -> int:
    items = json.loads(sys.argv[1])
    print(json.dumps({"results": [check(i) for i in items]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
