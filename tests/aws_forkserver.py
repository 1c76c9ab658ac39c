"""The real AWS CLI (v1, from the test extra) without its start-up, for tests that run it dozens of times.

Each `aws` process spends ~0.5 s importing awscli and botocore before it makes its one call; the exported CLI
script makes dozens of calls per run. Here one server process imports `awscli.clidriver` once and waits on a
UNIX socket. An `aws` shim, first on the script's PATH, is a tiny client (`python -S`: no site, stdlib only):
it sends its argv, environment and working folder, and passes its own stdin, stdout and stderr file
descriptors (SCM_RIGHTS). The server forks; the child takes those descriptors as its 0, 1 and 2, takes the
environment, folder and argv, and runs the unchanged `awscli.clidriver.main()` as the `aws` entry point does.
Its exit code goes back to the shim, which exits with it. So every call is the real AWS CLI's code and
behaviour (argument parsing, credentials from the environment, the HTTP call, output formatting, exit codes),
in a fresh process image for each call (a fork), minus the imports.

The plain `aws` entry point is still run as is by tests/test_export.py's zone-lookup test.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

SHIM = '''#!{python} -S
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect({sock!r})
request = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}}).encode()
socket.send_fds(s, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
answer = b""
while True:
    chunk = s.recv(64)
    if not chunk:
        break
    answer += chunk
sys.exit(int(answer) if answer else 255)
'''


def _recv_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the aws shim went away")
        data += chunk
    return data


def _serve_one(conn: socket.socket) -> int:
    """In the forked child: become the `aws` process the shim stands for, and run the AWS CLI."""
    fds = array.array("i")
    header, ancillary, _flags, _addr = conn.recvmsg(8, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    header += _recv_exactly(conn, 8 - len(header))
    request = json.loads(_recv_exactly(conn, int.from_bytes(header, "big")))
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    if os.environ.get("LC_CTYPE", "") == "UTF-8":  # as the `aws` entry point script does
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    sys.argv = ["aws", *request["argv"]]
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    import awscli.clidriver

    # what `import awscli` does with the environment, done again with the caller's (its only import-time read)
    data_path = []
    if "AWS_DATA_PATH" in os.environ:
        data_path = [os.path.expanduser(os.path.expandvars(p)) for p in os.environ["AWS_DATA_PATH"].split(os.pathsep)]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join([*data_path, os.path.join(os.path.dirname(awscli.__file__), "data")])
    try:
        code = awscli.clidriver.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    return int(code or 0)


def _warm_up() -> None:
    """Pay once, before any fork, what every `aws` call pays first: importing the CLI and its plugins, and
    reading botocore's data (the service models are megabytes of JSON). The data is read-only, and botocore
    already caches it per session: here the sessions of all calls share one loader, filled with what the
    exported script's calls read (other data still loads on demand). Nothing else is kept: each call makes
    its own driver and session from its own environment."""
    import awscli.clidriver
    import botocore.exceptions
    import botocore.session

    loaders: dict = {}
    create_loader = botocore.session.create_loader

    def shared_loader(search_path_string: str | None = None) -> object:
        if search_path_string not in loaders:
            loaders[search_path_string] = create_loader(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared_loader
    driver = awscli.clidriver.create_clidriver()  # imports the plugins (awscli.handlers and what it loads)
    loader = driver.session.get_component("data_loader")
    loader.list_available_services("service-2")
    for name in ("cli", "endpoints", "partitions", "_retry", "sdk-default-configuration"):
        loader.load_data(name)
    for service in ("sts", "ec2", "iam", "route53"):
        for kind in ("service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"):
            with contextlib.suppress(botocore.exceptions.DataNotFoundError):  # a service without waiters
                loader.load_service_model(service, kind)


def serve(sock_path: str) -> None:
    _warm_up()

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            code = 255
            try:
                code = _serve_one(conn)
            except BaseException:  # noqa: BLE001 - shown on the shim's stderr (or the server's), exit 255
                import traceback

                traceback.print_exc()
            finally:
                try:
                    conn.sendall(str(code).encode())
                finally:
                    os._exit(0)
        conn.close()


class AwsForkServer:
    """Start with `start()`: a folder with an `aws` shim to put first on PATH (`bin`); `stop()` ends it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bin = folder / "bin"
        self.sock = folder / "aws.sock"
        self.process: object = None

    def start(self) -> AwsForkServer:
        import subprocess

        self.bin.mkdir(parents=True, exist_ok=True)
        shim = self.bin / "aws"
        shim.write_text(SHIM.format(python=sys.executable, sock=str(self.sock)))
        shim.chmod(0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        process = subprocess.Popen([sys.executable, __file__, str(self.sock)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, env=env, text=True)
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        self.process = process
        return self

    def stop(self) -> None:
        import subprocess

        process = self.process
        if isinstance(process, subprocess.Popen):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    serve(sys.argv[1])
