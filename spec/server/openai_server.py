#!/usr/bin/env python3
"""A strict OpenAI-compatible Chat Completions server for the specs (stdlib only).

    python3 spec/server/openai_server.py [--port 0] [--key KEY] [--lifetime 120] [--idle 30]
                                         [--tls-cert PEM --tls-key PEM]

Prints "PORT <n>" on stdout once it listens on 127.0.0.1, then serves until
POST /control/shutdown, `--lifetime` seconds in all, or `--idle` seconds
without a request, whichever comes first.

It checks requests the way the real API does: method and path, the
Authorization header, the JSON body, `model`, message roles, content-part
shapes, data URLs (base64 must decode, JPEG/PNG magic must match the declared
type), `response_format` (json_schema: name, schema, strict; strict schemas
must close every object and require every property), and it rejects unknown
top-level fields. Errors use the API's shape:
{"error": {"message", "type", "param", "code"}}.

Control (what the next chat requests answer):
    POST /control/script  {"responses": [{"kind": "rate_limit", "retry_after": "2"}, ...]}
    GET  /control/log     requests seen so far (image data replaced by a summary)
    GET  /control/redirect?to=PATH   a 302 to PATH
    POST /control/reset   clear script and log
    POST /control/shutdown
Kinds: ok (default; optional "content", "refusal", "model"), rate_limit
(optional retry_after), quota, server_error, overloaded, auth, slow (delay
seconds, then ok), malformed, empty, null_content, refusal, error200 (LM Studio
style; optional "error" value), drop (close without a reply), truncated,
ignore_schema (plain text although a schema was asked for), bad_schema_reply
(JSON that breaks the schema).
"""
import argparse
import base64
import binascii
import json
import math
import os
import re
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOP_LEVEL = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n",
    "stream", "stream_options", "stop", "presence_penalty", "frequency_penalty", "logit_bias",
    "user", "response_format", "seed", "tools", "tool_choice", "logprobs", "top_logprobs",
    "store", "metadata", "parallel_tool_calls", "service_tier", "modalities", "reasoning_effort",
}
ROLES = {"system", "developer", "user", "assistant", "tool"}
DETAILS = {"low", "high", "auto"}
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n",
         "image/gif": b"GIF8", "image/webp": b"RIFF"}
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ApiError(Exception):
    def __init__(self, status, message, etype="invalid_request_error", param=None, code=None):
        super().__init__(message)
        self.status, self.message, self.etype, self.param, self.code = status, message, etype, param, code


def bad(message, param=None, code=None):
    return ApiError(400, message, "invalid_request_error", param, code)


# ---- images -------------------------------------------------------------

def image_size(mime, data):
    """(width, height) from a JPEG SOF marker or a PNG IHDR, else None."""
    if mime == "image/png" and len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if mime == "image/jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            seg_len = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + seg_len
    return None


def image_tokens(w, h, detail):
    """OpenAI's published rule for gpt-4o-class models."""
    if detail == "low":
        return 85
    if max(w, h) > 2048:
        s = 2048.0 / max(w, h)
        w, h = int(w * s), int(h * s)
    if min(w, h) > 768:
        s = 768.0 / min(w, h)
        w, h = int(w * s), int(h * s)
    return 170 * math.ceil(w / 512) * math.ceil(h / 512) + 85


def check_data_url(url, param):
    m = re.match(r"^data:(image/[a-z]+);base64,(.*)$", url, re.S)
    if not m:
        raise bad("Invalid image URL: expected a base64 data URL 'data:image/<type>;base64,...'.",
                  param, "invalid_image_url")
    mime, payload = m.group(1), m.group(2)
    if mime not in MAGIC:
        raise bad("Invalid MIME type. Only image types are supported.", param, "invalid_image_format")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad("Invalid base64 image data.", param, "invalid_image_url")
    if not data.startswith(MAGIC[mime]):
        raise bad("You uploaded an unsupported image. Please make sure your image is valid.",
                  param, "invalid_image_format")
    size = image_size(mime, data)
    if not size:
        raise bad("You uploaded an unsupported image. Please make sure your image is valid.",
                  param, "invalid_image_format")
    return {"mime": mime, "bytes": len(data), "width": size[0], "height": size[1]}


