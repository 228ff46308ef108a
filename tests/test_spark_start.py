"""`engines/spark_start.py`: a Spark session that cannot start is one line naming the setting at
fault (docs/spark.md §3a), never a Java stack trace followed by "Spark needs Java 17"."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from botwatch.engines import spark_start


def test_a_java_home_without_java_is_named(tmp_path: Path) -> None:
    said = spark_start.java_problem({"JAVA_HOME": str(tmp_path / "nope"), "PATH": "/usr/bin"})
    assert said and "JAVA_HOME=" in said and "not a Java installation" in said


def test_no_java_at_all_blames_java(tmp_path: Path) -> None:
    said = spark_start.java_problem({"PATH": str(tmp_path)})
    assert said and "no `java` on PATH" in said


def test_a_java_home_with_java_passes(tmp_path: Path) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    assert spark_start.java_problem({"JAVA_HOME": str(tmp_path)}) is None


@pytest.mark.parametrize("text, major", [('openjdk version "17.0.15" 2025-04-15', 17), ('java version "1.8.0_392"', 8),
                                         ('openjdk version "21" 2023-09-19', 21), ("nonsense", None)])
def test_java_versions_are_read(text: str, major: int | None) -> None:
    assert spark_start.parse_java_version(text) == major


@pytest.mark.parametrize("master", ["nonsense[", "local[x]", "yarn-client", "spark:/h:7077"])
def test_a_malformed_master_is_named_before_any_jvm(master: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    said = spark_start.master_problem(master, master)
    assert said and said.startswith(f"--spark-master={master} is not a Spark master URL") and "Java" not in said


@pytest.mark.parametrize("master", ["local", "local[*]", "local[4]", "local[2,3]", "local[*, 2]", "k8s://https://h:6443"])
def test_good_masters_pass(master: str) -> None:
    assert spark_start.master_problem(master, master) is None


def test_yarn_without_its_configuration_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HADOOP_CONF_DIR", "YARN_CONF_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SPARK_MASTER", "yarn")
    said = spark_start.master_problem("yarn", "yarn")
    assert said and said.startswith("SPARK_MASTER=yarn needs HADOOP_CONF_DIR or YARN_CONF_DIR")


def _closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _yarn_site(folder: Path, props: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    body = "".join(f"<property><name>{k}</name><value>{v}</value></property>" for k, v in props.items())
    (folder / "yarn-site.xml").write_text(f'<?xml version="1.0"?><configuration>{body}</configuration>')
    return folder


def _yarn_env(monkeypatch: pytest.MonkeyPatch, conf: Path) -> None:
    monkeypatch.setenv("HADOOP_CONF_DIR", str(conf))
    for var in ("YARN_CONF_DIR", "PYSPARK_SUBMIT_ARGS", "SPARK_CONF_DIR", "SPARK_HOME", "SPARK_MASTER"):
        monkeypatch.delenv(var, raising=False)


def test_yarn_whose_resource_manager_does_not_answer_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark's YARN client retried the ResourceManager for 15 minutes without a word."""
    port = _closed_port()
    _yarn_env(monkeypatch, _yarn_site(tmp_path / "conf", {"yarn.resourcemanager.address": f"127.0.0.1:{port}"}))
    began = time.monotonic()
    said = spark_start.master_problem("yarn", "yarn")
    assert time.monotonic() - began < spark_start.MASTER_WAIT_S + 1
    assert said and said.startswith(f"--spark-master=yarn: no YARN ResourceManager answers at 127.0.0.1:{port} "
                                    "(yarn.resourcemanager.address in ")
    assert "yarn-site.xml" in said and "HADOOP_CONF_DIR" in said and "\n" not in said and "Java" not in said


