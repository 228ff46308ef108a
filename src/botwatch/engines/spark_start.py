"""Why a Spark session could not start, said in one honest line (docs/spark.md §3a).

Starting Spark runs `spark-submit`, a shell script that starts a JVM; a bad setting makes either
print to the terminal (a Java stack trace, "Invalid maximum heap size", `spark-class: line 71`)
and PySpark then raises only "Java gateway process exited". Blaming Java for all of them sent
users after the wrong thing. So: the settings that can be checked without a JVM are checked
first (JAVA_HOME, the master URL's form, whether a standalone master or YARN's ResourceManager
answers, and whether a spark:// port speaks Spark's RPC, silence included: a bounded wait instead
of Spark's minute, or YARN's 15 minutes, of retries), the JVM's output goes to a file while it starts
(`jvm_output_to`), and what it said there names the cause (`explain_failure`). Java is blamed
only when `java -version` says it is missing or older than Spark needs.

Kept apart from the session start-up so each rule is tested without a JVM.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator

from botwatch.userfile import os_error_said

JAVA_NEEDED = 17  # PySpark 4 runs on Java 17 or 21
MASTER_WAIT_S = 5.0  # how long a standalone master may take to accept a connection

_MASTER_FORMS = (
    r"local", r"local\[(\*|\d+)\]", r"local\[(\*|\d+)\s*,\s*\d+\]", r"local-cluster\[\d+\s*,\s*\d+\s*,\s*\d+\]",
    r"spark://[^/\s]+", r"yarn", r"k8s://\S+", r"mesos://\S+",  # mesos: PySpark 3.5 (4.0 refuses it itself)
)


def master_source(given: str | None) -> str:
    """Where the master came from, as the user would recognise the setting (the command line's
    --spark-master also reads SPARK_MASTER, so the value alone says which one)."""
    env = os.environ.get("SPARK_MASTER")
    return "SPARK_MASTER" if env and (given is None or given == env) else "--spark-master"


def _java(env: dict[str, str]) -> str | None:
    """The `java` Spark's launcher runs: JAVA_HOME's bin/java when JAVA_HOME is set (whether or
    not it exists), else the one on PATH (None when there is none)."""
    home = env.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else shutil.which("java", path=env.get("PATH", os.defpath))


def java_problem(env: dict[str, str] | None = None) -> str | None:
    """Why no Java can run, told before any JVM is started; None when a `java` is there.

    A JAVA_HOME that is not a Java installation made spark-class print its own shell errors
    (`line 71: …/bin/java: No such file or directory`)."""
    env = dict(os.environ) if env is None else env
    java, home = _java(env), env.get("JAVA_HOME")
    if home:
        if not (java and os.path.isfile(java) and os.access(java, os.X_OK)):
            return f"JAVA_HOME={home} is not a Java installation (no bin/java there); point it at Java {JAVA_NEEDED} or later, or unset it"
        return None
    if java is None:
        return f"Spark needs Java {JAVA_NEEDED} or later: there is no `java` on PATH and JAVA_HOME is not set"
    return None


def java_version(env: dict[str, str] | None = None) -> int | None:
    """The major version `java -version` reports (8 for "1.8.0_392"), None when it cannot say."""
    env = dict(os.environ) if env is None else env
    java = _java(env)
    if not java:
        return None
    try:
        said = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_java_version(said.stderr + said.stdout)


def parse_java_version(text: str) -> int | None:
    """The major version in `java -version`'s output."""
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def master_problem(master: str | None, given: str | None) -> str | None:
    """Why `master` is not a master URL Spark accepts, or why a standalone master or YARN's
    ResourceManager cannot be reached; None when it may be tried. `given` is the --spark-master
    value (None: from SPARK_MASTER)."""
    if master is None:
        return None
    setting = f"{master_source(given)}={master}"
    if not any(re.fullmatch(form, master) for form in _MASTER_FORMS):
        return (f"{setting} is not a Spark master URL: use local[*], local[N], spark://host:port, yarn or "
                "k8s://https://host:port")
    if master == "yarn" and not (os.environ.get("HADOOP_CONF_DIR") or os.environ.get("YARN_CONF_DIR")):
        return f"{setting} needs HADOOP_CONF_DIR or YARN_CONF_DIR set to the cluster's Hadoop configuration"
    if master == "yarn":
        return _no_resource_manager(setting)
    if master.startswith("spark://"):
        return _unreachable(master, setting)
    return None


