import { describe, expect, it } from "vitest";
import { PACKAGE_NAME, packageRootOf } from "./package-root.js";

const tree = (files: Record<string, string>) => (path: string) => files[path];

describe("packageRootOf", () => {
  it("finds the package from the compiled tree, the bundle and the sources alike", () => {
    const read = tree({ "/app/package.json": JSON.stringify({ name: PACKAGE_NAME }) });
    for (const module of [
      "file:///app/dist/bridge/build/build-id.js",
      "file:///app/dist/bundle/bridge.js",
      "file:///app/bridge/build/build-id.ts",
    ])
      expect(packageRootOf(module, read)).toBe("/app");
  });

  it("passes over other packages' manifests on the way up", () => {
    const read = tree({
      "/app/node_modules/dep/package.json": JSON.stringify({ name: "dep" }),
      "/app/dist/package.json": "not json",
      "/app/package.json": JSON.stringify({ name: PACKAGE_NAME }),
    });
    expect(packageRootOf("file:///app/node_modules/dep/lib/x.js", read)).toBe("/app");
    expect(packageRootOf("file:///app/dist/bundle/bridge.js", read)).toBe("/app");
  });

  it("says where it looked when the package is not above", () => {
    expect(() => packageRootOf("file:///elsewhere/x.js", tree({}))).toThrow(/\/elsewhere\/x\.js is not inside/);
  });
});
