"""Drives an installed ibcc kernelspec with jupyter_client (KernelManager and
BlockingKernelClient) through every message type, validates every message it
receives against the messaging spec, and prints one JSON report on stdout.

Run by jupyter-client.test.ts with JUPYTER_PATH pointing at a temporary
kernelspec install. Exit status 0 unless the driver itself crashes; failed
checks are listed in the report's "problems".
"""
import datetime
import json
import sys
import time

from jupyter_client.manager import KernelManager

problems = []
figures = {}
seen_types = set()

STR, NUM, BOOL, DICT, LIST = str, (int, float), bool, dict, list
CONTENT = {
    "status": {"execution_state": STR},
    "execute_input": {"code": STR, "execution_count": NUM},
    "stream": {"name": STR, "text": STR},
    "display_data": {"data": DICT, "metadata": DICT},
    "update_display_data": {"data": DICT, "metadata": DICT, "transient": DICT},
    "clear_output": {"wait": BOOL},
    "execute_result": {"execution_count": NUM, "data": DICT, "metadata": DICT},
    "error": {"ename": STR, "evalue": STR, "traceback": LIST},
    "comm_close": {"comm_id": STR, "data": DICT},
    "kernel_info_reply": {"status": STR, "protocol_version": STR, "implementation": STR,
                          "implementation_version": STR, "language_info": DICT, "banner": STR,
                          "help_links": LIST},
    "execute_reply": {"status": STR},
    "complete_reply": {"status": STR, "matches": LIST, "cursor_start": NUM, "cursor_end": NUM, "metadata": DICT},
    "inspect_reply": {"status": STR, "found": BOOL, "data": DICT, "metadata": DICT},
    "is_complete_reply": {"status": STR},
    "history_reply": {"status": STR, "history": LIST},
    "comm_info_reply": {"status": STR, "comms": DICT},
    "shutdown_reply": {"status": STR, "restart": BOOL},
    "interrupt_reply": {"status": STR},
    "input_request": {"prompt": STR, "password": BOOL},
}


def check(msg, where):
    """Validates one received message; returns it."""
    h = msg["header"]
    t = h.get("msg_type")
    seen_types.add(t)
    for f in ("msg_id", "session", "username", "msg_type", "version"):
        if not isinstance(h.get(f), str):
            problems.append(f"{where}/{t}: header.{f} missing")
    if h.get("version") != "5.3":
        problems.append(f"{where}/{t}: header.version {h.get('version')!r}")
    if not isinstance(h.get("date"), datetime.datetime):
        problems.append(f"{where}/{t}: header.date not parsed as a date: {h.get('date')!r}")
    spec = CONTENT.get(t)
    if spec is None:
        problems.append(f"{where}: unexpected message type {t}")
        return msg
    c = msg["content"]
    for f, kind in spec.items():
        if not isinstance(c.get(f), kind) or (kind is NUM and isinstance(c.get(f), bool)):
            problems.append(f"{where}/{t}: content.{f} = {c.get(f)!r}")
    if "transient" in c and not isinstance(c["transient"], dict):
        problems.append(f"{where}/{t}: transient is {c['transient']!r}")
    if t == "execute_reply":
        st = c["status"]
        if st == "ok" and not isinstance(c.get("user_expressions"), dict):
            problems.append("execute_reply ok without user_expressions")
        if st == "error" and not (isinstance(c.get("ename"), str) and isinstance(c.get("traceback"), list)):
            problems.append("execute_reply error without ename/traceback")
        if st in ("ok", "error") and not isinstance(c.get("execution_count"), int):
            problems.append("execute_reply without execution_count")
    if t == "kernel_info_reply":
        li = c["language_info"]
        for f in ("name", "version", "mimetype", "file_extension", "pygments_lexer", "codemirror_mode"):
            if not isinstance(li.get(f), str):
                problems.append(f"kernel_info_reply: language_info.{f} = {li.get(f)!r}")
    return msg


def expect(cond, text):
    if not cond:
        problems.append(text)


def collect(kc, msg_id, timeout=60):
    """The iopub messages of one request, through its idle status."""
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = check(kc.get_iopub_msg(timeout=timeout), "iopub")
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
    problems.append(f"no idle for {msg_id}")
    return out


