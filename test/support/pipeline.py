"""Run a real two-step ZenML pipeline against the configured ZenML server.

Usage: .venv/bin/python test/support/pipeline.py [--stack NAME]

Client configuration comes from the environment (see services.ts ZenmlServer.env):
ZENML_STORE_URL (+ ZENML_STORE_API_KEY when the server has auth on) and an isolated
ZENML_CONFIG_PATH. For an S3 artifact store on moto also AWS_ENDPOINT_URL=<moto endpoint>.

With --stack the named stack is activated first (client-side setting, in the isolated
config dir); otherwise the active stack is used. The last stdout line is one JSON object:
  {"run_id", "status", "stack", "artifact_store_path", "artifact_uris": [...], "loaded": ...}
or, on failure (exit code 1): {"error": "...", "type": "..."}.
"""

import argparse
import json
import sys
import traceback
from typing import Any, Dict, List


from zenml import pipeline, step  # noqa: E402

# Steps and pipeline must be module-level: ZenML resolves them by import path.


@step
def produce() -> Dict[str, Any]:
    return {"greeting": "hello from step 1", "numbers": [1, 2, 3]}


@step
def consume(data: Dict[str, Any]) -> str:
    return f"{data['greeting']} -> sum={sum(data['numbers'])}"


@pipeline(enable_cache=False)
def storage_roundtrip() -> None:
    consume(produce())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", help="name or id of the stack to activate first")
    args = parser.parse_args()
    try:
        from zenml.client import Client

        client = Client()
        if args.stack:
            client.activate_stack(args.stack)
        stack = client.active_stack_model
        artifact_store = stack.components["artifact_store"][0]
        run = storage_roundtrip()
        if run is None:
            raise RuntimeError("the pipeline did not run (no run returned)")
        run = client.get_pipeline_run(run.id)
        uris: List[str] = []
        for step_run in run.steps.values():
            for versions in step_run.outputs.values():
                uris.extend(v.uri for v in versions)
        loaded = run.steps["consume"].output.load()
        result = {
            "run_id": str(run.id),
            "status": str(run.status.value if hasattr(run.status, "value") else run.status),
            "stack": stack.name,
            "artifact_store_path": artifact_store.configuration.get("path"),
            "artifact_uris": sorted(uris),
            "loaded": loaded,
        }
    except Exception as e:  # noqa: BLE001 - report any failure as JSON
        traceback.print_exc(file=sys.stderr)
        print(json.dumps({"error": f"{type(e).__name__}: {e}", "type": type(e).__name__}))
        return 1
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
