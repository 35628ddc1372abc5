import { describe, expect, it } from "vitest";
import { binding } from "../../native/binding.js";

describe("native addon", () => {
  it("loads and reports libbcc's version", () => {
    expect(binding.libbccVersion).toMatch(/^0\.\d+\.\d+/);
  });
});
