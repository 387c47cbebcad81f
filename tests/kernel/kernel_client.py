"""Drives the jtorch kernel with jupyter_client's BlockingKernelClient: kernel_info, execute (streams,
execute_result, errors, execution counts), complete, is_complete, inspect, history, comm_info, input
without stdin, interrupt and shutdown. Needs JUPYTER_PATH to hold the installed kernelspec 'jtorch'.
Prints one 'PASS name' / 'FAIL name' line per check and finally 'N passed, N failed'."""
import sys
import time

from jupyter_client.manager import start_new_kernel

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def run(kc, code, timeout=120, **kw):
    """Executes code; returns (reply content, iopub messages for it up to status idle)."""
    msg_id = kc.execute(code, **kw)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    return reply["content"], msgs


def types(msgs):
    """Message types in order (status as busy/idle); consecutive stream messages count once (output may
    be sent in several pieces)."""
    out = []
    for m in msgs:
        t = m["msg_type"] if m["msg_type"] != "status" else m["content"]["execution_state"]
        if not (t == "stream" and out and out[-1] == "stream"):
            out.append(t)
    return out


def stream_text(msgs, name="stdout"):
    return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream" and m["content"]["name"] == name)


def request(kc, send, reply_type, timeout=60):
    msg_id = send()
    while True:
        r = kc.get_shell_msg(timeout=timeout)
        if r["parent_header"].get("msg_id") == msg_id:
            check(reply_type + " type", r["msg_type"] == reply_type, r["msg_type"])
            return r["content"]