def _unreachable(master: str, setting: str, wait_s: float | None = None) -> str | None:
    """A standalone master (or every one of an HA list) that accepts no connection within
    `wait_s`, answers as something else than Spark (its web UI's port, another service), or
    accepts and says nothing for `wait_s`: Spark itself would retry for a minute and then say
    "All masters are unresponsive". A Spark RPC server answers the probe at once (a Spark 4.0.5
    master in 0.05 s, its worker in 0.015 s, on a loaded 2-core machine), so 5 s of silence is not
    a slow master but a port that does not speak Spark's RPC (or a master hung past use)."""
    wait_s = MASTER_WAIT_S if wait_s is None else wait_s
    why, wrong, silent = "", "", ""
    for hostport in master[len("spark://"):].split(","):
        host, _, port = hostport.rpartition(":")
        if not host or not port.isdigit():
            return f"{setting} is not a Spark master URL: a standalone master is spark://host:port"
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=wait_s) as conn:
                said = speaks_spark_rpc(conn, host.strip("[]"), int(port), wait_s)
        except TimeoutError:
            why = f"no answer in {wait_s:g} s"
            continue
        except OSError as exc:
            why = os_error_said(exc).lower()
            continue
        if said == SILENT:
            silent = silent or hostport
            continue
        if said is None:
            return None
        wrong = wrong or f"{hostport} {said}"
    if wrong:
        return (f"{setting} is not a Spark master: {wrong}; a standalone master's port is the one its "
                "log and web UI show as spark://host:port (7077 by default)")
    if silent:
        return (f"{setting} is not answering as a Spark master: {silent} accepted the connection but said nothing to a Spark "
                f"RPC request in {wait_s:g} s (a running master answers at once); check the port (the one the master's log "
                "and web UI show as spark://host:port, 7077 by default) and that the master is not hung")
    return f"the Spark master at {master} is unreachable ({why}); check {setting.split('=')[0]} and that the master runs"


def _utf(text: str) -> bytes:
    """Java's DataOutput.writeUTF: a two-byte length, then the bytes (its modified UTF-8 is UTF-8
    for text without NUL or characters beyond the BMP, which a host name is not)."""
    data = text.encode("utf-8", "replace")
    return struct.pack(">H", len(data)) + data


PROBE_ENDPOINT = "botwatch-probe"  # no such endpoint: Spark answers "Could not find botwatch-probe."


def rpc_probe(host: str, port: int, request_id: int) -> bytes:
    """One Spark RPC request frame (Spark's network layer, the same in Spark 3 and 4): a message to
    an endpoint that does not exist, holding a Java-serialised String. A Spark RPC server answers
    it at once with an RpcFailure ("Could not find botwatch-probe."), without logging an error,
    as it answers any unknown endpoint."""
    content = b"\xac\xed\x00\x05" + b"t" + _utf(PROBE_ENDPOINT)  # ObjectOutputStream of a String
    body = (b"\x00"  # sender address: none
            + b"\x01" + _utf(host) + struct.pack(">i", port)  # receiver address
            + _utf(PROBE_ENDPOINT) + content)
    header = struct.pack(">bqi", 3, request_id, len(body))  # RpcRequest: type 3, request id, body size
    return struct.pack(">q", 8 + len(header) + len(body)) + header + body


SILENT = "silent"  # `speaks_spark_rpc`: the port accepted and said nothing in time
_SPARK_MESSAGE_TYPES = range(0, 16)  # ChunkFetchRequest (0) … the merged-shuffle messages


def classify_rpc_reply(reply: bytes, request_id: int) -> str | None:
    """What the first bytes a server sent back to `rpc_probe` say: None when it is Spark's RPC
    (or cannot be told: nothing, TLS), else a few words on what answered instead."""
    if len(reply) >= 17:
        length, kind, rid = struct.unpack(">qbq", reply[:17])
        if 17 <= length < 1 << 31 and kind in _SPARK_MESSAGE_TYPES and rid == request_id:
            return None
    if not reply or (len(reply) >= 2 and reply[0] in (0x15, 0x16) and reply[1] == 0x03):
        return None  # closed without a word, or a TLS record (Spark 4's RPC over SSL): Spark decides
    if reply.startswith(b"HTTP/"):
        return "answers as a web server (" + reply.split(b"\r\n", 1)[0].decode("ascii", "replace")[:40] + ")"
    if reply.startswith(b"SSH-"):
        return "answers as an SSH server"
    return "answers, but not as Spark does"


