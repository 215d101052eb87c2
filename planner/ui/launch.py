"""``planner app``: start the planning app in Streamlit and open it in the browser.

The page script is ``app.py`` at the top of the repository (a development or
editable install); an installed package without the repository uses
:mod:`planner.ui.page_script`, which draws the same page. Streamlit runs
headless (no first-run e-mail prompt, no usage statistics) on 127.0.0.1, the
address is printed, and the default browser is opened once the server answers.

Served on any other address (``--address``), the app asks for an access
token, printed with the address at start (:mod:`planner.ui.access`), unless
``--no-token`` is given (with a warning). Scenario files uploaded in the app
may name region files only inside the planner's upload and the folder given
with ``--data-dir`` (none by default).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from geodata.files import is_file_system_root
from planner.cli.common import DEMO, CommandError, add_region_option_arguments, read_region
from planner.ui.access import QUERY_KEY, TOKEN_ENV, access_token_for, is_loopback
from planner.uploadstore import UPLOAD_STORE_ENV

__all__ = [
    "DATA_DIR_ENV",
    "REGION_ENV",
    "REGION_OPTIONS_ENV",
    "UPLOAD_STORE_ENV",
    "add_arguments",
    "app_script",
    "main",
    "start_lines",
    "streamlit_command",
]

#: Environment variable with the region files the app opens instead of the demo (``os.pathsep``-separated).
REGION_ENV = "PLANNER_APP_REGION"
#: Environment variable with the reading options of those files (JSON of :meth:`RegionOptions.to_dict`).
REGION_OPTIONS_ENV = "PLANNER_APP_REGION_OPTIONS"
#: Environment variable with the folder uploaded scenarios may read region files from (``--data-dir``).
DATA_DIR_ENV = "PLANNER_APP_DATA_DIR"
#: Seconds to wait for the server before giving up on opening the browser.
STARTUP_SECONDS = 90.0


def app_script() -> Path:
    """The page script: the repository's ``app.py`` when there is one, else the packaged copy."""
    repo_app = Path(__file__).resolve().parents[2] / "app.py"
    if repo_app.is_file():
        return repo_app
    return Path(__file__).with_name("page_script.py")


def free_port(preferred: int) -> int:
    """``preferred`` when it is free on 127.0.0.1, else any free port (for benchmarks and tests; the app refuses a busy port)."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def port_in_use(port: int, address: str = "127.0.0.1") -> bool:
    """Whether ``port`` on ``address`` is taken (another app or server listens there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return True
    return False


def check_port(port: int, address: str = "127.0.0.1") -> None:
    """Refuse a busy port with a message naming it and what to do (the app never moves to another port).

    Raises
    ------
    SystemExit
        When ``port`` on ``address`` is taken.
    """
    if port_in_use(port, address):
        raise SystemExit(
            f"planner app: port {port} on {address} is already in use (another planner app?). "
            f"Stop that one, or choose another port, e.g. --port {port + 1}.\n"
            f"planner app：{address} 的端口 {port} 已被占用（另一个规划应用？）。请先关闭它，"
            f"或用 --port 指定其他端口，例如 --port {port + 1}。"
        )


def streamlit_command(script: Path, *, port: int, address: str = "127.0.0.1") -> list[str]:
    """The ``streamlit run`` command line of the app (headless, no usage statistics, no file watcher)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def _open_when_ready(url: str, query: str = "") -> None:
    import urllib.request  # here, not at the top: every command builds the parser that imports this module
    import webbrowser

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    webbrowser.open(url + query)
                    return
        except OSError:
            time.sleep(0.3)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``planner app`` options."""
    parser.add_argument(
        "--port", type=int, default=8501, help="port to serve on (default 8501; a busy port is refused)"
    )
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only; any other address asks "
        "for the access token printed at start)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--region",
        nargs="+",
        metavar="PATH",
        help="open the app on these region files (GeoPackage, folder, zip ...) instead of the demo; "
        "they are checked first, and refused with the report when they cannot be used",
    )
    add_region_option_arguments(parser)
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder whose files uploaded scenarios may name as their region (default: none, "
        "only the planner's uploads)",
    )
    parser.add_argument(
        "--upload-dir",
        metavar="DIR",
        help="folder the app keeps uploaded files in, one sub-folder per distinct upload named by its content "
        "(default: planner/uploads in the user's cache folder); scenarios saved on uploads read them there",
    )
    parser.add_argument(
        "--no-token",
        action="store_true",
        help="serve a non-local --address without an access token (anyone reaching the port can use the app)",
    )


