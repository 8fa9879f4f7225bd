"""Runs NVIDIA's tritonclient HTTP client (from PyPI) against a Vigil runtime.

Usage: python3 tritonclient_check.py <host:port> <model-name>
Prints one JSON object with what the client saw; the vitest test asserts on it.
Exit 2 with one line when tritonclient is not installed.
"""

import json
import sys

try:
    import numpy as np
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException
except ImportError as error:  # pragma: no cover - environment problem, reported to the test
    print(f"tritonclient is not installed ({error}): pip install 'tritonclient[http]'", file=sys.stderr)
    sys.exit(2)

url, model = sys.argv[1], sys.argv[2]
client = httpclient.InferenceServerClient(url=url)
seen = {
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "model_ready": client.is_model_ready(model),
    "server_metadata": client.get_server_metadata(),
    "model_metadata": client.get_model_metadata(model),
}

texts = np.array([b"have a nice day", b"you are an idiot"], dtype=np.object_)
for binary in (False, True):
    text_input = httpclient.InferInput("text", [2], "BYTES")
    text_input.set_data_from_numpy(texts, binary_data=binary)
    outputs = [
        httpclient.InferRequestedOutput("scores", binary_data=False),
        httpclient.InferRequestedOutput("action", binary_data=False),
    ]
    key = "infer_binary" if binary else "infer_json"
    try:
        result = client.infer(model, inputs=[text_input], outputs=outputs)
        scores = result.as_numpy("scores")
        seen[key] = {
            "scores_shape": list(scores.shape),
            "scores_in_range": bool(((scores >= 0) & (scores <= 1)).all()),
            "actions": [a.decode() if isinstance(a, bytes) else str(a) for a in result.as_numpy("action")],
        }
    except InferenceServerException as error:
        seen[key] = {"error": error.message(), "status": error.status()}

try:
    client.get_model_metadata("no-such-model")
    seen["unknown_model"] = {"error": None}
except InferenceServerException as error:
    seen["unknown_model"] = {"error": error.message(), "status": error.status()}

print(json.dumps(seen))