def speaks_spark_rpc(conn: socket.socket, host: str, port: int, wait_s: float = MASTER_WAIT_S) -> str | None:
    """Send `rpc_probe` on an open connection and read the answer for up to `wait_s`: None when it
    is Spark's (or cannot be told), SILENT when nothing came in time (a busy master may be slow),
    else what answered."""
    request_id = int.from_bytes(os.urandom(7), "big")
    reply = b""
    try:
        conn.settimeout(wait_s)
        conn.sendall(rpc_probe(host, port, request_id))
        while len(reply) < 17:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    except TimeoutError:
        if not reply:
            return SILENT
    except OSError:  # a reset: nothing to tell
        if not reply:
            return None
    return classify_rpc_reply(reply, request_id)


RM_PORT = 8032  # yarn-default.xml: yarn.resourcemanager.address is ${yarn.resourcemanager.hostname}:8032
_SUBST = re.compile(r"\$\{([^}$]+)\}")


def _hadoop_conf(path: str) -> dict[str, str]:
    """The name → value pairs of a Hadoop *-site.xml (ValueError when it is not one)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ValueError(str(exc)) from None
    conf: dict[str, str] = {}
    for prop in root.iter("property"):
        name, value = prop.findtext("name"), prop.findtext("value")
        if name and value is not None:
            conf[name.strip()] = value.strip()
    return conf


def yarn_site(env: dict[str, str] | None = None) -> str | None:
    """The yarn-site.xml Spark's YARN client reads: the first of HADOOP_CONF_DIR's and
    YARN_CONF_DIR's (spark-submit puts both on the classpath, in that order); None when neither has one."""
    env = dict(os.environ) if env is None else env
    for var in ("HADOOP_CONF_DIR", "YARN_CONF_DIR"):
        folder = env.get(var)
        if folder and os.path.isfile(os.path.join(folder, "yarn-site.xml")):
            return os.path.join(folder, "yarn-site.xml")
    return None


def resource_managers(conf: dict[str, str]) -> list[tuple[str, str]] | None:
    """(host:port, the property it came from) of every ResourceManager a YARN client tries, as
    Hadoop resolves them (HA's rm-ids, `${…}` references, yarn-default's 0.0.0.0:8032); None when a
    value cannot be resolved here (a reference to something outside the file)."""
    def get(name: str, default: str | None = None) -> str | None:
        value = conf.get(name, default)
        for _ in range(10):  # Hadoop expands nested references too (it stops at 20)
            if value is None or not _SUBST.search(value):
                return value
            missing = [ref for ref in _SUBST.findall(value) if ref not in conf and ref != "yarn.resourcemanager.hostname"]
            if missing:
                return None
            value = _SUBST.sub(lambda m: conf.get(m.group(1), "0.0.0.0"), value)
        return None

    hostname_default = f"${{yarn.resourcemanager.hostname}}:{RM_PORT}"
    if (conf.get("yarn.resourcemanager.ha.enabled") or "").lower() == "true":
        found = []
        for rm in filter(None, (x.strip() for x in (conf.get("yarn.resourcemanager.ha.rm-ids") or "").split(","))):
            prop = f"yarn.resourcemanager.address.{rm}"
            if prop in conf:
                address = get(prop)
            else:
                host = get(f"yarn.resourcemanager.hostname.{rm}")
                prop, address = f"yarn.resourcemanager.hostname.{rm}", (f"{host}:{RM_PORT}" if host else None)
            if address is None:
                return None
            found.append((address, prop))
        return found or None
    address = get("yarn.resourcemanager.address", hostname_default)
    if address is None:
        return None
    prop = "yarn.resourcemanager.address" if "yarn.resourcemanager.address" in conf else (
        "yarn.resourcemanager.hostname" if "yarn.resourcemanager.hostname" in conf else "Hadoop's default")
    return [(address, prop)]


