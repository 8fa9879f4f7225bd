"""Runs KServe's own REST client (kserve.InferenceRESTClient, from PyPI) against a Vigil runtime.

Usage: python3 kserve_check.py <base-url> <model-name>
Prints one JSON object with what the client saw; the vitest test asserts on it.
Exit 2 with one line when kserve is not installed.
"""

import asyncio
import json
import sys

try:
    import httpx
    from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
except ImportError as error:  # pragma: no cover - environment problem, reported to the test
    print(f"kserve is not installed ({error}): pip install kserve", file=sys.stderr)
    sys.exit(2)


async def check(base_url: str, model: str) -> dict:
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0, timeout=30))
    seen = {
        "live": await client.is_server_live(base_url),
        "ready": await client.is_server_ready(base_url),
        "model_ready": await client.is_model_ready(base_url, model),
    }

    texts = ["have a nice day", "you are an idiot"]
    request = InferRequest(
        model_name=model,
        infer_inputs=[InferInput(name="text", shape=[len(texts)], datatype="BYTES", data=texts)],
    )
    response = await client.infer(base_url, request, model_name=model)
    outputs = {output.name: output for output in response.outputs}
    scores = outputs["scores"].as_numpy()
    seen["infer"] = {
        "model_name": response.model_name,
        "output_names": sorted(outputs),
        "scores_shape": list(scores.shape),
        "scores_in_range": bool(((scores >= 0) & (scores <= 1)).all()),
        "actions": [a.decode() if isinstance(a, bytes) else str(a) for a in outputs["action"].data],
    }

    try:
        await client.infer(base_url, request, model_name="no-such-model")
        seen["unknown_model"] = {"error": None}
    except httpx.HTTPStatusError as error:
        seen["unknown_model"] = {"error": str(error), "status": error.response.status_code}
    return seen


print(json.dumps(asyncio.run(check(sys.argv[1], sys.argv[2]))))
