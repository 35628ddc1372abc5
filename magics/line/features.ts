/** `%features`: what this kernel lets BPF do, with the reason and the alternative for each thing missing. */
import { probeFeatures, ATTACH_KINDS } from "../../native/features.js";
import { statsState } from "../../native/introspect.js";
import { keyValueList, records } from "../../kernel/display/info.js";
import type { LineMagic } from "../../kernel/plugin.js";
import { displayable } from "../watch.js";

export const features: LineMagic = {
  kind: "line",
  name: "features",
  help: "What this kernel supports for BPF (hooks, ring buffers, BTF, headers), with reasons and alternatives",
  run() {
    const f = probeFeatures();
    const facts = keyValueList(
      {
        kernel: f.kernelRelease,
        libbcc: f.libbccVersion,
        headers: f.headers.matchesKernel ? `${f.headers.release} (the running kernel's)` : `${f.headers.release ?? "none"}: ${f.headers.note ?? "not the running kernel's"}`,
        BTF: f.btf.supported ? f.btf.path : `no: ${f.btf.reason}`,
        "ring buffer": f.ringbuf.supported ? "yes" : `no: ${f.ringbuf.reason}`,
        "batch map ops": f.batchMapOps.supported ? "yes" : `no: ${f.batchMapOps.reason}`,
        // the sysctl, or any process's BPF_ENABLE_STATS fd (the first %bps takes one)
        bpf_stats: statsState().on ? "on" : "off",
      },
      { title: "BPF on this kernel" },
    );
    const hooks = records(
      ATTACH_KINDS.map((k) => ({
        hook: k,
        supported: f.attach[k].supported ? "yes" : "no",
        why: f.attach[k].reason ?? "",
        instead: f.attach[k].instead ?? "",
      })),
      { title: "hooks" },
    );
    return displayable({
      data: {
        "text/html": `${facts.data["text/html"]}\n${hooks.data["text/html"]}`,
        "text/plain": `${facts.data["text/plain"]}\n${hooks.data["text/plain"]}`,
      },
      metadata: {},
    });
  },
};