def _overridden_elsewhere() -> bool:
    """Whether the ResourceManager may be set outside yarn-site.xml (`spark.hadoop.yarn.resourcemanager.*`
    in PYSPARK_SUBMIT_ARGS or spark-defaults.conf): then the file does not say where it is."""
    places = [os.environ.get("PYSPARK_SUBMIT_ARGS", "")]
    for folder in (os.environ.get("SPARK_CONF_DIR"), os.path.join(os.environ.get("SPARK_HOME", ""), "conf")):
        if folder:
            with contextlib.suppress(OSError), open(os.path.join(folder, "spark-defaults.conf"), encoding="utf-8", errors="replace") as f:
                places.append(f.read())
    return any("yarn.resourcemanager." in text for text in places)


def _no_resource_manager(setting: str, wait_s: float = MASTER_WAIT_S) -> str | None:
    """Why no YARN ResourceManager can be reached, told within `wait_s` per address; None when
    one accepts a connection (or where it is cannot be read here).

    Spark's YARN client retries an unreachable ResourceManager for
    yarn.resourcemanager.connect.max-wait.ms (15 minutes by default), silently: the command
    looked hung."""
    if _overridden_elsewhere():
        return None
    site = yarn_site()
    where = (f"in {site}" if site else
             f"no yarn-site.xml in {' or '.join(f'{v}={os.environ[v]}' for v in ('HADOOP_CONF_DIR', 'YARN_CONF_DIR') if os.environ.get(v))}")
    try:
        managers = resource_managers(_hadoop_conf(site) if site else {})
    except ValueError as exc:
        return f"{setting}: {site} is not a Hadoop configuration file ({_first_words(str(exc))})"
    if not managers:
        return None
    why = ""
    for address, prop in managers:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            return f"{setting}: {prop}={address} in {site} is not host:port"
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=wait_s):
                return None
        except TimeoutError:
            why = f"no answer in {wait_s:g} s"
        except OSError as exc:
            why = os_error_said(exc).lower()
    tried = ", ".join(f"{a} ({p}{':' if p.endswith('default') else ''} {where})" for a, p in managers)
    return (f"{setting}: no YARN ResourceManager answers at {tried}: {why}; "
            "check HADOOP_CONF_DIR / YARN_CONF_DIR and that the ResourceManager runs")


def _first_words(text: str, n: int = 200) -> str:
    """The first line of an error, cut to `n` characters."""
    return (text.strip().splitlines() or [""])[0][:n]


class _Forwarder(threading.Thread):
    """Reads what the JVM writes to its stderr (a pipe) and puts it in the start-up file until the
    marker `jvm_output_to` writes when the start is over, then on the command's own stderr (the
    session is up) or still in the file (it did not start). It reads until every writer has closed
    the pipe (the JVM ended), so a JVM that writes never blocks on a full pipe."""

    def __init__(self, read_fd: int, log_fd: int, terminal_fd: int, marker: bytes) -> None:
        super().__init__(name="botwatch-jvm-stderr", daemon=True)
        self._read_fd, self._log_fd, self._terminal_fd, self._marker = read_fd, log_fd, terminal_fd, marker
        self.to_terminal = False  # set before the marker is written
        self.marked = threading.Event()  # everything written before the marker is in the file

    def _write(self, fd: int | None, data: bytes) -> int | None:
        view = memoryview(data)
        try:
            while view and fd is not None:
                view = view[os.write(fd, view):]
        except OSError:  # a closed terminal, a full disk: keep draining, write nowhere
            return None
        return fd

    def run(self) -> None:
        target: int | None = self._log_fd
        pending = b""
        try:
            while chunk := os.read(self._read_fd, 65536):
                if self.marked.is_set():
                    target = self._write(target, chunk)
                    continue
                pending += chunk
                at = pending.find(self._marker)
                if at < 0:  # the marker may be cut between two reads: its length less one byte waits
                    keep = len(self._marker) - 1
                    target = self._write(target, pending[:-keep])
                    pending = pending[-keep:]
                    continue
                target = self._write(target, pending[:at])
                rest, pending = pending[at + len(self._marker):], b""
                if self.to_terminal:
                    os.close(self._log_fd)
                    self._log_fd = -1
                    target = self._terminal_fd
                self.marked.set()
                target = self._write(target, rest)
        except OSError:
            pass
        finally:
            if not self.marked.is_set():
                self._write(target, pending)
                self.marked.set()
            for fd in (self._log_fd, self._terminal_fd, self._read_fd):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)