# ---- schemas ------------------------------------------------------------

def check_strict_schema(schema, path):
    if not isinstance(schema, dict):
        raise bad("Invalid schema for response_format: %s is not an object." % path, "response_format")
    t = schema.get("type")
    types = t if isinstance(t, list) else [t]
    if "object" in types:
        props = schema.get("properties", {})
        if schema.get("additionalProperties", True) is not False:
            raise bad("Invalid schema for response_format: In context=(%s), 'additionalProperties' "
                      "is required to be supplied and to be false." % path, "response_format")
        req = schema.get("required", [])
        missing = [k for k in props if k not in req]
        if missing:
            raise bad("Invalid schema for response_format: In context=(%s), 'required' is required "
                      "to be supplied and to be an array including every key in properties. "
                      "Missing '%s'." % (path, missing[0]), "response_format")
        for k, v in props.items():
            check_strict_schema(v, path + ".properties." + k)
    if "array" in types:
        if "items" not in schema:
            raise bad("Invalid schema for response_format: In context=(%s), array schema missing "
                      "items." % path, "response_format")
        check_strict_schema(schema["items"], path + ".items")


def instance_of(schema, hint):
    """A small instance that satisfies `schema` (used for the default answer)."""
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if isinstance(t, list):
        t = [x for x in t if x != "null"][0]
    if t == "object":
        return {k: instance_of(v, k) for k, v in schema.get("properties", {}).items()}
    if t == "array":
        return [instance_of(schema.get("items", {}), hint)]
    if t == "integer":
        return max(1, schema.get("minimum", 1))
    if t == "number":
        return max(0.5, schema.get("minimum", 0.5))
    if t == "boolean":
        return True
    return hint.replace("_", " ")


# ---- the request check --------------------------------------------------