def test_yarn_passes_when_one_resource_manager_of_an_ha_pair_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        up = s.getsockname()[1]
        _yarn_env(monkeypatch, _yarn_site(tmp_path / "conf", {
            "yarn.resourcemanager.ha.enabled": "true", "yarn.resourcemanager.ha.rm-ids": "rm1, rm2",
            "yarn.resourcemanager.address.rm1": f"127.0.0.1:{_closed_port()}", "yarn.resourcemanager.address.rm2": f"127.0.0.1:{up}"}))
        assert spark_start.master_problem("yarn", "yarn") is None


def test_a_resource_manager_set_outside_yarn_site_is_not_second_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _yarn_env(monkeypatch, _yarn_site(tmp_path / "conf", {"yarn.resourcemanager.address": f"127.0.0.1:{_closed_port()}"}))
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--conf spark.hadoop.yarn.resourcemanager.address=rm:8032 pyspark-shell")
    assert spark_start.master_problem("yarn", "yarn") is None


def test_yarn_without_a_yarn_site_tries_hadoops_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    _yarn_env(monkeypatch, tmp_path / "conf")
    monkeypatch.setattr(spark_start.socket, "create_connection", _refused)
    said = spark_start.master_problem("yarn", None)
    assert said and "at 0.0.0.0:8032 (Hadoop's default: no yarn-site.xml in HADOOP_CONF_DIR=" in said


def _refused(*_: object, **__: object) -> object:
    raise ConnectionRefusedError(111, "Connection refused")


def test_a_broken_yarn_site_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "yarn-site.xml").write_text("<configuration><property>")
    _yarn_env(monkeypatch, tmp_path / "conf")
    said = spark_start.master_problem("yarn", "yarn")
    assert said and "yarn-site.xml is not a Hadoop configuration file" in said


@pytest.mark.parametrize("conf, expected", [
    ({}, [("0.0.0.0:8032", "Hadoop's default")]),
    ({"yarn.resourcemanager.hostname": "rm.example"}, [("rm.example:8032", "yarn.resourcemanager.hostname")]),
    ({"yarn.resourcemanager.hostname": "rm.example", "yarn.resourcemanager.address": "${yarn.resourcemanager.hostname}:9032"},
     [("rm.example:9032", "yarn.resourcemanager.address")]),
    ({"yarn.resourcemanager.ha.enabled": "true", "yarn.resourcemanager.ha.rm-ids": "a,b",
      "yarn.resourcemanager.hostname.a": "h1", "yarn.resourcemanager.address.b": "h2:8050"},
     [("h1:8032", "yarn.resourcemanager.hostname.a"), ("h2:8050", "yarn.resourcemanager.address.b")]),
    ({"yarn.resourcemanager.address": "${env.RM}:8032"}, None),  # not resolvable here: not probed
])
def test_resource_managers_are_found_as_hadoop_finds_them(conf: dict[str, str], expected: object) -> None:
    assert spark_start.resource_managers(conf) == expected