def shell_reply(kc, msg_id, timeout=60):
    while True:
        m = check(kc.get_shell_msg(timeout=timeout), "shell")
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def run(kc, code, **kw):
    msg_id = kc.execute(code, **kw)
    reply = shell_reply(kc, msg_id)
    iopub = collect(kc, msg_id)
    return reply, iopub


def types(iopub):
    return [m["msg_type"] if m["msg_type"] != "status" else "status:" + m["content"]["execution_state"] for m in iopub]


def main():
    km = KernelManager(kernel_name="ibcc")
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    figures["start_to_ready_ms"] = round((time.perf_counter() - t0) * 1000)

    # kernel_info on shell and on control, busy/idle around both
    msg_id = kc.kernel_info()
    info = shell_reply(kc, msg_id)
    expect(types(collect(kc, msg_id)) == ["status:busy", "status:idle"], "kernel_info: busy/idle")
    expect(info["content"]["language_info"]["name"] == "typescript", "kernel_info: language")
    expect(info["content"]["implementation"] == "ibcc", "kernel_info: implementation")
    msg = kc.session.msg("kernel_info_request")
    kc.control_channel.send(msg)
    creply = check(kc.get_control_msg(timeout=30), "control")
    expect(creply["msg_type"] == "kernel_info_reply", "kernel_info on control")
    collect(kc, msg["header"]["msg_id"])

    # outputs of every kind, in order
    reply, io = run(kc, 'console.log("hello"); 1 + 1')
    expect(reply["content"]["status"] == "ok", f"execute ok: {reply['content']}")
    expect(types(io) == ["status:busy", "execute_input", "stream", "execute_result", "status:idle"], f"execute order: {types(io)}")
    expect(io[3]["content"]["data"].get("text/plain") == "2", "execute_result 2")
    count = reply["content"]["execution_count"]

    reply, io = run(kc, 'const h = await display("first");\nawait h.update("second");\nclearOutput(true);\nawait display("third");\nundefined')
    expect([t for t in types(io) if not t.startswith("status") and t != "execute_input"]
           == ["display_data", "update_display_data", "clear_output", "display_data"], f"display kinds: {types(io)}")
    ids = [m["content"].get("transient", {}).get("display_id") for m in io if m["msg_type"] in ("display_data", "update_display_data")]
    expect(ids[0] is not None and ids[0] == ids[1], "update_display_data shares the display_id")

    reply, io = run(kc, 'throw new Error("boom")')
    expect(reply["content"]["status"] == "error" and reply["content"]["evalue"] == "boom", "error reply")
    expect("error" in types(io), "error on iopub")

    reply, io = run(kc, "40 + 2", silent=True)
    expect(types(io) == ["status:busy", "status:idle"], f"silent output: {types(io)}")
    reply, io = run(kc, "0")
    expect(reply["content"]["execution_count"] == count + 3, f"count after silent: {reply['content']['execution_count']} vs {count + 3}")

    reply, io = run(kc, "const base = 41", user_expressions={"answer": "base + 1", "bad": "nope.nope"})
    ue = reply["content"]["user_expressions"]
    expect(ue.get("answer", {}).get("status") == "ok" and ue["answer"]["data"].get("text/plain") == "42", f"user_expressions ok: {ue}")
    expect(ue.get("bad", {}).get("status") == "error", f"user_expressions error: {ue}")

    # stop_on_error: the cells already queued behind a failing cell are aborted
    failing = kc.execute('throw new Error("stop")')
    queued = [kc.execute("globalThis.ranAfterError = true") for _ in range(2)]
    expect(shell_reply(kc, failing)["content"]["status"] == "error", "stop_on_error: failing cell")
    for q in queued:
        expect(shell_reply(kc, q)["content"]["status"] == "aborted", "stop_on_error: queued cell aborted")
    reply, io = run(kc, "globalThis.ranAfterError === true")
    expect([m for m in io if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"] == "false", "aborted cells did not run")

    # stdin
    msg_id = kc.execute('const who = await input("name? "); who.toUpperCase()', allow_stdin=True)
    req = check(kc.get_stdin_msg(timeout=30), "stdin")
    expect(req["msg_type"] == "input_request" and req["content"]["prompt"] == "name? ", f"input_request: {req['content']}")
    kc.input("ada")
    shell_reply(kc, msg_id)
    io = collect(kc, msg_id)
    expect([m["content"]["data"]["text/plain"] for m in io if m["msg_type"] == "execute_result"] == ["'ADA'"] or
           [m["content"]["data"]["text/plain"] for m in io if m["msg_type"] == "execute_result"] == ["ADA"], "input value")

    # complete / inspect / is_complete, cursor in code points
    code = '"🦓"; Math.ma'
    msg_id = kc.complete(code, len(code))  # Python len counts code points
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect("max" in r["content"]["matches"], f"complete matches: {r['content']['matches'][:10]}")
    expect(r["content"]["cursor_end"] == len(code) and r["content"]["cursor_start"] == len(code) - 2, f"complete cursor: {r['content']}")
    msg_id = kc.inspect("Math.max", 8)
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect(r["content"]["found"] is True, f"inspect: {r['content']}")
    msg_id = kc.is_complete("for (;;) {")
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect(r["content"]["status"] == "incomplete", f"is_complete: {r['content']}")

    # history
    msg_id = kc.history(hist_access_type="tail", n=2, output=False, raw=True)
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    hist = r["content"]["history"]
    expect(len(hist) == 2 and all(len(h) == 3 for h in hist), f"history tail: {hist}")
    msg_id = kc.history(hist_access_type="range", session=0, start=1, stop=3, output=False, raw=True)
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect([h[1] for h in r["content"]["history"]] == [1, 2], f"history range: {r['content']['history']}")
    msg_id = kc.history(hist_access_type="search", pattern="*boom*", n=5, output=False, raw=True, unique=True)
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect([h[2] for h in r["content"]["history"]] == ['throw new Error("boom")'], f"history search: {r['content']['history']}")

    # comms
    msg_id = kc.comm_info()
    r = shell_reply(kc, msg_id)
    collect(kc, msg_id)
    expect(r["content"]["comms"] == {}, f"comm_info: {r['content']}")
    msg = kc.session.msg("comm_open", {"comm_id": "py-comm", "target_name": "nobody", "data": {}})
    kc.shell_channel.send(msg)
    io = collect(kc, msg["header"]["msg_id"])
    expect("comm_close" in types(io), f"unknown comm target closed: {types(io)}")

    # interrupts (interrupt_mode "message": KernelManager sends interrupt_request on control)
    for label, code in (("sync", "while (true) {}"), ("async", "while (true) { await sleep(10); }")):
        msg_id = kc.execute(code)
        while True:
            m = check(kc.get_iopub_msg(timeout=30), "iopub")
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
                break
        time.sleep(0.3)
        t1 = time.perf_counter()
        km.interrupt_kernel()
        r = shell_reply(kc, msg_id, timeout=30)
        figures[f"interrupt_{label}_ms"] = round((time.perf_counter() - t1) * 1000)
        collect(kc, msg_id)
        expect(r["content"]["status"] == "error", f"interrupt {label}: {r['content']}")
    while True:  # the interrupt_reply from KernelManager's own control channel is not ours to read
        try:
            kc.get_control_msg(timeout=0.2)
        except Exception:
            break
    reply, io = run(kc, "base")
    expect([m["content"]["data"]["text/plain"] for m in io if m["msg_type"] == "execute_result"] == ["41"], "state kept after interrupts")

    # restart: shutdown_request(restart=True), then a fresh kernel that works
    t1 = time.perf_counter()
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=120)
    figures["restart_ms"] = round((time.perf_counter() - t1) * 1000)
    reply, io = run(kc, "typeof base")
    expect([m["content"]["data"]["text/plain"] for m in io if m["msg_type"] == "execute_result"] in (["'undefined'"], ["undefined"]), "restart gives a fresh session")

    # shutdown: reply on control, engine shutdown, exit 0, well within jupyter_client's patience
    t1 = time.perf_counter()
    km.shutdown_kernel(now=False)
    figures["shutdown_ms"] = round((time.perf_counter() - t1) * 1000)
    expect(not km.is_alive(), "kernel gone after shutdown")
    kc.stop_channels()

    print(json.dumps({"problems": problems, "figures": figures, "seen": sorted(seen_types)}))


if __name__ == "__main__":
    main()