def start_lines(
    address: str, port: int, token: str | None, *, no_token: bool = False
) -> tuple[list[str], list[str]]:
    """What ``planner app`` prints at start: the address to open (with the token), and warnings.

    Returns
    -------
    (list of str, list of str)
        Lines for standard output, lines for standard error.
    """
    query = f"/?{QUERY_KEY}={token}" if token else ""
    out = [
        f"County coverage planner 县域安宁疗护与医共体规划: http://{_browser_host(address)}:{port}{query}  "
        "(Ctrl+C to stop)"
    ]
    err = []
    if token:
        out.append(
            f"served on {address}: others open http://<this computer's address>:{port}{query} -- "
            "keep the token to the people who may see the data"
        )
    elif no_token and not is_loopback(address):
        err.append(
            f"WARNING: serving {address} without an access token (--no-token): anyone who can reach port "
            f"{port} can use the app and the data it is given"
        )
    return out, err


def _browser_host(address: str) -> str:
    """The host a browser on this computer opens for the server's ``address``."""
    return "127.0.0.1" if address in ("127.0.0.1", "0.0.0.0") else address


def _data_dir(value: str | None) -> str | None:
    """The ``--data-dir`` folder as an absolute path, or a SystemExit naming the problem."""
    if value is None:
        return None
    folder = Path(value).resolve()
    if not folder.is_dir():
        raise SystemExit(f"planner app: --data-dir {value}: not an existing folder")
    if is_file_system_root(folder):
        raise SystemExit(
            f"planner app: --data-dir {value}: the root of a file system; name the folder of the data"
        )
    return str(folder)


def start_region(args: argparse.Namespace) -> tuple[tuple[str, ...], str] | None:
    """Check the ``--region`` files before serving: their absolute paths and reading options (JSON), or None.

    The report is printed: in full when the files cannot be used, else the count of warnings (the
    page shows them). ``--region demo``, or no ``--region``, opens the demo (and takes no region options).

    Raises
    ------
    CommandError
        With the validation report, when the files cannot be used as a region, or for bad region options.
    """
    if not args.region or args.region == [DEMO]:
        given = [name for name in _OPTION_FLAGS if getattr(args, name, None) not in (None, [])]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise CommandError(f"{flags}: reading options of your own files; give the files with --region")
        return None
    region, report = read_region(args)
    if region is None or not report.usable:
        from geodata.report import RegionError

        raise CommandError(RegionError(report).args[0] + "\n\n" + report.to_text(max_per_check=20))
    counts = report.counts()
    print(
        f"{region.name}: {len(region.townships)} townships checked -- {counts.get('warning', 0)} warning(s), "
        f"{counts.get('info', 0)} note(s), shown in the app under the title",
        flush=True,
    )
    options = region.options
    roles = {layer: str(Path(path).resolve()) for layer, path in options.roles.items()}
    data = dict(options.to_dict(), roles=roles)
    return tuple(str(Path(p).resolve()) for p in args.region), json.dumps(data, ensure_ascii=False)


#: The region options of ``planner app`` (attribute names of the parsed arguments).
_OPTION_FLAGS = ("crs", "options", "travel_matrix", "osm", "speeds", "speed_kmh", "detour", "aged_share")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    """Run the app until interrupted (Ctrl+C); returns Streamlit's exit code."""
    script = app_script()
    data_dir = _data_dir(args.data_dir)
    region = start_region(args)  # before a port is taken or anything is served
    port = args.port
    check_port(port, args.address)
    token = access_token_for(args.address, no_token=args.no_token)
    out, err = start_lines(args.address, port, token, no_token=args.no_token)
    for line in err:
        print(line, file=sys.stderr, flush=True)
    print("\n".join(out), flush=True)
    if not args.no_browser:
        query = f"/?{QUERY_KEY}={token}" if token else ""
        threading.Thread(
            target=_open_when_ready, args=(f"http://{_browser_host(args.address)}:{port}", query), daemon=True
        ).start()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.pop(TOKEN_ENV, None)
    env.pop(DATA_DIR_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    if data_dir:
        env[DATA_DIR_ENV] = data_dir
    if getattr(args, "upload_dir", None):
        env[UPLOAD_STORE_ENV] = str(Path(args.upload_dir).resolve())
    env.pop(REGION_ENV, None)
    env.pop(REGION_OPTIONS_ENV, None)
    if region is not None:
        env[REGION_ENV] = os.pathsep.join(region[0])
        env[REGION_OPTIONS_ENV] = region[1]
    process = subprocess.Popen(
        streamlit_command(script, port=port, address=args.address), env=env, cwd=str(script.parent)
    )
    signal.signal(
        signal.SIGTERM, _interrupt
    )  # a stop from outside (kill, a service manager) ends Streamlit too
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return 130
