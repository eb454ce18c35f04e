"""A real gRPC server (grpcio) for gatehouse's integration tests: the upstream that
gRPC calls are proxied to.

    server.py PORT [--tls CERT_FILE KEY_FILE]

Serves on 127.0.0.1:PORT only, h2c (HTTP/2 with prior knowledge) or, with --tls, h2 over
TLS (ALPN h2). Prints one line, `ready 127.0.0.1:PORT`, on stdout once it is serving,
and nothing else there; exits 3 if it cannot bind the port (SO_REUSEPORT is off, so a
port another process holds is a failure, not a shared port). SIGTERM or SIGINT stop it
(in-flight calls get 1 s).

No generated code and no protobuf: the service is registered with generic handlers,
messages are raw bytes, and every payload is JSON. Service gatehouse.test.Echo:

  Unary         {"metadata": {...}, "request": <the request's JSON>,
                "time_remaining_s": <what is left of the call's deadline, from the
                grpc-timeout header, or null without one>}
  ServerStream  request {"count": N, "interval_ms": M}: N replies {"seq": i,
                "metadata": {...}}, i from 0, M ms apart (the first at once)
  Chat          bidirectional: each request message, as it arrives, answered with
                {"echo": <its JSON>, "seq": i}, i from 0; ends when the client's side does
  Fail          request {"code": "NOT_FOUND", "message": "...", "trailer": "value"}:
                trailing metadata x-test-trailer: value (when given), then the call
                ends with that status code and message

"metadata" is all the invocation metadata the server saw (custom headers such as
x-auth-user arrive there, with user-agent and the like; pseudo-headers, content-type
and te do not): keys as received (lower case), a key sent more than once has its
values joined with ", " in order, and a -bin key's value is base64. Every call also
sends initial metadata x-test-method: <method name>, so that a test can see response
headers pass through a proxy.

tests/integration/grpc_kit.rs starts and stops it (GrpcServer).
"""

import base64
import json
import signal
import sys
import threading
import time
from concurrent import futures

import grpc

SERVICE = "gatehouse.test.Echo"


def metadata_json(context):
    seen = {}
    for key, value in context.invocation_metadata():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        seen[key] = f"{seen[key]}, {value}" if key in seen else value
    return seen


def parse(request, context):
    try:
        return json.loads(request)
    except ValueError as error:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"the request is not JSON: {error}")


def encode(value):
    return json.dumps(value, separators=(",", ":")).encode()


def started(context, method):
    context.send_initial_metadata((("x-test-method", method),))


def unary(request, context):
    started(context, "Unary")
    return encode(
        {
            "metadata": metadata_json(context),
            "request": parse(request, context),
            "time_remaining_s": context.time_remaining(),
        }
    )


def server_stream(request, context):
    started(context, "ServerStream")
    body = parse(request, context)
    try:
        count = int(body["count"])
        interval = int(body.get("interval_ms", 0)) / 1000
    except (KeyError, TypeError, ValueError):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, 'want {"count": N, "interval_ms": M}')
    metadata = metadata_json(context)
    for seq in range(count):
        if seq > 0 and interval > 0:
            time.sleep(interval)
        if not context.is_active():
            return
        yield encode({"seq": seq, "metadata": metadata})


def chat(requests, context):
    started(context, "Chat")
    for seq, request in enumerate(requests):
        yield encode({"echo": parse(request, context), "seq": seq})


def fail(request, context):
    started(context, "Fail")
    body = parse(request, context)
    try:
        code = grpc.StatusCode[body["code"]]
    except (KeyError, TypeError):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"no such status code in {body!r}")
    if body.get("trailer") is not None:
        context.set_trailing_metadata((("x-test-trailer", str(body["trailer"])),))
    context.abort(code, str(body.get("message", "")))


def identity(data):
    return data


def main():
    args = sys.argv[1:]
    if len(args) not in (1, 4) or (len(args) == 4 and args[1] != "--tls"):
        sys.exit("usage: server.py PORT [--tls CERT_FILE KEY_FILE]")
    address = f"127.0.0.1:{int(args[0])}"
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, identity, identity),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream, identity, identity),
        "Chat": grpc.stream_stream_rpc_method_handler(chat, identity, identity),
        "Fail": grpc.unary_unary_rpc_method_handler(fail, identity, identity),
    }
    # Each streaming call holds a worker thread for as long as it is open.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=64),
        handlers=(grpc.method_handlers_generic_handler(SERVICE, handlers),),
        options=(("grpc.so_reuseport", 0),),
    )
    try:
        if len(args) == 4:
            with open(args[2], "rb") as cert, open(args[3], "rb") as key:
                credentials = grpc.ssl_server_credentials(((key.read(), cert.read()),))
            bound = server.add_secure_port(address, credentials)
        else:
            bound = server.add_insecure_port(address)
    except RuntimeError as error:
        # grpcio >= 1.60 raises; older ones return 0.
        print(f"server.py: cannot bind {address}: {error}", file=sys.stderr, flush=True)
        sys.exit(3)
    if bound == 0:
        print(f"server.py: cannot bind {address}", file=sys.stderr, flush=True)
        sys.exit(3)
    server.start()

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(f"ready {address}", flush=True)
    while not stopping.wait(1):
        pass
    server.stop(grace=1).wait(5)


if __name__ == "__main__":
    main()
