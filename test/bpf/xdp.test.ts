import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "./context.js";

const tag = (process.pid % 10000).toString();
const ns = `ibccx${tag}`;
const host = `ibxh${tag}`;
const peer = `ibxp${tag}`;
const net = `10.${(process.pid >> 8) % 200 + 20}.${process.pid % 250}`;
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });

beforeAll(() => {
  ip("netns", "add", ns);
  ip("link", "add", host, "type", "veth", "peer", "name", peer);
  ip("link", "set", peer, "netns", ns);
  ip("addr", "add", `${net}.1/30`, "dev", host);
  ip("link", "set", host, "up");
  ip("-n", ns, "addr", "add", `${net}.2/30`, "dev", peer);
  ip("-n", ns, "link", "set", peer, "up");
  ip("-n", ns, "link", "set", "lo", "up");
});
afterAll(() => {
  detachAll();
  try {
    ip("link", "del", host);
  } catch {
    // gone with the namespace already
  }
  ip("netns", "del", ns);
});

const XDP = `
#include <uapi/linux/if_ether.h>
#include <uapi/linux/ip.h>
BPF_ARRAY(pkts, u64, 256);
int xdp_count(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_PASS;
  if (eth->h_proto != htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *iph = (void *)(eth + 1);
  if ((void *)(iph + 1) > end) return XDP_PASS;
  int proto = iph->protocol;
  pkts.increment(proto);
  return XDP_PASS;
}`;

const TC = `
#include <uapi/linux/pkt_cls.h>
BPF_ARRAY(seen, u64, 1);
int tc_count(struct __sk_buff *skb) { int z = 0; if (skb->protocol == htons(0x0800)) seen.increment(z); return TC_ACT_OK; }`;

const SOCK = `
BPF_ARRAY(seen, u64, 1);
int sock_count(struct __sk_buff *skb) { int z = 0; if (skb->protocol == htons(0x0800)) seen.increment(z); return 0; }`;

describe("XDP", () => {
  it("counts the pings the test sends across its own veth pair", async () => {
    const prog = (await runBpfBlock({ args: `xdpc --xdp ${host}=xdp_count`, body: XDP, headerLine: 1 }, testContext())) as Program;
    ip("netns", "exec", ns, "ping", "-c", "5", "-i", "0.2", "-W", "2", `${net}.1`);
    const icmp = prog.table("pkts").get(1);
    console.log(`XDP on ${host}: ${icmp} ICMP packets`);
    expect(icmp).toBe(5n);
    prog.close();
    expect(execFileSync("ip", ["link", "show", host], { encoding: "utf8" })).not.toMatch(/xdp/);
  });

  it("attaches in the --xdp-mode asked for, says so in the summary, and refuses hw on a veth with a hint", async () => {
    const link = () => execFileSync("ip", ["link", "show", host], { encoding: "utf8" });
    // ip link names the mode: "xdpgeneric" for skb, "xdp" for the driver's native hook.
    for (const [mode, shown] of [["skb", /\sxdpgeneric\s/], ["drv", /\sxdp\s/]] as const) {
      const prog = (await runBpfBlock({ args: `xdpm --xdp ${host}=xdp_count --xdp-mode ${mode}`, body: XDP, headerLine: 1 }, testContext())) as Program;
      const summary = String(prog.summary().data["text/plain"]);
      expect(summary).toContain(`xdp ${host} (${mode} mode)`);
      console.log(`--xdp-mode ${mode}: ${link().split("\n")[0]}`);
      expect(link()).toMatch(shown);
      ip("netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", `${net}.1`);
      expect(prog.table("pkts").get(1)).toBe(3n);
      prog.close();
      expect(link()).not.toMatch(/xdp/);
    }
    const err = await runBpfBlock({ args: `xdph --xdp ${host}=xdp_count --xdp-mode hw`, body: XDP, headerLine: 1 }, testContext()).then(
      () => undefined,
      (e: unknown) => e as { message: string; traceback?: string[] },
    );
    expect(err?.message).toMatch(new RegExp(`cannot attach xdp_count\\(\\) to xdp ${host} \\(hw mode\\)`));
    expect((err?.traceback ?? []).join("\n")).toMatch(/offloads XDP.*--xdp-mode drv or skb/);
    expect(link()).not.toMatch(/xdp/);
  });

  it("counts IPv4 packets with a tc ingress program and a socket filter", async () => {
    const tc = (await runBpfBlock({ args: `tcc --tc ${host}:ingress=tc_count`, body: TC, headerLine: 1 }, testContext())) as Program;
    const sock = (await runBpfBlock({ args: `sockc --socket ${host}=sock_count`, body: SOCK, headerLine: 1 }, testContext())) as Program;
    ip("netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", `${net}.1`);
    const tcSeen = tc.table("seen").get(0) as bigint;
    const sockSeen = sock.table("seen").get(0) as bigint;
    console.log(`tc ingress on ${host}: ${tcSeen} IPv4 packets; socket filter: ${sockSeen}`);
    expect(tcSeen).toBeGreaterThanOrEqual(3n);
    expect(sockSeen).toBeGreaterThanOrEqual(3n);
    tc.close();
    sock.close();
  });
});
