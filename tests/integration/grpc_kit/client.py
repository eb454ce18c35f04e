"""A real gRPC client (grpcio) for gatehouse's integration tests: one call to the
gatehouse.test.Echo service of server.py, directly or through gatehouse.

    client.py HOST:PORT METHOD [--path /pkg.Service/Method] [--metadata KEY=VALUE]...
              [--request JSON] [--message JSON]... [--interval-ms M] [--lockstep]
              [--deadline-s S]
              [--tls-ca CA_FILE [--server-name NAME]]

METHOD is Unary, ServerStream or Fail (one request message, --request, default {}),
or Chat (the --message values, sent --interval-ms apart, the first at once; with
--lockstep each one only after the reply to the one before has arrived, so that a
proxy which holds the replies back until the client's side ends makes the call run into
its deadline instead of passing). --path
calls another method path with the same shape of call (a route rule, an unknown
method). Without --tls-ca the channel is insecure: h2c with prior knowledge; with it,
h2 over TLS (ALPN h2) checked against that CA, for the name --server-name (default
the host). No HTTP proxy from the environment, no retries: one attempt, as sent.

Prints exactly one JSON line on stdout:

  {"code": "OK" | "UNAUTHENTICATED" | ..., "details": "...", "responses": [...],
   "response_ms": [...], "initial_metadata": {...}, "trailing_metadata": {...},
   "elapsed_ms": N}

responses are the response messages parsed as JSON (a message that is not JSON is kept
as its text); response_ms says when each arrived, in ms since the call started;
metadata keys a server sent more than once have their values joined with ", ", -bin
values are base64. Exits 0 whenever the call ended with a status, whichever it is
(a deadline of --deadline-s, default 20, is DEADLINE_EXCEEDED); 2 for a usage error.

tests/integration/grpc_kit.rs runs it (grpc_kit::call).
"""

import argparse
import base64
import json
import queue
import time

import grpc

SERVICE = "gatehouse.test.Echo"
SHAPES = {
    "Unary": "unary_unary",
    "ServerStream": "unary_stream",
    "Chat": "stream_stream",
    "Fail": "unary_unary",
}


def metadata_json(pairs):
    seen = {}
    for key, value in pairs or ():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        seen[key] = f"{seen[key]}, {value}" if key in seen else value
    return seen


def decode(message):
    try:
        return json.loads(message)
    except ValueError:
        return message.decode("utf-8", "backslashreplace")


def json_bytes(text, what, parser):
    try:
        json.loads(text)
    except ValueError as error:
        parser.error(f"{what} is not JSON: {error}")
    return text.encode()


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="HOST:PORT")
    parser.add_argument("method", choices=sorted(SHAPES))
    parser.add_argument("--path", help="another method path, called with METHOD's shape")
    parser.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--request", default="{}", help="the request message (JSON)")
    parser.add_argument("--message", action="append", default=[], help="a Chat message (JSON)")
    parser.add_argument("--interval-ms", type=int, default=0)
    parser.add_argument("--lockstep", action="store_true", help="Chat: wait for each reply")
    parser.add_argument("--deadline-s", type=float, default=20.0)
    parser.add_argument("--tls-ca", help="a PEM CA file: h2 over TLS instead of h2c")
    parser.add_argument("--server-name", help="the name to check the certificate for")
    args = parser.parse_args()
    args.metadata_pairs = []
    for pair in args.metadata:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"--metadata wants KEY=VALUE, not {pair!r}")
        args.metadata_pairs.append((key, value))
    if args.server_name and not args.tls_ca:
        parser.error("--server-name needs --tls-ca")
    if args.lockstep and args.method != "Chat":
        parser.error("--lockstep is for Chat")
    if args.deadline_s <= 0:
        parser.error("--deadline-s must be positive")
    args.request_bytes = json_bytes(args.request, "--request", parser)
    args.message_bytes = [json_bytes(m, "--message", parser) for m in args.message]
    return args


def channel(args):
    options = [("grpc.enable_http_proxy", 0), ("grpc.enable_retries", 0)]
    if not args.tls_ca:
        return grpc.insecure_channel(args.target, options=options)
    with open(args.tls_ca, "rb") as ca:
        credentials = grpc.ssl_channel_credentials(root_certificates=ca.read())
    if args.server_name:
        options.append(("grpc.ssl_target_name_override", args.server_name))
    return grpc.secure_channel(args.target, credentials, options=options)


def main():
    args = arguments()
    path = args.path or f"/{SERVICE}/{args.method}"
    shape = SHAPES[args.method]
    responses, response_ms = [], []
    # One item per reply (and one when the call ends), for --lockstep.
    replies = queue.Queue()
    started = time.monotonic()

    def received(message):
        response_ms.append(round((time.monotonic() - started) * 1000))
        responses.append(decode(message))
        replies.put(True)

    def messages():
        # grpcio reads this on a thread of its own.
        for i, message in enumerate(args.message_bytes):
            if i > 0 and args.lockstep:
                remaining = args.deadline_s - (time.monotonic() - started)
                try:
                    if not replies.get(timeout=max(remaining, 0)):
                        return
                except queue.Empty:
                    return
            if i > 0 and args.interval_ms > 0:
                time.sleep(args.interval_ms / 1000)
            yield message

    with channel(args) as chan:
        callable_ = getattr(chan, shape)(path)
        call_args = dict(metadata=args.metadata_pairs, timeout=args.deadline_s)
        try:
            if shape == "unary_unary":
                response, call = callable_.with_call(args.request_bytes, **call_args)
                received(response)
            else:
                source = messages() if shape == "stream_stream" else args.request_bytes
                call = callable_(source, **call_args)
                for response in call:
                    received(response)
        except grpc.RpcError as error:
            # The error is the call: its status, details and metadata.
            call = error
        replies.put(False)
        outcome = {
            "code": call.code().name,
            "details": call.details() or "",
            "responses": responses,
            "response_ms": response_ms,
            "initial_metadata": metadata_json(call.initial_metadata()),
            "trailing_metadata": metadata_json(call.trailing_metadata()),
            "elapsed_ms": round((time.monotonic() - started) * 1000),
        }
    print(json.dumps(outcome, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
