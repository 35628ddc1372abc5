import { describe, expect, it } from "vitest";
import { addon } from "../../native/addon.js";

describe("native addon", () => {
  it("loads and reports libbcc's version", () => {
    expect(addon.libbccVersion).toMatch(/^0\.\d+\.\d+/);
  });
});