def check_chat(body):
    if not isinstance(body, dict):
        raise bad("The request body must be a JSON object.")
    for k in body:
        if k not in TOP_LEVEL:
            raise bad("Unrecognized request argument supplied: %s" % k, None)
    model = body.get("model")
    if model is None:
        raise bad("you must provide a model parameter", "model")
    if not isinstance(model, str) or not model:
        raise bad("Invalid type for 'model': expected a string.", "model", "invalid_type")
    if body.get("stream"):
        raise bad("This server does not stream.", "stream")
    if "n" in body and body["n"] != 1:
        raise bad("n must be 1 here.", "n")
    if "temperature" in body:
        t = body["temperature"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 2:
            raise bad("Invalid 'temperature': must be a number between 0 and 2.", "temperature")
    for k in ("max_tokens", "max_completion_tokens"):
        if k in body:
            v = body[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise bad("Invalid '%s': must be a positive integer." % k, k)
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise bad("Invalid 'messages': expected a non-empty array.", "messages")
    images, text = [], []
    for i, m in enumerate(msgs):
        p = "messages[%d]" % i
        if not isinstance(m, dict):
            raise bad("Invalid type for '%s': expected an object." % p, p, "invalid_type")
        for k in m:
            if k not in ("role", "content", "name", "refusal", "tool_calls", "tool_call_id"):
                raise bad("Additional properties are not allowed ('%s' was unexpected) - '%s'" % (k, p), p)
        role = m.get("role")
        if role not in ROLES:
            raise bad("Invalid value: '%s'. Supported values are: 'system', 'developer', 'user', "
                      "'assistant', and 'tool'." % role, p + ".role", "invalid_value")
        c = m.get("content")
        if isinstance(c, str):
            text.append(c)
            continue
        if not isinstance(c, list) or not c:
            raise bad("Invalid type for '%s.content': expected a string or an array of content parts."
                      % p, p + ".content", "invalid_type")
        for j, part in enumerate(c):
            pp = "%s.content[%d]" % (p, j)
            if not isinstance(part, dict):
                raise bad("Invalid type for '%s': expected an object." % pp, pp, "invalid_type")
            ptype = part.get("type")
            if ptype == "text":
                if set(part) != {"type", "text"} or not isinstance(part["text"], str):
                    raise bad("Invalid content part '%s': a text part has exactly 'type' and a string "
                              "'text'." % pp, pp)
                text.append(part["text"])
            elif ptype == "image_url":
                if role != "user":
                    raise bad("Invalid '%s': image content parts are only allowed in user messages."
                              % pp, pp)
                if set(part) != {"type", "image_url"} or not isinstance(part["image_url"], dict):
                    raise bad("Invalid content part '%s': an image part has exactly 'type' and an "
                              "object 'image_url'." % pp, pp)
                iu = part["image_url"]
                for k in iu:
                    if k not in ("url", "detail"):
                        raise bad("Unrecognized field '%s.image_url.%s'." % (pp, k), pp + ".image_url")
                if not isinstance(iu.get("url"), str):
                    raise bad("Missing required parameter: '%s.image_url.url'." % pp,
                              pp + ".image_url.url", "missing_required_parameter")
                detail = iu.get("detail", "auto")
                if detail not in DETAILS:
                    raise bad("Invalid value: '%s'. Supported values are: 'low', 'high', and 'auto'."
                              % detail, pp + ".image_url.detail", "invalid_value")
                url = iu["url"]
                if url.startswith("data:"):
                    info = check_data_url(url, pp + ".image_url.url")
                elif url.startswith("https://") or url.startswith("http://"):
                    info = {"mime": "remote", "bytes": 0, "width": 512, "height": 512, "remote": url}
                else:
                    raise bad("Invalid image URL.", pp + ".image_url.url", "invalid_image_url")
                info["detail"] = detail
                images.append(info)
            else:
                raise bad("Invalid value: '%s'. Supported values are: 'text' and 'image_url'." % ptype,
                          pp + ".type", "invalid_value")
    rf = body.get("response_format")
    if rf is not None:
        if not isinstance(rf, dict) or rf.get("type") not in ("text", "json_object", "json_schema"):
            raise bad("Invalid 'response_format': type must be 'text', 'json_object' or 'json_schema'.",
                      "response_format.type", "invalid_value")
        if rf["type"] == "json_schema":
            js = rf.get("json_schema")
            if set(rf) != {"type", "json_schema"} or not isinstance(js, dict):
                raise bad("Missing required parameter: 'response_format.json_schema'.",
                          "response_format.json_schema", "missing_required_parameter")
            for k in js:
                if k not in ("name", "schema", "strict", "description"):
                    raise bad("Unrecognized field 'response_format.json_schema.%s'." % k,
                              "response_format.json_schema")
            if not isinstance(js.get("name"), str) or not NAME_RE.match(js["name"]):
                raise bad("Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.",
                          "response_format.json_schema.name", "invalid_value")
            if not isinstance(js.get("schema"), dict):
                raise bad("Missing required parameter: 'response_format.json_schema.schema'.",
                          "response_format.json_schema.schema", "missing_required_parameter")
            if "strict" in js and not isinstance(js["strict"], bool):
                raise bad("Invalid type for 'response_format.json_schema.strict': expected a boolean.",
                          "response_format.json_schema.strict", "invalid_type")
            if js.get("strict"):
                check_strict_schema(js["schema"], "root")
        elif rf["type"] == "json_object":
            if not any("json" in t.lower() for t in text):
                raise bad("'messages' must contain the word 'json' in some form, to use "
                          "'response_format' of type 'json_object'.", "messages")
    return images, text


# ---- the server ---------------------------------------------------------

class State:
    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.script = []
        self.log = []
        self.last = time.time()
        self.count = 0


def summarize(body):
    """The request with data URLs replaced by their length (the log stays small)."""
    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str) and v.startswith("data:"):
            return "%s... (%d chars)" % (v[:30], len(v))
        return v
    return walk(body)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "glimpse-test-openai/1"

    def log_message(self, *args):
        pass

    # -- output helpers
    def send_json(self, status, obj, extra=None):
        # The log entry is complete before the client can see the answer, so
        # a spec that reads /control/log right after a reply finds it.
        entry = getattr(self, "_entry", None)
        if entry is not None:
            entry["status"] = status
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_error_json(self, e, extra=None):
        self.send_json(e.status, {"error": {"message": e.message, "type": e.etype,
                                            "param": e.param, "code": e.code}}, extra)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # -- routes
    def do_GET(self):
        st = self.server.state
        st.last = time.time()
        if self.path == "/control/log":
            for _ in range(50):
                try:  # a handler thread may be filling an entry right now
                    with st.lock:
                        snapshot = json.loads(json.dumps({"requests": st.log, "count": st.count}))
                    break
                except RuntimeError:
                    time.sleep(0.01)
            self.send_json(200, snapshot)
            return
        if self.path.startswith("/control/redirect"):
            # /control/redirect?to=/control/log: a 302, for redirect handling
            target = self.path.partition("to=")[2] or "/control/log"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/v1/models":
            if not self.auth_ok():
                return
            self.send_json(200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]})
            return
        self.send_error_json(ApiError(404, "Invalid URL (GET %s)" % self.path, "invalid_request_error"))

    def do_POST(self):
        st = self.server.state
        st.last = time.time()
        raw = self.read_body()
        if self.path == "/control/script":
            with st.lock:
                st.script = list(json.loads(raw or b"{}").get("responses", []))
            self.send_json(200, {"ok": True})
            return
        if self.path == "/control/reset":
            with st.lock:
                st.script, st.log, st.count = [], [], 0
            self.send_json(200, {"ok": True})
            return
        if self.path == "/control/shutdown":
            self.send_json(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return
        if self.path != "/v1/chat/completions":
            self.send_error_json(ApiError(404, "Invalid URL (POST %s)" % self.path, "invalid_request_error"))
            return
        self.chat(raw)

    def do_PUT(self):
        self.send_error_json(ApiError(405, "Method not allowed (PUT %s)" % self.path))

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    def auth_ok(self):
        st = self.server.state
        if st.key is None:
            return True
        h = self.headers.get("Authorization")
        if not h:
            self.send_error_json(ApiError(401, "You didn't provide an API key. You need to provide your "
                                          "API key in an Authorization header using Bearer auth.",
                                          "invalid_request_error", None, None))
            return False
        if not h.startswith("Bearer ") or h[7:] != st.key:
            # The real API masks the key; a careless gateway may echo it whole,
            # so this one does, and clients must scrub it.
            self.send_error_json(ApiError(401, "Incorrect API key provided: %s. You can find your API "
                                          "key at the provider's dashboard." % h[7:],
                                          "invalid_request_error", None, "invalid_api_key"))
            return False
        return True

    def chat(self, raw):
        st = self.server.state
        with st.lock:
            st.count += 1
            step = st.script.pop(0) if st.script else {"kind": "ok"}
        entry = {"n": st.count, "kind": step.get("kind", "ok"),
                 "authorization": bool(self.headers.get("Authorization")),
                 "content_type": self.headers.get("Content-Type")}
        with st.lock:
            st.log.append(entry)
        self._entry = entry
        try:
            if not self.auth_ok():
                return
            if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                raise bad("Invalid Content-Type header; expected application/json.")
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise bad("We could not parse the JSON body of your request. (HINT: This likely means "
                          "you aren't using your HTTP library correctly.)")
            entry["body"] = summarize(body)
            images, _ = check_chat(body)
            entry["images"] = images
            self.respond(step, body, images)
        except ApiError as e:
            entry["error"] = e.message
            self.send_error_json(e)
        finally:
            self._entry = None

    def respond(self, step, body, images):
        kind = step.get("kind", "ok")
        if kind == "rate_limit":
            extra = {}
            if step.get("retry_after") is not None:
                extra["Retry-After"] = str(step["retry_after"])
            if step.get("retry_after_ms") is not None:
                extra["retry-after-ms"] = str(step["retry_after_ms"])
            self.send_error_json(ApiError(429, "Rate limit reached for requests on model %s. Please try "
                                          "again in 1s." % body["model"], "requests", None,
                                          "rate_limit_exceeded"), extra)
            return 429
        if kind == "quota":
            self.send_error_json(ApiError(429, "You exceeded your current quota, please check your plan "
                                          "and billing details.", "insufficient_quota", None,
                                          "insufficient_quota"))
            return 429
        if kind == "server_error":
            self.send_error_json(ApiError(500, "The server had an error while processing your request. "
                                          "Sorry about that!", "server_error"))
            return 500
        if kind == "overloaded":
            self.send_error_json(ApiError(503, "The engine is currently overloaded, please try again "
                                          "later.", "server_error"))
            return 503
        if kind == "auth":
            self.send_error_json(ApiError(401, "Incorrect API key provided.", "invalid_request_error",
                                          None, "invalid_api_key"))
            return 401
        if kind == "bad_request":
            self.send_error_json(bad(step.get("message", "Invalid request."), step.get("param")))
            return 400
        if kind == "drop":
            self._entry["status"] = 0
            self.close_connection = True
            self.connection.close()
            return 0
        if kind == "truncated":
            self._entry["status"] = 200
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"id": "chatcmpl-')
            self.wfile.flush()
            self.close_connection = True
            self.connection.close()
            return 200
        if kind == "malformed":
            self._entry["status"] = 200
            data = b'{"id": "chatcmpl-x", "choices": [{"message": '
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return 200
        if kind == "error200":
            err = step.get("error", {"message": "Model is not loaded", "type": "invalid_request_error"})
            self.send_json(200, {"error": err})
            return 200
        if kind == "slow":
            time.sleep(float(step.get("delay", 5)))
        content, refusal = self.content_for(step, body, images)
        model = step.get("model", body["model"])
        prompt = sum(image_tokens(im["width"], im["height"], im["detail"]) for im in images)
        prompt += sum(len(json.dumps(m.get("content")))
                      for m in body["messages"] if isinstance(m.get("content"), str)) // 4 + 7
        completion = max(1, len(content or refusal or "") // 4)
        self.send_json(200, {
            "id": "chatcmpl-test-%d" % self.server.state.count,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_test",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion,
                      "image_tokens": sum(image_tokens(im["width"], im["height"], im["detail"])
                                          for im in images)},
        })
        return 200

    def content_for(self, step, body, images):
        kind = step.get("kind", "ok")
        if kind == "empty":
            return "", None
        if kind == "null_content":
            return None, None
        if kind == "refusal":
            return None, step.get("refusal", "I'm sorry, but I can't help with that request.")
        if "content" in step:
            c = step["content"]
            return (c if isinstance(c, str) else json.dumps(c)), None
        seen = ", ".join("a %dx%d %s image (detail %s)" % (im["width"], im["height"],
                                                              im["mime"].split("/")[-1], im["detail"])
                         for im in images) or "no image"
        rf = body.get("response_format") or {}
        if kind == "bad_schema_reply":
            return json.dumps({"unexpected": True}), None
        if rf.get("type") == "json_schema" and kind != "ignore_schema":
            inst = instance_of(rf["json_schema"]["schema"], "thing")
            if isinstance(inst, dict) and "description" in inst:
                inst["description"] = "The test server saw " + seen + "."
            return json.dumps(inst), None
        if rf.get("type") == "json_object" and kind != "ignore_schema":
            return json.dumps({"description": "The test server saw " + seen + "."}), None
        return "The test server saw " + seen + ".", None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default=None)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--idle", type=float, default=30)
    ap.add_argument("--tls-cert", default=None)
    ap.add_argument("--tls-key", default=None)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    if a.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    # A client that drops a connection (a failed TLS handshake, a timeout)
    # is part of the tests, not an error worth a traceback.
    srv.handle_error = lambda request, client_address: None
    srv.state = State(a.key)
    start = time.time()

    def watchdog():
        while True:
            time.sleep(0.2)
            now = time.time()
            if now - start > a.lifetime or now - srv.state.last > a.idle:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    sys.stdout.write("PORT %d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()


if __name__ == "__main__":
    main()
