"""A raw HTTP/2 (h2c) responder that answers every request with one HEADERS frame and
END_STREAM, written by hand with the h2 library: the gRPC "Trailers-Only" response with
which gatehouse refuses a gRPC call, sent by something that is not gatehouse, so that
the tests can prove what a real gRPC client (grpcio) makes of it.

    refuser.py PORT [NAME=VALUE]...

The header fields are sent in the order given; without any, the refusal of a call with
no credentials:

    :status: 200
    content-type: application/grpc
    grpc-status: 16
    grpc-message: missing credentials

Serves on 127.0.0.1:PORT only, prints `ready 127.0.0.1:PORT` on stdout once it
listens, exits 3 if it cannot bind, and stops on SIGTERM or SIGINT. The request's
body, if any, is read and dropped. tests/integration/grpc_kit.rs starts it
(GrpcServer::refuser).
"""

import signal
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions

REFUSAL = [
    (":status", "200"),
    ("content-type", "application/grpc"),
    ("grpc-status", "16"),
    ("grpc-message", "missing credentials"),
]


def serve(sock, headers):
    config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    sock.settimeout(30)
    try:
        sock.sendall(conn.data_to_send())
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    conn.send_headers(event.stream_id, headers, end_stream=True)
                elif isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.ConnectionTerminated):
                    sock.sendall(conn.data_to_send())
                    return
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.ProtocolError):
        return
    finally:
        sock.close()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: refuser.py PORT [NAME=VALUE]...")
    port = int(sys.argv[1])
    headers = []
    for pair in sys.argv[2:]:
        # No name starts with '=', and this way ":status=200" splits as well.
        rest, sep, value = pair[1:].partition("=")
        name = pair[:1] + rest
        if not sep or not name:
            sys.exit(f"refuser.py: want NAME=VALUE, not {pair!r}")
        headers.append((name, value))
    headers = headers or REFUSAL

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as error:
        print(f"refuser.py: cannot bind 127.0.0.1:{port}: {error}", file=sys.stderr, flush=True)
        sys.exit(3)
    listener.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    print(f"ready 127.0.0.1:{port}", flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock, headers), daemon=True).start()


if __name__ == "__main__":
    main()
