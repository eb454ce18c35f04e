#!/usr/bin/env python3
"""A "legacy" backend with no authentication of its own (Python standard library only).

It trusts the identity headers gatehouse sets, because gatehouse is the only thing that
can reach it (it listens on 127.0.0.1). Run: python3 backend.py [port]
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        user = self.headers.get("X-Auth-User")
        roles = [r for r in (self.headers.get("X-Auth-Roles") or "").split(",") if r]
        if self.path.startswith("/public/"):
            body = {"page": "public", "hello": user or "anonymous"}
        elif user is None:
            # Only reachable by going around gatehouse.
            self.send_response(500)
            self.end_headers()
            return
        elif self.path.startswith("/reports") and "admin" not in roles:
            body = {"error": "admins only"}
        else:
            body = {
                "page": self.path,
                "user": user,
                "user_id": self.headers.get("X-Auth-User-Id"),
                "email": self.headers.get("X-Auth-Email"),
                "roles": roles,
                "authenticated_by": self.headers.get("X-Auth-Method"),
            }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):
        sys.stderr.write("backend: " + fmt % args + "\n")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
