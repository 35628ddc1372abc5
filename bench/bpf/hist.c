// A log2 histogram as BPF_HISTOGRAM makes it; the bench fills it from userspace.
BPF_HISTOGRAM(dist, int, 64);
