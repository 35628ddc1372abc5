import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { listPrograms } from "../../native/introspect.js";
import { ATTACH_KINDS, formatFeatures, memlockIgnored, probeFeatures } from "../../native/features.js";

const uname = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
const tracefs = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].find((d) => existsSync(`${d}/events`));
const kernelConfig = (() => {
  try {
    return gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
  } catch {
    return existsSync(`/boot/config-${uname}`) ? readFileSync(`/boot/config-${uname}`, "utf8") : "";
  }
})();

describe("feature probe", () => {
  const t0 = performance.now();
  const f = probeFeatures();
  console.log(`features: probed in ${(performance.now() - t0).toFixed(0)} ms\n${formatFeatures(f)}`);

  it("is probed once and cached", () => {
    expect(probeFeatures()).toBe(f);
  });

  it("reports the kernel, libbcc and the process's limits and capabilities", () => {
    expect(f.kernelRelease).toBe(uname);
    expect(f.libbccVersion).toMatch(/^0\.26\./);
    expect(f.capabilities).toEqual(expect.arrayContaining(["cap_sys_admin", "cap_bpf", "cap_perfmon"]));
    expect(f.memlock.soft).toBeGreaterThan(0);
    expect(memlockIgnored(f.kernelRelease)).toBe(true);
    expect(memlockIgnored("5.10.0-20-amd64")).toBe(false);
    expect(f.bpfStatsEnabled).toBe(readFileSync("/proc/sys/kernel/bpf_stats_enabled", "utf8").trim() === "1");
    expect(f.btf).toMatchObject({ supported: existsSync("/sys/kernel/btf/vmlinux"), path: "/sys/kernel/btf/vmlinux" });
    expect(f.btf.supported).toBe(true);
  });

  it("says whether the kernel headers in use are the running kernel's", () => {
    const uts = readFileSync(`/lib/modules/${uname}/build/include/generated/utsrelease.h`, "utf8");
    const headers = /UTS_RELEASE\s+"([^"]+)"/.exec(uts)![1];
    expect(f.headers.present).toBe(true);
    expect(f.headers.release).toBe(headers);
    expect(f.headers.matchesKernel).toBe(headers === uname);
    // Here they are not: Debian's 6.1 headers serve a 6.18 kernel.
    expect(f.headers.matchesKernel).toBe(false);
    expect(f.headers.note).toContain(headers);
    expect(f.headers.note).toContain(uname);
    expect(f.headers.note).toMatch(/struct layouts .* may be wrong/);
  });

  it("finds no kprobes on a kernel built without them, says why and what to use", () => {
    const evidence = existsSync(`${tracefs}/kprobe_events`) || existsSync("/sys/bus/event_source/devices/kprobe");
    expect(f.attach.kprobe.supported).toBe(evidence);
    expect(evidence).toBe(false);
    expect(kernelConfig).toContain("# CONFIG_KPROBES is not set");
    for (const k of ["kprobe", "kretprobe"] as const) {
      expect(f.attach[k].reason).toMatch(/built without CONFIG_KPROBES/);
      expect(f.attach[k].reason).toMatch(/no \/sys\/kernel(\/debug)?\/tracing\/kprobe_events/);
      expect(f.attach[k].reason).toMatch(/no kprobe PMU/);
      expect(f.attach[k].instead).toMatch(/TRACEPOINT_PROBE/);
    }
  });

  it("finds tracepoints, raw tracepoints, uprobes, perf events and the network hooks", () => {
    expect(existsSync(`${tracefs}/uprobe_events`)).toBe(true);
    for (const k of ["tracepoint", "raw_tracepoint", "uprobe", "uretprobe", "usdt", "perf_event", "xdp", "tc", "tcx", "socket_filter"] as const)
      expect(f.attach[k], k).toEqual({ supported: true });
    for (const t of ["socket_filter", "kprobe", "tracepoint", "raw_tracepoint", "perf_event", "xdp", "sched_cls", "sched_act", "cgroup_skb"])
      expect(f.progTypes[t], t).toEqual({ supported: true });
    expect(f.ringbuf.supported).toBe(true);
    expect(f.syscallTracepoints).toEqual({ supported: existsSync(`${tracefs}/events/syscalls`) });
    expect(f.syscallTracepoints.supported).toBe(true);
    expect(f.tracepointCount).toBe(readFileSync(`${tracefs}/available_events`, "utf8").split("\n").filter(Boolean).length);
    expect(f.tracepointCount).toBeGreaterThan(100);
    expect(f.batchMapOps.supported).toBe(true);
  });

  it("reports fentry, fexit and LSM refused, with the kernel's errno", () => {
    for (const k of ["fentry", "fexit", "lsm"] as const) {
      const x = f.attach[k];
      expect(x.supported, k).toBe(false);
      expect(x.errno).toMatch(/^E[A-Z]+$/);
      expect(x.reason).toMatch(new RegExp(`the kernel refused (loading|attaching) an? (${k}|LSM) program on \\w+: ${x.errno}`));
      expect(x.instead).toBeTruthy();
    }
    expect(f.progTypes.tracing.supported).toBe(false);
    expect(f.progTypes.lsm.supported).toBe(false);
  });

  it("leaves no program, map or fd behind", () => {
    const fds = readdirSync("/proc/self/fd").length;
    const again = probeFeatures({ refresh: true });
    expect(again).not.toBe(f);
    expect(again.attach).toEqual(f.attach);
    expect(readdirSync("/proc/self/fd").length).toBe(fds);
    expect(listPrograms().filter((p) => p.kernelName === "ibcc_probe")).toEqual([]);
  });

  it("gives every attach kind a verdict and every missing one a reason", () => {
    for (const k of ATTACH_KINDS) {
      const x = f.attach[k];
      expect(typeof x.supported).toBe("boolean");
      if (!x.supported) expect(x.reason, k).toBeTruthy();
    }
  });
});