t0 = time.time()
km, kc = start_new_kernel(kernel_name="jtorch", startup_timeout=300)
print("kernel ready in %.1f s" % (time.time() - t0))
try:
    info = kc.kernel_info(reply=True, timeout=60)["content"]
    check("kernel_info protocol 5.3", info["protocol_version"] == "5.3", info)
    check("kernel_info language python", info["language_info"]["name"] == "python"
          and info["language_info"]["file_extension"] == ".py", info)
    check("kernel_info implementation", info["implementation"] == "jtorch", info)

    c, msgs = run(kc, "import torch\nx = torch.arange(3)\nprint('hello', x.sum().item())\nx * 2")
    check("execute ok, count 1", c["status"] == "ok" and c["execution_count"] == 1, c)
    check("iopub order busy, execute_input, stream, execute_result, idle",
          types(msgs) == ["busy", "execute_input", "stream", "execute_result", "idle"], types(msgs))
    check("execute_input has the code and count", msgs[1]["content"]["execution_count"] == 1
          and msgs[1]["content"]["code"].startswith("import torch"), msgs[1]["content"])
    check("stream stdout", stream_text(msgs) == "hello 3\n", repr(stream_text(msgs)))
    res = [m for m in msgs if m["msg_type"] == "execute_result"]
    check("execute_result repr", res and res[0]["content"]["data"]["text/plain"] == "tensor([0, 2, 4])"
          and res[0]["content"]["execution_count"] == 1, res)

    c, msgs = run(kc, "import sys\nprint('to err', file=sys.stderr)\ny = 5;")
    check("stderr stream", stream_text(msgs, "stderr") == "to err\n", repr(stream_text(msgs, "stderr")))
    check("no execute_result after ';' or an assignment", "execute_result" not in types(msgs), types(msgs))
    check("count 2", c["execution_count"] == 2, c)

    c, msgs = run(kc, "def f():\n    return 1 / 0\nf()")
    check("error reply", c["status"] == "error" and c["ename"] == "ZeroDivisionError"
          and c["evalue"] == "division by zero", c)
    err = [m for m in msgs if m["msg_type"] == "error"]
    tb = "\n".join(err[0]["content"]["traceback"]) if err else ""
    check("error on iopub with a traceback naming the cell", "Cell In[3]" in tb and "ZeroDivisionError" in tb, tb)

    c, msgs = run(kc, "x + 1", silent=True)
    check("silent: no outputs, count unchanged", c["status"] == "ok" and c["execution_count"] == 3
          and types(msgs) == ["busy", "idle"], (c, types(msgs)))

    c, msgs = run(kc, "  \n")
    check("an empty cell does not count", c["status"] == "ok" and c["execution_count"] == 3, c)

    c, msgs = run(kc, "z = 7", user_expressions={"double": "z * 2", "bad": "nope"})
    ue = c.get("user_expressions", {})
    check("user_expressions", ue.get("double", {}).get("data", {}).get("text/plain") == "14"
          and ue.get("bad", {}).get("ename") == "NameError", ue)

    c, msgs = run(kc, "%time s = sum(range(1000))\n_ = print('after magic', s)")
    check("%time magic", "Wall time:" in stream_text(msgs) and "after magic 499500" in stream_text(msgs),
          repr(stream_text(msgs)))

    c, msgs = run(kc, "display(torch.ones(2))\n'last'")
    check("display_data then execute_result", [m["msg_type"] for m in msgs if m["msg_type"] in ("display_data", "execute_result")]
          == ["display_data", "execute_result"], types(msgs))

    c, msgs = run(kc, "input('name? ')", allow_stdin=False)
    check("input() without stdin raises clearly", c["status"] == "error"
          and c["ename"] == "StdinNotImplementedError", c)

    msg_id = kc.execute("name = input('name? ')\nprint('hi', name)", allow_stdin=True)
    req = kc.get_stdin_msg(timeout=60)
    check("input_request with the prompt", req["msg_type"] == "input_request"
          and req["content"]["prompt"] == "name? " and req["parent_header"]["msg_id"] == msg_id, req)
    kc.input("Ada")
    reply = kc.get_shell_msg(timeout=60)
    out = ""
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream":
            out += m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    check("input_reply feeds input()", reply["content"]["status"] == "ok" and out == "hi Ada\n", (reply["content"], out))

    c, msgs = run(kc, "for i in range(3):\n    print(i, end=' ')\n")
    check("streamed loop output", stream_text(msgs) == "0 1 2 ", repr(stream_text(msgs)))

    c = request(kc, lambda: kc.complete("torch.ze", 8), "complete_reply")
    check("complete torch.ze", {"torch.zeros", "torch.zeros_like"} <= set(c["matches"])
          and c["cursor_start"] == 0 and c["cursor_end"] == 8, c)
    c = request(kc, lambda: kc.complete("print(x.su", 10), "complete_reply")
    check("complete an attribute inside a call", "x.sum" in c["matches"] and c["cursor_start"] == 6, c)

    for code, expected in [("x = 1", "complete"), ("def f(", "incomplete"), ("for i in range(3):", "incomplete"),
                           ("1 +* 2", "invalid"), ("s = '''abc", "incomplete")]:
        c = request(kc, lambda: kc.is_complete(code), "is_complete_reply")
        check("is_complete %r" % code, c["status"] == expected, c)
    c = request(kc, lambda: kc.is_complete("for i in range(3):"), "is_complete_reply")
    check("is_complete indent", c.get("indent") == "    ", c)

    c = request(kc, lambda: kc.inspect("torch.zeros", 11), "inspect_reply")
    check("inspect torch.zeros", c["found"] and "Docstring" in c["data"].get("text/plain", "")
          or c["found"] and "Type:" in c["data"].get("text/plain", ""), c)
    c = request(kc, lambda: kc.inspect("no_such_name", 5), "inspect_reply")
    check("inspect unknown", c["status"] == "ok" and not c["found"], c)
    c = request(kc, lambda: kc.history(), "history_reply")
    check("history empty", c["status"] == "ok" and c["history"] == [], c)
    c = request(kc, lambda: kc.comm_info(), "comm_info_reply")
    check("comm_info empty", c["status"] == "ok" and c["comms"] == {}, c)

    # interrupt a long cell through the control channel (interrupt_mode "message")
    msg_id = kc.execute("import time\nwhile True:\n    time.sleep(0.05)")
    time.sleep(3)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=60)
    check("interrupt ends the cell with KeyboardInterrupt", reply["parent_header"]["msg_id"] == msg_id
          and reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt", reply["content"])
    c, msgs = run(kc, "x.sum().item()")
    check("kernel usable after an interrupt", c["status"] == "ok"
          and any(m["msg_type"] == "execute_result" and m["content"]["data"]["text/plain"] == "3" for m in msgs), (c, types(msgs)))

    check("heartbeat", km.is_alive() and kc.hb_channel.is_beating(), "")
finally:
    kc.stop_channels()
    t0 = time.time()
    km.shutdown_kernel(now=False)
    check("shutdown_request ends the process", not km.is_alive(), "")
    print("shutdown in %.1f s" % (time.time() - t0))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