def test_an_unreachable_standalone_master_fails_fast() -> None:
    """Spark would retry for a minute, log "All masters are unresponsive" and then blame Java."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    said = spark_start.master_problem(f"spark://127.0.0.1:{port}", f"spark://127.0.0.1:{port}")
    assert said and "unreachable" in said and "Java" not in said


def test_a_silent_port_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port that accepts and says nothing (another service waiting for its client to speak
    first) was left to Spark, which retried for a minute; a Spark RPC server answers at once
    (test_a_real_spark_rpc_server_answers_the_probe_at_once)."""
    monkeypatch.setattr(spark_start, "MASTER_WAIT_S", 0.3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        began = time.monotonic()
        said = spark_start.master_problem(f"spark://127.0.0.1:{port}", f"spark://127.0.0.1:{port}")
    assert time.monotonic() - began < 2
    assert said and said.startswith(f"--spark-master=spark://127.0.0.1:{port} is not answering as a Spark master: ")
    assert f"127.0.0.1:{port} accepted the connection but said nothing to a Spark RPC request in 0.3 s" in said
    assert "\n" not in said


@pytest.mark.spark
def test_a_real_spark_rpc_server_answers_the_probe_at_once(spark: object) -> None:
    """The test session's driver runs Spark's own RPC server (as a master and a worker do): it
    answers the probe well inside the wait, so the silent-port refusal never meets a live one.
    (Nor can it tell a driver's or worker's port from a master's: they answer alike.)"""
    address = spark.sparkContext._jsc.sc().env().rpcEnv().address()  # type: ignore[attr-defined]
    host, port = str(address.host()), int(address.port())
    began = time.monotonic()
    with socket.create_connection((host, port), timeout=5) as conn:
        assert spark_start.speaks_spark_rpc(conn, host, port, 5.0) is None
    assert time.monotonic() - began < 2


def _serve_once(reply: Callable[[bytes], bytes]) -> tuple[int, threading.Thread]:
    """A server on a free port that reads one request and sends `reply(request)`."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def run() -> None:
        with srv, srv.accept()[0] as conn:
            conn.settimeout(10)
            data = b""
            while len(data) < 8 or len(data) < int.from_bytes(data[:8], "big"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            conn.sendall(reply(data))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return srv.getsockname()[1], t


def _spark_failure(request: bytes) -> bytes:
    """What a Spark 4.0.5 master answered the probe (recorded from a real one): an RpcFailure."""
    kind, request_id = struct.unpack(">bq", request[8:17])
    assert kind == 3 and b"botwatch-probe" in request  # an RpcRequest to an endpoint that does not exist
    error = b"org.apache.spark.SparkException: Could not find botwatch-probe."
    return struct.pack(">qbqi", 8 + 1 + 8 + 4 + len(error), 5, request_id, len(error)) + error


def test_a_port_that_answers_as_spark_passes() -> None:
    port, server = _serve_once(_spark_failure)
    began = time.monotonic()
    assert spark_start.master_problem(f"spark://127.0.0.1:{port}", None) is None
    assert time.monotonic() - began < 2
    server.join(5)


def test_a_port_that_is_not_a_spark_master_is_said_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The master's web UI port (8080) given for its RPC port: Spark retried for a minute and then
    said "All masters are unresponsive"."""
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    port, server = _serve_once(lambda _: b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    began = time.monotonic()
    said = spark_start.master_problem(f"spark://127.0.0.1:{port}", f"spark://127.0.0.1:{port}")
    assert time.monotonic() - began < 2
    assert said and said.startswith(f"--spark-master=spark://127.0.0.1:{port} is not a Spark master: ")
    assert "web server (HTTP/1.1 400 Bad Request)" in said and "7077" in said
    server.join(5)
    port, server = _serve_once(lambda _: b"SSH-2.0-OpenSSH_9.2\r\n")
    assert "answers as an SSH server" in (spark_start.master_problem(f"spark://127.0.0.1:{port}", None) or "")


def test_a_tls_or_closed_answer_is_left_to_spark() -> None:
    assert spark_start.classify_rpc_reply(b"", 7) is None
    assert spark_start.classify_rpc_reply(b"\x15\x03\x03\x00\x02\x02\x50", 7) is None  # a TLS alert: RPC over SSL
    assert spark_start.classify_rpc_reply(b"\x00" * 7 + b"\x15\x04" + (7).to_bytes(8, "big"), 7) is None  # RpcResponse


def _never(*_: object) -> int:
    raise AssertionError("Java's version is asked only when nothing else explains the failure")


def test_the_jvms_own_words_name_the_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = RuntimeError("[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port number.")
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 10q pyspark-shell")
    heap = "Invalid maximum heap size: -Xmx10q\nError: Could not create the Java Virtual Machine.\n"
    said = spark_start.explain_failure("local[*]", None, heap, gone, version=_never)
    assert "PYSPARK_SUBMIT_ARGS=" in said and "Invalid maximum heap size: -Xmx10q" in said and "Java 17" not in said
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    trace = ('WARNING: Using incubator modules: jdk.incubator.vector\nException in thread "main" '
             "org.apache.spark.SparkException: Master must either be yarn or start with spark, k8s, or local\n"
             "\tat org.apache.spark.deploy.SparkSubmit.error(SparkSubmit.scala:1045)\n")
    said = spark_start.explain_failure("yarn", "yarn", trace, gone, version=_never)
    assert "was refused by Spark: Master must" in said and "\n" not in said and "Java 17" not in said
    said = spark_start.explain_failure("local[*]", None, "java.lang.UnsupportedClassVersionError: class file version 61.0",
                                       gone, version=lambda: 11)
    assert said.startswith("Spark needs Java 17 or later; this java is Java 11")


def test_java_is_blamed_only_when_it_is_too_old() -> None:
    gone = RuntimeError("[JAVA_GATEWAY_EXITED] Java gateway process exited before sending its port number.")
    assert "this java is Java 8" in spark_start.explain_failure("local[*]", None, "", gone, version=lambda: 8)
    said = spark_start.explain_failure("local[*]", None, "something odd\n", gone, version=lambda: 17)
    assert said == "could not start Spark at local[*]: something odd"


def test_the_jvms_output_goes_to_the_file(tmp_path: Path) -> None:
    log = tmp_path / "jvm.log"
    with spark_start.jvm_output_to(str(log)):
        subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('from the child\\n')"], check=True)
    assert log.read_text() == "from the child\n"


def test_the_jvms_output_after_start_up_reaches_the_terminal(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """fd 2 stayed the start-up file for the JVM's whole life: an OutOfMemoryError or a lost
    executor after a good start never reached the user, and the file was removed at exit."""
    log = tmp_path / "jvm.log"
    # The child tells the parent (its stdout) once "starting" is in the pipe, before the block's
    # end marker, and waits for the parent's word (its stdin) that the start is over before its
    # error: the events themselves, not a 0.3 s and a 1 s sleep.
    code = ("import sys; sys.stderr.write('starting\\n'); sys.stderr.flush(); print('said', flush=True); sys.stdin.readline(); "
            "sys.stderr.write('java.lang.OutOfMemoryError\\n')")
    with spark_start.jvm_output_to(str(log)):
        child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # a JVM that outlives its start
        assert child.stdout is not None and child.stdout.readline() == b"said\n"
    child.communicate(b"started\n", timeout=30)
    assert child.returncode == 0
    for _ in range(100):  # the forwarder writes as the child does
        err = capfd.readouterr().err
        if err:
            break
        time.sleep(0.05)
    assert log.read_text() == "starting\n"
    assert "java.lang.OutOfMemoryError" in err and "starting" not in err


def test_a_failed_start_keeps_everything_the_jvm_said_in_the_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "jvm.log"
    with pytest.raises(RuntimeError), spark_start.jvm_output_to(str(log)):
        subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('x' * 200000 + '\\nError: could not start\\n')"], check=True)
        raise RuntimeError("gateway exited")
    assert log.read_text().endswith("Error: could not start\n") and "Error" not in capfd.readouterr().err


@pytest.mark.spark
def test_rejected_submit_args_are_one_line_without_the_jvms_lines() -> None:
    """A real start: the JVM refuses `--driver-memory 10q`; what it printed stays in the file."""
    pytest.importorskip("pyspark")
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": "--driver-memory 10q pyspark-shell", "PYTHONPATH": "src"}
    env.pop("BOTWATCH_DEBUG", None)
    code = ("from botwatch.engines.lake_files import spark_session, SparkUnavailable\n"
            "try:\n    spark_session('local[1]')\nexcept SparkUnavailable as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.stderr == ""
    assert "PYSPARK_SUBMIT_ARGS=" in done.stdout and "Invalid maximum heap size" in done.stdout and "Java 17" not in done.stdout
    import re

    kept = Path(re.search(r"the JVM's output: (\S+)\)", done.stdout).group(1))
    try:
        assert "Could not create the Java Virtual Machine" in kept.read_text()
    finally:
        kept.unlink()
