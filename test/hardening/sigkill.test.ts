/**
 * SIGKILL of the kernel at random points while it attaches, streams events
 * and watches a map: nothing it loaded stays loaded (programs are freed when
 * the process's fds close), and no XDP or tc attachment stays on the veth
 * pair this test makes (one end in a network namespace of its own).
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../support/kernel-client.js";
import { programsOf, sleep, stillLoaded, until } from "./proc.js";

const tag = (process.pid % 10000).toString();
const ns = `ibcch${tag}`;
const host = `ibhh${tag}`;
const peer = `ibhp${tag}`;
const ip = (...args: string[]): string => execFileSync("ip", args, { encoding: "utf8", stdio: "pipe" });
const ROUNDS_PER_PHASE = Number(process.env.IBCC_SIGKILL_ROUNDS ?? 3);

// A deterministic spread of kill delays, so a failure can be replayed.
let seed = 7;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

beforeAll(() => {
  ip("netns", "add", ns);
  ip("link", "add", host, "type", "veth", "peer", "name", peer);
  ip("link", "set", peer, "netns", ns);
  ip("link", "set", host, "up");
  ip("-n", ns, "link", "set", peer, "up");
});
afterAll(() => {
  try {
    ip("link", "del", host);
  } catch {
    // gone with the namespace already
  }
  ip("netns", "del", ns);
});

/** XDP and tc attachments on the host end: `ip link` and `bpftool net`. */
function netAttachments(): { ipLink: string[]; bpftool: string[] } {
  const link = ip("-d", "link", "show", "dev", host);
  const ipLink = /prog\/xdp|xdp(generic|drv|offload)?\s/.test(link) ? [link.trim()] : [];
  const net = JSON.parse(execFileSync("bpftool", ["net", "show", "dev", host, "--json"], { encoding: "utf8" })) as Record<string, unknown[]>[];
  const bpftool: string[] = [];
  for (const section of net) for (const [kind, list] of Object.entries(section)) if (Array.isArray(list) && list.length) bpftool.push(`${kind}: ${JSON.stringify(list)}`);
  return { ipLink, bpftool };
}

const ATTACH = `%%bpf net --xdp ${host}=xdp_pass --tc ${host}:ingress=tc_ok
BPF_ARRAY(n, u64, 1);
int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
int tc_ok(struct __sk_buff *skb) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; u64 *v = n.lookup(&k); if (v) __sync_fetch_and_add(v, 1); return 0; }`;

const EVENTS = `%%bpf ev
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 pid = bpf_get_current_pid_tgid() >> 32; events.perf_submit(args, &pid, sizeof(pid)); return 0; }`;

interface Phase {
  name: string;
  /** Cells run to completion before the one that is killed. */
  setup: string[];
  /** The cell during which the kernel is killed. */
  cell: string;
  maxDelayMs: number;
}

const PHASES: Phase[] = [
  // A first program loads the BPF side, so the kill lands in this cell's compile, load or attach.
  { name: "attach", setup: ["%%bpf warm\nTRACEPOINT_PROBE(syscalls, sys_enter_getpgid) { return 0; }"], cell: ATTACH, maxDelayMs: 3000 },
  {
    name: "stream",
    setup: [ATTACH, EVENTS],
    cell: "const poke = setInterval(() => process.ppid, 1);\nlet got = 0;\nfor await (const e of ev.events('events')) { got++; }",
    maxDelayMs: 2000,
  },
  { name: "watch", setup: [ATTACH], cell: "const poke2 = setInterval(() => process.ppid, 1);\nawait net.table('n').watch({ every: 50, for: 60000 })", maxDelayMs: 2000 },
];

describe("SIGKILL at random points", () => {
  for (const phase of PHASES) {
    it(`during ${phase.name}: nothing left loaded or attached (${ROUNDS_PER_PHASE} rounds)`, async () => {
      for (let round = 0; round < ROUNDS_PER_PHASE; round++) {
        const k = await KernelClient.start();
        const pid = k.proc.pid!;
        try {
          for (const cell of phase.setup) {
            const x = await k.execute(cell, {}, 60_000);
            expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
          }
          const attachedBefore = netAttachments();
          k.send("shell", "execute_request", { code: phase.cell, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
          const delay = Math.floor(random() * phase.maxDelayMs);
          await sleep(delay);
          const held = programsOf(pid);
          k.proc.kill("SIGKILL");
          await k.waitExit(10_000);
          // The kernel frees a program once its last reference (fd or link) is gone, a little after the process.
          const freed = await until(() => stillLoaded(held).length === 0, 10_000);
          const left = netAttachments();
          console.log(
            `sigkill ${phase.name} round ${round}: killed after ${delay} ms holding ${held.length} programs ` +
              `(xdp/tc on ${host} before the kill: ${attachedBefore.bpftool.length + attachedBefore.ipLink.length}); ` +
              `still loaded: ${stillLoaded(held).length}; left on ${host}: ${[...left.ipLink, ...left.bpftool].join("; ") || "nothing"}`,
          );
          expect(freed).toBe(true);
          expect(left).toEqual({ ipLink: [], bpftool: [] });
        } finally {
          await k.close();
        }
      }
    }, 300_000);
  }
});
