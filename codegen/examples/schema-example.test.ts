import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../test/support/edge-fixture.js";
import { metaArgumentsOf } from "../model/meta-arguments.js";
import { inputView } from "../model/views.js";
import { readBlock } from "../schema/read-schema.js";
import { printNix } from "./nix-expr.js";
import { minimalInputs } from "./schema-example.js";

describe("minimalInputs", () => {
  it("sets every required argument and block with the fewest items, nothing optional", () => {
    const thing = readBlock(edgeEntry().resource_schemas!.edge_thing!.block, "edge_thing");
    expect(printNix(minimalInputs(inputView(thing, "resource", metaArgumentsOf("resource"))))).toBe(
      [
        "{",
        '  name = "example-name";',
        '  zones = [ "example-zones" ];',
        "  list_nested = [",
        "    {",
        '      cidr = "example-cidr";',
        "    }",
        "  ];",
        "  rule = [",
        "    {",
        "      priority = 1;",
        "    }",
        "  ];",
        "}",
      ].join("\n"),
    );
  });
});
