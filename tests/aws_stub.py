"""A tiny HTTP stand-in for AWS, for what moto cannot do: answer AccessDenied as AWS does, or never answer.

`deny`: STS GetCallerIdentity succeeds (an assumed role), every other call gets EC2's real 403
UnauthorizedOperation body (EC2 API reference, "Error codes"). `hang`: every request waits until the stub stops.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCOUNT = "123456789012"
CALLER_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/alice"

STS_IDENTITY = f"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>{CALLER_ARN}</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>{ACCOUNT}</Account>
  </GetCallerIdentityResult><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata></GetCallerIdentityResponse>"""

EC2_DENIED = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>'
              f"<Message>You are not authorized to perform this operation. User: {CALLER_ARN} is not authorized "
              "to perform: ec2:DescribeSubnets because no identity-based policy allows the ec2:DescribeSubnets "
              "action</Message></Error></Errors><RequestID>a1b2c3d4-EXAMPLE</RequestID></Response>")


class StubAws:
    """`with StubAws("deny") as url:` an endpoint URL for every service."""

    def __init__(self, mode: str) -> None:
        assert mode in ("deny", "hang")
        self.mode = mode
        self.released = threading.Event()
        self.requests: list[bytes] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append(body)
                if stub.mode == "hang":
                    stub.released.wait(60)
                    return
                if b"Action=GetCallerIdentity" in body:
                    self._send(200, STS_IDENTITY)
                else:
                    self._send(403, EC2_DENIED)

            def _send(self, code: int, text: str) -> None:
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *_: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