@contextlib.contextmanager
def jvm_output_to(path: str | None, wait_s: float = 5.0) -> Iterator[None]:
    """While the block runs, this process's stderr (fd 2) is a pipe whose output goes to the file
    at `path`, so the JVM it starts (and spark-submit's shell script) write there instead of over
    the command's own lines. When the block ends normally (the session is up), what the JVM writes
    from then on goes to the terminal as before (an OutOfMemoryError, lost executors; filtered by
    Spark's log level): fd 2 used to stay the file for the JVM's whole life, so those errors never
    reached the user, and the file was removed at exit. When the block raises, the JVM's output
    stays in the file, all of it written before the block ended there when this returns.
    None: left as it is (BOTWATCH_DEBUG=1)."""
    if path is None:
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    read_fd, write_fd = os.pipe()
    saved = os.dup(2)
    marker = b"\0botwatch-jvm-start-over-" + os.urandom(8).hex().encode() + b"\0"
    forwarder = _Forwarder(read_fd, log_fd, os.dup(saved), marker)
    forwarder.start()
    ok = False
    try:
        os.dup2(write_fd, 2)
        yield
        ok = True
    finally:
        os.dup2(saved, 2)  # this process's own stderr again
        os.close(saved)
        forwarder.to_terminal = ok
        with contextlib.suppress(OSError):
            os.write(write_fd, marker)  # shorter than PIPE_BUF: one piece, after all the start's output
        os.close(write_fd)  # the JVM holds its own copy of the pipe's write end
        forwarder.marked.wait(wait_s)


_THREW = re.compile(r'Exception in thread "main" (?:[\w.$]+(?:Exception|Error)): (.+)')
_JVM_REFUSED = ("Invalid maximum heap size", "Invalid initial heap size", "Could not create the Java Virtual Machine",
                "Unrecognized option", "Unrecognized VM option", "Error: Unrecognized", "Error: Missing application resource",
                "Usage: spark-submit")


def explain_failure(master: str | None, given: str | None, jvm_output: str, exc: BaseException,
                    version: Callable[[], int | None] | None = None) -> str:
    """One line for a session that did not start, from what the JVM printed (`jvm_output`) and
    PySpark's exception; `version` says which Java runs (checked only when nothing else explains it)."""
    from botwatch.engines.lake_files import first_line

    version = version or java_version
    lines = [ln.strip() for ln in jvm_output.splitlines() if ln.strip() and not ln.startswith("WARNING: Using incubator")]
    where = f" at {master}" if master else ""
    text = "\n".join(lines)
    if "UnsupportedClassVersionError" in text or "class file version" in text:
        v = version()
        return f"Spark needs Java {JAVA_NEEDED} or later{f'; this java is Java {v}' if v else ''} (set JAVA_HOME)"
    threw = next((m.group(1).strip() for ln in lines if (m := _THREW.search(ln))), None)
    if threw and re.search(r"[Mm]aster", threw):
        return f"{master_source(given)}={master} was refused by Spark: {threw[:300]}"
    refused = next((ln for ln in lines if any(k in ln for k in _JVM_REFUSED)), None)
    if refused:
        args = os.environ.get("PYSPARK_SUBMIT_ARGS")
        setting = f"PYSPARK_SUBMIT_ARGS={args!r}" if args else "Spark's start-up settings"
        return f"{setting} rejected by Java/spark-submit: {refused[:300]}"
    if "Cannot call methods on a stopped SparkContext" in str(exc) or any("All masters are unresponsive" in ln for ln in lines):
        return f"the Spark master{where} did not answer (All masters are unresponsive); check --spark-master / SPARK_MASTER and that the master runs"
    if threw:
        return f"could not start Spark{where}: {threw[:300]}"
    v = version()
    if v is None:
        return f"could not start Spark{where}: `java -version` does not run; Spark needs Java {JAVA_NEEDED} or later (JAVA_HOME)"
    if v < JAVA_NEEDED:
        return f"Spark needs Java {JAVA_NEEDED} or later; this java is Java {v} (set JAVA_HOME)"
    said = next((ln for ln in reversed(lines) if not ln.startswith("at ")), None) or first_line(exc)
    return f"could not start Spark{where}: {said[:300]}"
