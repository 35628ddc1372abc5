import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BpfError, compile, type Module } from "../../native/index.js";
import { u32 } from "./helpers.js";

// One veth pair: HOST in this namespace, PEER in a namespace of the test's own.
const tag = `${process.pid % 100000}`;
const NS = `ibcc-nt-${tag}`;
const HOST = `ibh${tag}`;
const PEER = `ibp${tag}`;
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const HOST_IP = `${subnet}.1`;
const PEER_IP = `${subnet}.2`;

const ip = (...args: string[]) => execFileSync("ip", args, { encoding: "utf8" });
const ping = (n: number) =>
  execFileSync("ping", ["-c", String(n), "-i", "0.05", "-W", "2", "-q", PEER_IP], { encoding: "utf8" });

let m: Module | undefined;
afterEach(() => m?.close());

beforeAll(() => {
  ip("netns", "add", NS);
  ip("link", "add", HOST, "type", "veth", "peer", "name", PEER);
  ip("link", "set", PEER, "netns", NS);
  ip("addr", "add", `${HOST_IP}/30`, "dev", HOST);
  ip("link", "set", HOST, "up");
  ip("-n", NS, "addr", "add", `${PEER_IP}/30`, "dev", PEER);
  ip("-n", NS, "link", "set", PEER, "up");
  ping(1);  // ARP settled before anything counts
});

afterAll(() => {
  try { ip("link", "del", HOST); } catch { /* gone with the namespace */ }
  ip("netns", "del", NS);
});

// ICMP over IPv4 only: neighbour discovery and IPv6 chatter on the link are not counted.
const ICMP_SKB = `(load_half(skb, 12) == 0x0800 && load_byte(skb, 23) == 1)`;

describe("network hooks on a veth pair", () => {
  it("a socket filter sees every ICMP packet both ways", async () => {
    m = await compile(`
BPF_ARRAY(count, u64, 1);
int filter(struct __sk_buff *skb) {
  if (${ICMP_SKB}) count.increment(0);
  return 0;  // keep nothing on the socket
}`);
    const p = await m.load("filter", "socket_filter");
    const a = p.attachSocketFilter(HOST);
    expect(a).toMatchObject({ kind: "socket_filter", target: HOST });
    expect(a.fds).toHaveLength(1);
    ping(5);
    expect(m.map("count").lookup(u32(0))!.readBigUInt64LE()).toBe(10n);  // 5 requests out, 5 replies in
  });

  it("XDP counts the replies through a BPF link that goes away on close", async () => {
    m = await compile(`
#include <uapi/linux/if_ether.h>
#include <uapi/linux/ip.h>
BPF_ARRAY(count, u64, 1);
int xdp_count(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_PASS;
  if (eth->h_proto != htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *iph = (void *)(eth + 1);
  if ((void *)(iph + 1) > end) return XDP_PASS;
  if (iph->protocol == 1 /* ICMP */) count.increment(0);
  return XDP_PASS;
}`);
    const p = await m.load("xdp_count", "xdp");
    const a = p.attachXdp(HOST);
    expect(ip("link", "show", "dev", HOST)).toMatch(/xdp/);
    ping(5);
    expect(m.map("count").lookup(u32(0))!.readBigUInt64LE()).toBe(5n);
    // One XDP link per device: a second attach is refused with the kernel's errno.
    expect(() => p.attachXdp(HOST)).toThrow(BpfError);
    a.close();
    expect(ip("link", "show", "dev", HOST)).not.toMatch(/xdp/);
    ping(2);
    expect(m.map("count").lookup(u32(0))!.readBigUInt64LE()).toBe(5n);
  });

  it("XDP attaches in the mode asked for: skb generic, drv native, hw refused on a veth", async () => {
    m = await compile(`
BPF_ARRAY(count, u64, 1);
int xdp_all(struct xdp_md *ctx) { count.increment(0); return XDP_PASS; }`);
    const p = await m.load("xdp_all", "xdp");
    // ip link names the mode the kernel uses: xdpgeneric (skb), xdp (drv), xdpoffload (hw).
    for (const [mode, shown] of [["skb", /\sxdpgeneric\s/], ["drv", /\sxdp\s/]] as const) {
      const a = p.attachXdp(HOST, { mode });
      expect(a).toMatchObject({ kind: "xdp", target: `${HOST} (${mode} mode)` });
      expect(ip("link", "show", "dev", HOST)).toMatch(shown);
      a.close();
      expect(ip("link", "show", "dev", HOST)).not.toMatch(/xdp/);
    }
    // veth has no offload: the kernel refuses XDP_FLAGS_HW_MODE.
    expect(() => p.attachXdp(HOST, { mode: "hw" })).toThrow(expect.objectContaining({ op: "attach_xdp", code: expect.stringMatching(/EINVAL|EOPNOTSUPP/) }));
    expect(ip("link", "show", "dev", HOST)).not.toMatch(/xdp/);
  });

  it("tc (tcx links) counts each direction and detaches on close", async () => {
    m = await compile(`
BPF_ARRAY(count, u64, 2);
static inline int icmp(struct __sk_buff *skb) {
  u16 proto; u8 l4;
  if (bpf_skb_load_bytes(skb, 12, &proto, 2) < 0 || proto != htons(0x0800)) return 0;
  if (bpf_skb_load_bytes(skb, 23, &l4, 1) < 0) return 0;
  return l4 == 1;
}
int tc_in(struct __sk_buff *skb) { if (icmp(skb)) count.increment(0); return 0; }
int tc_out(struct __sk_buff *skb) { if (icmp(skb)) count.increment(1); return 0; }
`);
    const pin = await m.load("tc_in", "sched_cls");
    const pout = await m.load("tc_out", "sched_cls");
    let a;
    try {
      a = pin.attachTc(HOST, "ingress");
    } catch (e) {
      // tcx arrived in Linux 6.6; an older kernel must say so.
      expect((e as BpfError).message).toMatch(/6\.6/);
      console.log("tcx links are not available on this kernel:", (e as Error).message);
      return;
    }
    const b = pout.attachTc(HOST, "egress");
    expect(a).toMatchObject({ kind: "tc", target: `${HOST} ingress` });
    const links = () => execFileSync("bpftool", ["-j", "link", "show"], { encoding: "utf8" });
    expect(JSON.parse(links()).filter((l: { prog_id: number }) => l.prog_id === pin.id || l.prog_id === pout.id)).toHaveLength(2);
    ping(5);
    const count = m.map("count");
    expect(count.lookup(u32(0))!.readBigUInt64LE()).toBe(5n);
    expect(count.lookup(u32(1))!.readBigUInt64LE()).toBe(5n);
    a.close();
    b.close();
    expect(JSON.parse(links()).filter((l: { prog_id: number }) => l.prog_id === pin.id || l.prog_id === pout.id)).toHaveLength(0);
    ping(2);
    expect(count.lookup(u32(0))!.readBigUInt64LE()).toBe(5n);
  });

  it("names an interface that does not exist", async () => {
    m = await compile("int f(struct xdp_md *ctx) { return XDP_PASS; }");
    const p = await m.load("f", "xdp");
    expect(() => p.attachXdp("ibcc-nope0")).toThrow(expect.objectContaining({ code: "ENODEV", op: "attach_xdp" }));
  });
});
